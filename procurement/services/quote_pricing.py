"""Pricing a quote sheet (no database writes): typed prices, a stored review draft, or an uploaded
XLSX sheet, each checked line by line against the bill of quantities and its ceilings, totals in Decimal.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from procurement.documents.quote_sheet import (
    COL_NAME,
    COL_POSITION,
    COL_PRICE,
    MAX_SHEET_BYTES,
    SHEET_CODE_CELL,
    SHEET_FIRST_ROW,
    UnreadableSheet,
    cell_label,
    cell_text,
    read_sheet,
)
from procurement.domain import N_
from procurement.domain.money import AMOUNT_LIMIT, AmountError, QuoteLine, check_ceiling, format_yuan, parse_amount, quote_total
from procurement.domain.uploads import SHEET_TYPES
from procurement.models import BoqItem, Project
from procurement.services import ServiceError
from procurement.services.uploads import check_bytes


@dataclass(frozen=True)
class PricedLine:
    """One bill-of-quantities line with the supplier's unit price and the computed line total."""

    item_id: int
    position: int
    name: str
    specification: str
    unit: str
    quantity: Decimal
    ceiling_unit_price: Decimal | None
    unit_price: Decimal
    total: Decimal


@dataclass(frozen=True)
class PricedSheet:
    """A complete, valid quote sheet: every line priced, totals computed in Decimal."""

    lines: tuple[PricedLine, ...]
    total: Decimal

    def prices(self) -> dict[int, Decimal]:
        """``{item_id: unit_price}``, what :func:`submit_quote` takes."""
        return {line.item_id: line.unit_price for line in self.lines}


@dataclass(frozen=True)
class SheetError:
    """One refused price: which line (and, for an uploaded sheet, which cell) and why."""

    item_id: int | None
    message: str
    params: Mapping[str, object]
    cell: str | None = None


class QuoteSheetInvalid(ServiceError):
    """The sheet has one or more refused prices; ``errors`` lists each, line by line."""

    code = "sheet_invalid"

    def __init__(self, errors: list[SheetError]) -> None:
        super().__init__(N_("报价单有 %(n)s 处需要修改，请按提示修改后重新提交。"), "sheet_invalid", n=len(errors))
        self.errors = errors


def _line_error(item: BoqItem, text: str) -> tuple[Decimal | None, SheetError | None]:
    """Parse one typed unit price for ``item``; return the price or the error naming the line."""
    try:
        price = parse_amount(text)
    except AmountError as error:
        return None, SheetError(item.id, error.message, dict(error.params))
    if not check_ceiling(price, item.ceiling_unit_price):
        return None, SheetError(
            item.id,
            N_("第%(position)s项“%(name)s”的单价超过最高限价 %(ceiling)s，不能提交。"),
            {"position": item.position, "name": item.name, "ceiling": format_yuan(item.ceiling_unit_price)},
        )
    return price, None


def _priced(items: list[BoqItem], prices: Mapping[int, Decimal]) -> PricedSheet:
    lines = []
    for item in items:
        price = prices[item.id]
        line = QuoteLine(item_id=item.id, quantity=item.quantity, unit_price=price)
        lines.append(
            PricedLine(
                item_id=item.id,
                position=item.position,
                name=item.name,
                specification=item.specification,
                unit=item.unit,
                quantity=item.quantity,
                ceiling_unit_price=item.ceiling_unit_price,
                unit_price=price,
                total=line.total,
            )
        )
    total = quote_total(QuoteLine(item_id=l.item_id, quantity=l.quantity, unit_price=l.unit_price) for l in lines)
    # Totals must fit the notices (amounts in words stop below 10^12) and NUMERIC(14, 2).
    too_large = [
        SheetError(l.item_id, N_("第%(position)s项“%(name)s”的小计过大（必须小于一万亿元），请核对单价。"), {"position": l.position, "name": l.name})
        for l in lines
        if l.total >= AMOUNT_LIMIT
    ]
    if not too_large and total >= AMOUNT_LIMIT and lines:
        last = lines[-1]
        too_large.append(SheetError(last.item_id, N_("报价总价过大（必须小于一万亿元），请核对单价。"), {}))
    if too_large:
        raise QuoteSheetInvalid(too_large)
    return PricedSheet(lines=tuple(lines), total=total)


def price_sheet(project: Project, texts: Mapping[int, str]) -> PricedSheet:
    """Read one typed unit price per bill-of-quantities line and compute the totals.

    ``texts`` maps item id to what the supplier typed. A price must be a positive amount with at
    most two decimals and must not exceed the line's ceiling unit price.

    :raise QuoteSheetInvalid: listing every refused line (a missing line counts as empty).
    """
    errors: list[SheetError] = []
    prices: dict[int, Decimal] = {}
    for item in project.items:
        price, error = _line_error(item, texts.get(item.id) or "")
        if error is not None:
            errors.append(error)
        else:
            prices[item.id] = price
    if errors:
        raise QuoteSheetInvalid(errors)
    return _priced(list(project.items), prices)


def priced_sheet(project: Project, prices: Mapping[int, Decimal]) -> PricedSheet:
    """Price ``{item_id: Decimal}`` (a stored review draft) by the same rules as :func:`price_sheet`.

    :raise ServiceError: the prices do not cover exactly the project's lines (``lines_mismatch``).
    :raise QuoteSheetInvalid: a price breaks the sheet's rules (for example a ceiling amended since).
    """
    return check_prices(project, prices)


def check_prices(project: Project, prices: Mapping[int, Decimal]) -> PricedSheet:
    """The same rules as :func:`price_sheet` for Decimals handed to the service directly."""
    items = list(project.items)
    if set(prices) != {item.id for item in items}:
        raise ServiceError(N_("报价单必须对采购清单的每一项报出单价。"), "lines_mismatch")
    errors = []
    checked: dict[int, Decimal] = {}
    for item in items:
        if not isinstance(prices[item.id], Decimal):
            raise TypeError("unit prices must be Decimal")
        price, error = _line_error(item, str(prices[item.id]))
        if error is not None:
            errors.append(error)
        else:
            checked[item.id] = price
    if errors:
        raise QuoteSheetInvalid(errors)
    return _priced(items, checked)


def price_sheet_from_xlsx(project: Project, data: bytes, filename: str | None = None) -> PricedSheet:
    """Read an uploaded quote sheet (in memory; it is never stored) and price it.

    The file passes the upload checks first (a real XLSX workbook, no zip bomb, no macros; see
    ``documents.file_checks``). Every refused cell is named by row and column (``第5行 G列``).

    :raise ServiceError: the file is not a readable XLSX sheet of this project (field ``file``).
    :raise QuoteSheetInvalid: listing every bad cell.
    """
    unreadable = ServiceError(
        N_("无法读取该文件。请上传从本页面下载、用 Excel 或 WPS 填写并保存的 .xlsx 报价单。"), "sheet_unreadable", field="file"
    )
    try:
        check_bytes(data, filename, SHEET_TYPES, field="file", max_bytes=MAX_SHEET_BYTES)
    except ServiceError as refused:
        if refused.code in ("file_type", "ooxml_invalid"):  # not a workbook at all: say which file to upload
            raise unreadable from None
        raise
    try:
        sheet = read_sheet(data, len(project.items))
    except UnreadableSheet as error:
        raise unreadable from error
    code_column, code_row = SHEET_CODE_CELL[0], int(SHEET_CODE_CELL[1:])
    if str(sheet.cell(code_column, code_row) or "").strip() != project.code:
        raise ServiceError(
            N_("这不是本项目（%(project_code)s）的报价单：%(cell)s 的项目编号不符。请重新下载本项目的报价单填写。"),
            "sheet_other_project",
            field="file",
            project_code=project.code,
            cell=cell_label(code_column, code_row),
        )
    errors: list[SheetError] = []
    prices: dict[int, Decimal] = {}
    for row, item in enumerate(project.items, start=SHEET_FIRST_ROW):
        position = sheet.cell(COL_POSITION, row)
        if cell_text(position) not in (str(item.position), f"{item.position}.0") or str(sheet.cell(COL_NAME, row) or "").strip() != item.name:
            errors.append(
                SheetError(
                    item.id,
                    N_("该行应为第%(position)s项“%(name)s”，与采购清单不一致；请勿增删或移动行。"),
                    {"position": item.position, "name": item.name},
                    cell=cell_label(COL_POSITION, row),
                )
            )
            continue
        text = cell_text(sheet.cell(COL_PRICE, row))
        if text is None:
            errors.append(SheetError(item.id, N_("请输入金额，例如 1234.50。"), {}, cell=cell_label(COL_PRICE, row)))
            continue
        price, error = _line_error(item, text)
        if error is not None:
            errors.append(SheetError(item.id, error.message, error.params, cell=cell_label(COL_PRICE, row)))
        else:
            prices[item.id] = price
    if errors:
        raise QuoteSheetInvalid(errors)
    return _priced(list(project.items), prices)


__all__ = [
    "PricedLine",
    "PricedSheet",
    "QuoteSheetInvalid",
    "SheetError",
    "check_prices",
    "price_sheet",
    "price_sheet_from_xlsx",
    "priced_sheet",
]
