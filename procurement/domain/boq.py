"""The bill of quantities (采购清单) read from a spreadsheet: every bad row named, all or nothing."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, NamedTuple, Sequence

from procurement.domain import DomainError, N_
from procurement.domain.money import AmountError, parse_amount, parse_quantity

# Accepted header spellings, English or Chinese, for each column.
COLUMNS = {
    "name": ("name", "item", "品名", "名称", "货物名称"),
    "specification": ("specification", "spec", "规格", "规格型号"),
    "unit": ("unit", "单位"),
    "quantity": ("quantity", "qty", "数量", "预估数量"),
    "ceiling_unit_price": ("ceiling_unit_price", "ceiling", "最高限价", "最高单价", "限价"),
}
REQUIRED = ("name", "unit", "quantity")
MAX_ROWS = 500


@dataclass(frozen=True)
class BoqRow:
    """One valid line, as read."""

    line: int
    name: str
    specification: str
    unit: str
    quantity: Decimal
    ceiling_unit_price: Decimal | None


class RowError(NamedTuple):
    """A bad row: its line number (the header is line 1), a message template, params."""

    line: int
    message: str
    params: dict


class BoqImportError(DomainError):
    """The file has bad rows; ``errors`` lists every one, and nothing is imported."""

    code = "boq_import_invalid"

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__(N_("采购清单有 %(count)s 处错误，未导入任何一行。"), count=len(errors))
        self.errors = list(errors)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # openpyxl gives floats for numeric cells; repr keeps what Excel showed (12.5, not 12.4999...).
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def parse_boq_rows(rows: Iterable[Sequence[object]]) -> list[BoqRow]:
    """Read header + data rows (from CSV or XLSX cells); :raise BoqImportError: listing every bad row."""
    iterator = iter(rows)
    try:
        header = [_cell(value).lstrip("\ufeff").casefold() for value in next(iterator)]
    except StopIteration:
        raise BoqImportError([RowError(1, N_("文件是空的。"), {})])
    positions: dict[str, int] = {}
    for key, aliases in COLUMNS.items():
        for index, title in enumerate(header):
            if title in {alias.casefold() for alias in aliases}:
                positions[key] = index
                break
    missing = [key for key in REQUIRED if key not in positions]
    if missing:
        return _raise_header(missing)
    errors: list[RowError] = []
    result: list[BoqRow] = []
    for line, raw in enumerate(iterator, start=2):
        cells = [_cell(value) for value in raw]
        if not any(cells):
            continue  # blank lines are not rows
        get = lambda key: cells[positions[key]] if key in positions and positions[key] < len(cells) else ""  # noqa: E731
        row_errors: list[RowError] = []
        name, unit = get("name"), get("unit")
        if not name:
            row_errors.append(RowError(line, N_("第 %(line)s 行：缺少品名。"), {"line": line}))
        if not unit:
            row_errors.append(RowError(line, N_("第 %(line)s 行：缺少单位。"), {"line": line}))
        quantity = ceiling = None
        try:
            quantity = parse_quantity(get("quantity"))
        except AmountError as error:
            row_errors.append(RowError(line, N_("第 %(line)s 行，数量：") + error.message, {"line": line, **error.params}))
        if get("ceiling_unit_price"):
            try:
                ceiling = parse_amount(get("ceiling_unit_price"))
            except AmountError as error:
                row_errors.append(RowError(line, N_("第 %(line)s 行，最高限价：") + error.message, {"line": line, **error.params}))
        if len(name) > 200 or len(unit) > 20 or len(get("specification")) > 300:
            row_errors.append(RowError(line, N_("第 %(line)s 行：内容过长。"), {"line": line}))
        if row_errors:
            errors.extend(row_errors)
        else:
            result.append(BoqRow(line, name, get("specification"), unit, quantity, ceiling))
    if not result and not errors:
        errors.append(RowError(1, N_("文件中没有任何清单行。"), {}))
    if len(result) > MAX_ROWS:
        errors.append(RowError(1, N_("清单最多 %(max)s 行。"), {"max": MAX_ROWS}))
    if errors:
        raise BoqImportError(errors)
    return result


def _raise_header(missing: list[str]):
    labels = {"name": N_("品名"), "unit": N_("单位"), "quantity": N_("数量")}
    raise BoqImportError(
        [
            RowError(
                1,
                N_("表头缺少列：%(columns)s（应含 品名、规格型号、单位、数量、最高限价）。"),
                {"columns": [{"message": labels[m]} for m in missing]},  # translated where shown
            )
        ]
    )
