"""Credit blacklists (信用记录): importing the three lists and checking a supplier against them.

The notice bars anyone listed as a dishonest judgment debtor, a major tax-violation dishonest
entity, or on the government-procurement serious-violation list (design.md §3). The buyer imports
each list from a CSV export; an import reports every bad row and yields nothing when any row is
bad, so a half-imported list can never make a listed supplier look clean.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

from . import DomainError, N_
from .identifiers import validate_uscc

LIST_KINDS: dict[str, str] = {
    "dishonest_debtor": N_("失信被执行人"),
    "tax_violation": N_("重大税收违法失信主体"),
    "procurement_violation": N_("政府采购严重违法失信行为记录名单"),
}

# Column key -> accepted header spellings (compared after stripping and casefolding).
CSV_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "名称"),
    "uscc": ("uscc", "统一社会信用代码"),
    "list": ("list", "名单"),
    "source": ("source", "来源"),
    "listed_from": ("listed_from", "列入日期"),
    "listed_until": ("listed_until", "移出日期"),
}
REQUIRED_COLUMNS = ("name", "list")

_HEADER_ALIASES = {alias.casefold(): key for key, aliases in CSV_COLUMNS.items() for alias in aliases}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Brackets that NFKC leaves alone or that are not in the Ps/Pe categories.
_EXTRA_OPEN = "<"
_EXTRA_CLOSE = ">"
# Zero-width characters survive NFKC and str.isspace() but make equal names compare unequal.
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


@dataclass(frozen=True)
class BlacklistRow:
    """One valid entry of an imported list; ``line`` is its line in the CSV (header is line 1)."""

    line: int
    name: str
    uscc: str | None
    list_kind: str
    source: str
    listed_from: date | None
    listed_until: date | None


@dataclass(frozen=True)
class RowError:
    """One problem in a CSV import: ``message`` is an untranslated template filled by ``params``."""

    line: int
    message: str
    params: dict[str, object] = field(default_factory=dict)


class BlacklistImportError(DomainError):
    """A blacklist CSV had bad rows; ``errors`` lists every one, and nothing was imported."""

    code = "blacklist_import_invalid"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            N_("名单文件有 %(count)s 处错误，未导入任何记录。"), count=len(errors)
        )
        self.errors = errors


class BlacklistEntry(Protocol):
    """What :func:`check_credit` reads from an entry: a :class:`BlacklistRow` or a database row."""

    name: str
    uscc: str | None
    list_kind: str
    source: str
    listed_from: date | None
    listed_until: date | None


@dataclass(frozen=True)
class CreditHit:
    """A supplier found on a list, and whether its USCC or its name matched."""

    list_kind: str
    matched_by: Literal["uscc", "name"]
    entry_name: str
    entry_uscc: str | None
    source: str


def normalise_name(name: str) -> str:
    """Return the form of a company name used for matching against the lists.

    Full-width characters become half-width (NFKC), every whitespace character goes, every kind
    of bracket becomes ``(`` or ``)`` and ASCII letters are casefolded, because lists and
    registrations write the same name with （）, (), 【】 and stray spaces.
    """
    result = []
    for char in unicodedata.normalize("NFKC", name):
        if char.isspace() or char in _INVISIBLE:
            continue
        category = unicodedata.category(char)
        if category == "Ps" or char in _EXTRA_OPEN:
            result.append("(")
        elif category == "Pe" or char in _EXTRA_CLOSE:
            result.append(")")
        elif char.isascii():
            result.append(char.lower())
        else:
            result.append(char)
    return "".join(result)


def list_kind_from_text(text: str) -> str | None:
    """Return the list key for ``text`` (a key or its Chinese name), or ``None`` if unknown."""
    cleaned = normalise_name(text)
    for key, label in LIST_KINDS.items():
        if cleaned == key or cleaned == normalise_name(label):
            return key
    return None


def parse_blacklist_csv(text: str) -> list[BlacklistRow]:
    """Parse a blacklist CSV export into rows, all or nothing.

    Columns: ``name,uscc,list,source,listed_from,listed_until`` or the Chinese headers
    ``名称,统一社会信用代码,名单,来源,列入日期,移出日期``; ``name`` and ``list`` are required.
    A UTF-8 BOM is accepted, blank lines are skipped, dates are ``YYYY-MM-DD``.

    :raise BlacklistImportError: with every bad row (by line), or when there are no data rows.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise BlacklistImportError([RowError(1, N_("文件为空，缺少表头。"))]) from None
    columns, errors = _read_header(header)
    if errors:
        raise BlacklistImportError(errors)

    rows: list[BlacklistRow] = []
    last_line = reader.line_num
    for cells in reader:
        # A quoted cell may span lines; a row is reported at the line where it starts.
        line, last_line = last_line + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        row, row_errors = _read_row(line, cells, columns)
        errors.extend(row_errors)
        if row is not None:
            rows.append(row)
    if errors:
        raise BlacklistImportError(errors)
    if not rows:
        raise BlacklistImportError([RowError(2, N_("文件中没有数据行。"))])
    return rows


def check_credit(uscc: str, name: str, entries: Iterable[BlacklistEntry], on: date) -> tuple[CreditHit, ...]:
    """Return every list entry in force ``on`` that matches the supplier's USCC or name.

    An entry counts from ``listed_from`` to ``listed_until`` inclusive; a missing end is open.
    A name match counts even when the entry carries another USCC: lists contain mistyped and
    outdated codes, and the panel confirms every hit (``matched_by`` tells it what to look at).
    """
    wanted_uscc = _compact_uscc(uscc)
    wanted_name = normalise_name(name)
    hits: list[CreditHit] = []
    for entry in entries:
        if entry.listed_from is not None and on < entry.listed_from:
            continue
        if entry.listed_until is not None and on > entry.listed_until:
            continue
        entry_uscc = _compact_uscc(entry.uscc or "")
        if wanted_uscc and entry_uscc == wanted_uscc:
            matched_by: Literal["uscc", "name"] = "uscc"
        elif wanted_name and normalise_name(entry.name) == wanted_name:
            matched_by = "name"
        else:
            continue
        hit = CreditHit(entry.list_kind, matched_by, entry.name, entry.uscc or None, entry.source)
        if hit not in hits:
            hits.append(hit)
    return tuple(hits)


def _compact_uscc(value: str) -> str:
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value)).upper()


def _read_header(header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    columns: dict[str, int] = {}
    unknown: list[str] = []
    errors: list[RowError] = []
    for index, cell in enumerate(header):
        label = cell.strip()
        key = _HEADER_ALIASES.get(label.casefold())
        if key is None:
            if label:
                unknown.append(label)
        elif key in columns:
            errors.append(RowError(1, N_("表头中的列“%(column)s”重复。"), {"column": label}))
        else:
            columns[key] = index
    if unknown:
        errors.append(RowError(1, N_("表头含有无法识别的列：%(columns)s。"), {"columns": list(unknown)}))
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        errors.append(RowError(1, N_("表头缺少必需的列：%(columns)s。"), {"columns": list(missing)}))
    return columns, errors


def _read_row(
    line: int, cells: list[str], columns: Mapping[str, int]
) -> tuple[BlacklistRow | None, list[RowError]]:
    errors: list[RowError] = []
    width = max(columns.values()) + 1
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        errors.append(
            RowError(line, N_("该行有 %(count)s 列，多于表头的 %(expected)s 列。"), {"count": len(cells), "expected": width})
        )

    def cell(key: str) -> str:
        # Hand-edited CSVs often drop trailing empty cells, so a short row reads as blanks.
        index = columns.get(key)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    name = cell("name")
    if not name:
        errors.append(RowError(line, N_("缺少名称。")))

    uscc: str | None = cell("uscc") or None
    if uscc is not None:
        try:
            uscc = validate_uscc(uscc)
        except ValueError:
            errors.append(RowError(line, N_("统一社会信用代码“%(value)s”无效。"), {"value": uscc}))

    list_text = cell("list")
    list_kind = list_kind_from_text(list_text) if list_text else None
    if not list_text:
        errors.append(RowError(line, N_("缺少名单类型。")))
    elif list_kind is None:
        errors.append(RowError(line, N_("未知的名单类型“%(value)s”。"), {"value": list_text}))

    listed_from = _parse_date(cell("listed_from"))
    if listed_from is False:
        errors.append(
            RowError(line, N_("列入日期“%(value)s”无效，格式应为 YYYY-MM-DD。"), {"value": cell("listed_from")})
        )
    listed_until = _parse_date(cell("listed_until"))
    if listed_until is False:
        errors.append(
            RowError(line, N_("移出日期“%(value)s”无效，格式应为 YYYY-MM-DD。"), {"value": cell("listed_until")})
        )
    if isinstance(listed_from, date) and isinstance(listed_until, date) and listed_until < listed_from:
        errors.append(
            RowError(
                line,
                N_("移出日期 %(listed_until)s 早于列入日期 %(listed_from)s。"),
                {"listed_from": listed_from.isoformat(), "listed_until": listed_until.isoformat()},
            )
        )
    if errors:
        return None, errors
    assert list_kind is not None and listed_from is not False and listed_until is not False
    return (
        BlacklistRow(
            line=line,
            name=name,
            uscc=uscc,
            list_kind=list_kind,
            source=cell("source"),
            listed_from=listed_from,
            listed_until=listed_until,
        ),
        [],
    )


def _parse_date(text: str) -> date | None | Literal[False]:
    """Return the date, ``None`` for a blank cell, or ``False`` when the text is not YYYY-MM-DD."""
    if not text:
        return None
    # date.fromisoformat alone would also take "20250101"; the import format is stricter.
    if not _ISO_DATE.fullmatch(text):
        return False
    try:
        return date.fromisoformat(text)
    except ValueError:
        return False
