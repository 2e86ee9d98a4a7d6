"""Credit blacklists (失信名单): dated list versions imported from CSV, and checks against them.

Each import is a new version of one list (失信被执行人, 重大税收违法失信主体, 政府采购严重违法失信行为记录名单);
checks always read the latest version of each list and record which versions they read, so the
panel can see exactly what a registration was checked against and when.
"""
from __future__ import annotations

import csv
import hashlib
import io
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.credit import (
    CSV_COLUMNS,
    LIST_KINDS,
    BlacklistImportError,
    CreditHit,
    RowError,
    check_credit,
    list_kind_from_text,
    normalise_name,
    parse_blacklist_csv,
)
from procurement.domain.identifiers import InvalidIdentifier, validate_uscc
from procurement.domain.schedule import beijing
from procurement.domain.uploads import CSV_TYPES, MAX_BLACKLIST_CSV_BYTES
from procurement.extensions import db
from procurement.models import BlacklistEntry, BlacklistImport
from procurement.services import ServiceError
from procurement.services.unit_of_work import command
from procurement.services.uploads import check_bytes

#: Encodings a CSV export may come in: UTF-8 (with or without BOM), or GB 18030 from Excel on Chinese Windows.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class CreditCheck(NamedTuple):
    """The hits found for a supplier and the list versions consulted (``{list_kind: import id}``)."""

    hits: tuple[CreditHit, ...]
    list_versions: dict[str, int]


def decode_csv(data: bytes) -> str:
    """Decode an uploaded CSV export.

    :raise BlacklistImportError: (line 1) when the bytes are neither UTF-8 nor GB 18030 text.
    """
    if b"\x00" in data:
        raise BlacklistImportError([RowError(1, N_("文件不是 CSV 文本文件，请从表格软件另存为 CSV 后上传。"))])
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BlacklistImportError([RowError(1, N_("无法识别文件编码，请另存为 UTF-8 编码的 CSV 文件。"))])


@command
def import_blacklist(list_kind: str, data: bytes, filename: str, actor) -> BlacklistImport:
    """Import one list's CSV export as a new dated version, all or nothing.

    Every row must belong to ``list_kind`` (its ``list`` column names the list), so a file of the
    wrong list cannot silently replace another.

    :raise ServiceError: for an unknown list kind, or a file that is not CSV text (``uploads.check_bytes``).
    :raise BlacklistImportError: with every bad row by line; nothing is stored.
    """
    if list_kind not in LIST_KINDS:
        raise ServiceError(N_("未知的名单类型“%(value)s”。"), "unknown_list", field="list_kind", value=list_kind)
    checked = check_bytes(data, filename or "blacklist.csv", CSV_TYPES, field="file", max_bytes=MAX_BLACKLIST_CSV_BYTES)
    text = decode_csv(checked.data)
    try:
        rows = parse_blacklist_csv(text)
    except BlacklistImportError as error:
        # Report the wrong-list rows too, so one round of fixing is enough.
        errors = error.errors + _other_list_rows(text, list_kind)
        raise BlacklistImportError(sorted(errors, key=lambda e: e.line)) from None
    wrong = [
        RowError(
            row.line,
            N_("该行属于“%(row_list)s”，不是所导入的“%(list)s”。"),
            {"row_list": LIST_KINDS[row.list_kind], "list": LIST_KINDS[list_kind]},
        )
        for row in rows
        if row.list_kind != list_kind
    ]
    if wrong:
        raise BlacklistImportError(wrong)
    version = BlacklistImport(
        list_kind=list_kind,
        imported_at=clock.now(),
        imported_by_id=getattr(actor, "id", None),
        source_filename=checked.original_name,
        sha256=hashlib.sha256(data).hexdigest(),
        row_count=len(rows),
    )
    version.entries = [
        BlacklistEntry(
            list_kind=row.list_kind,
            name=row.name[:300],
            normalised_name=normalise_name(row.name)[:300],
            uscc=row.uscc,
            source=row.source[:300],
            listed_from=row.listed_from,
            listed_until=row.listed_until,
        )
        for row in rows
    ]
    db.session.add(version)
    db.session.flush()
    audit.record(
        "blacklist.import",
        version,
        details={"list_kind": list_kind, "rows": len(rows), "sha256": version.sha256, "file": version.source_filename},
        actor=actor,
    )
    return version


def _other_list_rows(text: str, list_kind: str) -> list[RowError]:
    """Rows of another list in a file that also has other errors (best effort, for the report)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    aliases = {alias.casefold() for alias in CSV_COLUMNS["list"]}
    index = next((i for i, cell in enumerate(header) if cell.strip().casefold() in aliases), None)
    if index is None:
        return []
    errors = []
    last_line = reader.line_num
    for cells in reader:
        line, last_line = last_line + 1, reader.line_num
        if index < len(cells):
            kind = list_kind_from_text(cells[index]) if cells[index].strip() else None
            if kind is not None and kind != list_kind:
                errors.append(
                    RowError(
                        line,
                        N_("该行属于“%(row_list)s”，不是所导入的“%(list)s”。"),
                        {"row_list": LIST_KINDS[kind], "list": LIST_KINDS[list_kind]},
                    )
                )
    return errors


def latest_versions() -> dict[str, BlacklistImport]:
    """The newest import of each list kind that has one."""
    latest: dict[str, BlacklistImport] = {}
    for version in db.session.scalars(
        sa.select(BlacklistImport).order_by(BlacklistImport.imported_at.desc(), BlacklistImport.id.desc())
    ):
        latest.setdefault(version.list_kind, version)
    return latest


def versions_by_id(ids) -> dict[int, BlacklistImport]:
    """The list versions with these ids (for showing a check's evidence)."""
    ids = [int(i) for i in ids]
    if not ids:
        return {}
    return {v.id: v for v in db.session.scalars(sa.select(BlacklistImport).where(BlacklistImport.id.in_(ids)))}


def check_registration_credit(uscc: str, name: str, on: date | None = None) -> CreditCheck:
    """Check a supplier's USCC and name against the latest version of every list.

    ``on`` (default: today in Beijing time) decides which entries are in force. Entries are
    pre-selected in SQL by USCC or normalised name; the domain decides what counts as a hit.
    """
    on = on or beijing(clock.now()).date()
    versions = latest_versions()
    list_versions = {kind: version.id for kind, version in versions.items()}
    if not versions:
        return CreditCheck((), {})
    try:
        compact = validate_uscc(uscc or "")
    except InvalidIdentifier:
        compact = (uscc or "").strip().upper()
    wanted_name = normalise_name(name or "")
    matches = []
    if compact:
        matches.append(BlacklistEntry.uscc == compact)
    if wanted_name:
        matches.append(BlacklistEntry.normalised_name == wanted_name)
    if not matches:
        return CreditCheck((), list_versions)
    entries = db.session.scalars(
        sa.select(BlacklistEntry)
        .where(BlacklistEntry.import_id.in_(list_versions.values()), sa.or_(*matches))
        .order_by(BlacklistEntry.id)
    ).all()
    return CreditCheck(check_credit(uscc or "", name or "", entries, on), list_versions)


def entries_of(version: BlacklistImport) -> list[BlacklistEntry]:
    """A version's entries in file order."""
    query = sa.select(BlacklistEntry).where(BlacklistEntry.import_id == version.id).order_by(BlacklistEntry.id)
    return list(db.session.scalars(query))
