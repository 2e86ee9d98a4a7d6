"""The quote sheet as an XLSX workbook: the blank (or the supplier's own filled) sheet to download,
and reading an uploaded one in memory (it is never stored).

Only the layout lives here; the pricing rules that judge what a cell holds are in
``services.quote_pricing``.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter

from procurement.domain.uploads import MAX_SHEET_BYTES  # noqa: F401 - the quote sheet's upload limit
from procurement.models import Project

#: Upper bounds for an uploaded quote sheet, as sent and unzipped; the sheet the page hands out is
#: a few KB either way.
MAX_SHEET_EXPANDED = 20 * 1024 * 1024
#: Layout of the XLSX sheet: the header row, the first line row, and the columns.
SHEET_HEADER_ROW = 4
SHEET_FIRST_ROW = 5
SHEET_CODE_CELL = "B2"
COL_POSITION, COL_NAME, COL_SPEC, COL_UNIT, COL_QUANTITY, COL_CEILING, COL_PRICE, COL_TOTAL = "ABCDEFGH"
SHEET_HEADERS = ("序号", "品名", "规格型号", "单位", "数量", "最高限价（元）", "报价单价（元）", "小计（元）")


class UnreadableSheet(Exception):
    """The upload is not a readable XLSX workbook (or inflates beyond any quote sheet)."""


def sheet_xlsx(project: Project, company_name: str, prices: Mapping[int, Decimal] | None = None) -> bytes:
    """The quote sheet as an XLSX workbook; only the unit-price column is editable.

    With ``prices`` the sheet comes filled in (the supplier's own copy, made into the response
    only, never stored).
    """
    book = Workbook()
    sheet = book.active
    sheet.title = "报价单"
    sheet["A1"] = f"{project.title} 报价单"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = "项目编号"
    sheet[SHEET_CODE_CELL] = project.code
    sheet["D2"] = "供应商"
    sheet["E2"] = company_name
    sheet["A3"] = (
        f"请只在“{SHEET_HEADERS[6]}”一列（{COL_PRICE}列）填写单价（元，最多两位小数，不得超过最高限价），"
        "其他单元格请勿修改；填好后在报价页面上传，系统会计算合计并请您核对确认。"
    )
    for index, header in enumerate(SHEET_HEADERS, start=1):
        cell = sheet.cell(row=SHEET_HEADER_ROW, column=index, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
    editable = PatternFill("solid", fgColor="FFF2CC")
    row = SHEET_FIRST_ROW
    for item in project.items:
        sheet[f"{COL_POSITION}{row}"] = item.position
        sheet[f"{COL_NAME}{row}"] = item.name
        sheet[f"{COL_SPEC}{row}"] = item.specification
        sheet[f"{COL_UNIT}{row}"] = item.unit
        sheet[f"{COL_QUANTITY}{row}"] = item.quantity
        sheet[f"{COL_CEILING}{row}"] = item.ceiling_unit_price if item.ceiling_unit_price is not None else "不限"
        price_cell = sheet[f"{COL_PRICE}{row}"]
        if prices is not None and item.id in prices:
            price_cell.value = prices[item.id]
        price_cell.number_format = "0.00"
        price_cell.fill = editable
        price_cell.protection = Protection(locked=False)
        total_cell = sheet[f"{COL_TOTAL}{row}"]
        total_cell.value = f"=IF({COL_PRICE}{row}=\"\",\"\",ROUND({COL_QUANTITY}{row}*{COL_PRICE}{row},2))"
        total_cell.number_format = "0.00"
        row += 1
    sheet[f"{COL_PRICE}{row}"] = "合计"
    sheet[f"{COL_TOTAL}{row}"] = f"=SUM({COL_TOTAL}{SHEET_FIRST_ROW}:{COL_TOTAL}{row - 1})"
    sheet[f"{COL_TOTAL}{row}"].number_format = "0.00"
    for index, width in enumerate((6, 22, 22, 8, 10, 14, 16, 14), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet["A3"].alignment = Alignment(wrap_text=True)
    sheet.merge_cells(f"A3:{COL_TOTAL}3")
    sheet.row_dimensions[3].height = 36
    sheet.protection.sheet = True  # no password: it only keeps a slip from editing the wrong column
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def cell_label(column: str, row: int) -> str:
    """How a message names a cell: 第5行 G列."""
    return f"第{row}行 {column}列"


def cell_text(value: object) -> str | None:
    """A cell value as the text the supplier meant, or ``None`` when it cannot be a price."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float: 27.13, not 27.129999...
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return value
    return None  # a date, a time, an error value


class UploadedSheet:
    """The first rows of an uploaded sheet's first worksheet, values only, read in memory."""

    def __init__(self, rows: dict[int, tuple]) -> None:
        self._rows = rows

    def cell(self, column: str, row: int) -> object:
        """The value of one cell (``None`` when empty or beyond what was read)."""
        values = self._rows.get(row) or ()
        index = "ABCDEFGH".index(column)
        return values[index] if index < len(values) else None


def read_sheet(data: bytes, lines: int) -> UploadedSheet:
    """Read the header and ``lines`` line rows of an uploaded XLSX sheet (never stored).

    :raise UnreadableSheet: not a workbook, or one that unzips to more than any quote sheet.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise UnreadableSheet() from error
    if expanded > MAX_SHEET_EXPANDED:  # a small file that inflates to gigabytes is not a quote sheet
        raise UnreadableSheet()
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableSheet() from error
    try:
        sheet = book.worksheets[0]
        rows = {
            index: row
            for index, row in enumerate(
                sheet.iter_rows(min_row=1, max_row=SHEET_FIRST_ROW + lines - 1, max_col=8, values_only=True), start=1
            )
        }
    except Exception as error:
        raise UnreadableSheet() from error
    finally:
        book.close()
    return UploadedSheet(rows)
