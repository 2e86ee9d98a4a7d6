"""Sealed quotes (密封报价): price a quote sheet, submit, revise and withdraw before the deadline.

What is stored, and what is not (design.md §6):

- A submission is sealed at once with the project's public key (``domain.sealing``); the row keeps
  only the sealed bytes and their receipt hash (SHA-256). No plaintext amount is ever written: not
  to a table, an audit event, a flash message (the session cookie), a log line or a file. An
  uploaded XLSX sheet is read in memory and dropped, never saved.
- The supplier sees its amounts on the review step before confirming (and may download a filled
  copy of its sheet there, generated into the response only). Between entering and confirming the
  prices wait in an encrypted draft row, deleted on confirm and withdraw (``services.quote_drafts``
  explains why that keeps the sealing rule). After confirming, nobody, the
  supplier included, can read the amounts until the opening: the receipt carries the project,
  supplier, version, server time and the SHA-256, and no amount.

Concurrency: every change locks the registration row (``SELECT ... FOR UPDATE`` on PostgreSQL;
SQLite transactions are ``BEGIN IMMEDIATE``, so the whole write is serialised), reads the clock
*after* taking the lock, and moves ``is_current`` inside that transaction; the partial unique index
``uq_sealed_quote_one_current`` guarantees at most one current version whatever happens. The
opening locks the same rows, so a submission accepted before the deadline is always committed
before the opening reads the quotes.
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.money import AMOUNT_LIMIT, AmountError, QuoteLine, check_ceiling, format_yuan, parse_amount, quote_total
from procurement.domain.sealing import encode_quote, receipt_hash, seal
from procurement.extensions import db
from procurement.models import (
    KIND_QUOTE,
    KIND_WITHDRAWAL,
    REG_ACCEPTED,
    STATUS_CANCELLED,
    STATUS_PUBLISHED,
    BoqItem,
    GeneratedDocument,
    Project,
    Registration,
    SealedQuote,
)
from procurement.services import ServiceError, quote_drafts
from procurement.queries.lookups import supplier_name  # noqa: F401  (re-exported)

#: Upper bounds for an uploaded quote sheet, as sent and unzipped; the sheet the page hands out is
#: a few KB either way.
MAX_SHEET_BYTES = 1024 * 1024
MAX_SHEET_EXPANDED = 20 * 1024 * 1024
#: Layout of the XLSX sheet: the header row, the first line row, and the columns.
SHEET_HEADER_ROW = 4
SHEET_FIRST_ROW = 5
SHEET_CODE_CELL = "B2"
COL_POSITION, COL_NAME, COL_SPEC, COL_UNIT, COL_QUANTITY, COL_CEILING, COL_PRICE, COL_TOTAL = "ABCDEFGH"
SHEET_HEADERS = ("序号", "品名", "规格型号", "单位", "数量", "最高限价（元）", "报价单价（元）", "小计（元）")


# --------------------------------------------------------------------------------------------
# Pricing a sheet (no database writes)
# --------------------------------------------------------------------------------------------


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
    return _check_prices(project, prices)


def _check_prices(project: Project, prices: Mapping[int, Decimal]) -> PricedSheet:
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


# --------------------------------------------------------------------------------------------
# The XLSX sheet: download a blank (or the supplier's own filled) sheet, read an uploaded one
# --------------------------------------------------------------------------------------------


def sheet_xlsx(project: Project, company_name: str, prices: Mapping[int, Decimal] | None = None) -> bytes:
    """The quote sheet as an XLSX workbook; only the unit-price column is editable.

    With ``prices`` the sheet comes filled in (the supplier's own copy, made into the response
    only, never stored).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter

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


def _cell_label(column: str, row: int) -> str:
    return f"第{row}行 {column}列"


def _cell_text(value: object) -> str | None:
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


def price_sheet_from_xlsx(project: Project, data: bytes) -> PricedSheet:
    """Read an uploaded quote sheet (in memory; it is never stored) and price it.

    Every refused cell is named by row and column (``第5行 G列``).

    :raise ServiceError: the file is not a readable XLSX sheet of this project (field ``file``).
    :raise QuoteSheetInvalid: listing every bad cell.
    """
    from openpyxl import load_workbook

    unreadable = ServiceError(
        N_("无法读取该文件。请上传从本页面下载、用 Excel 或 WPS 填写并保存的 .xlsx 报价单。"), "sheet_unreadable", field="file"
    )
    if len(data) > MAX_SHEET_BYTES:
        raise ServiceError(N_("文件过大：报价单不能超过 1 MB。"), "file_too_large", field="file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise unreadable from error
    if expanded > MAX_SHEET_EXPANDED:  # a small file that inflates to gigabytes is not a quote sheet
        raise unreadable
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise unreadable from error
    try:
        sheet = book.worksheets[0]
        rows = {
            index: row
            for index, row in enumerate(
                sheet.iter_rows(min_row=1, max_row=SHEET_FIRST_ROW + len(project.items) - 1, max_col=8, values_only=True),
                start=1,
            )
        }
    except Exception as error:
        raise unreadable from error
    finally:
        book.close()

    def cell(column: str, row: int) -> object:
        values = rows.get(row) or ()
        index = "ABCDEFGH".index(column)
        return values[index] if index < len(values) else None

    code = cell(SHEET_CODE_CELL[0], int(SHEET_CODE_CELL[1:]))
    if str(code or "").strip() != project.code:
        raise ServiceError(
            N_("这不是本项目（%(project_code)s）的报价单：%(cell)s 的项目编号不符。请重新下载本项目的报价单填写。"),
            "sheet_other_project",
            field="file",
            project_code=project.code,
            cell=_cell_label(SHEET_CODE_CELL[0], int(SHEET_CODE_CELL[1:])),
        )
    errors: list[SheetError] = []
    prices: dict[int, Decimal] = {}
    for offset, item in enumerate(project.items):
        row = SHEET_FIRST_ROW + offset
        position = cell(COL_POSITION, row)
        if _cell_text(position) not in (str(item.position), f"{item.position}.0") or str(cell(COL_NAME, row) or "").strip() != item.name:
            errors.append(
                SheetError(
                    item.id,
                    N_("该行应为第%(position)s项“%(name)s”，与采购清单不一致；请勿增删或移动行。"),
                    {"position": item.position, "name": item.name},
                    cell=_cell_label(COL_POSITION, row),
                )
            )
            continue
        text = _cell_text(cell(COL_PRICE, row))
        if text is None:
            errors.append(
                SheetError(item.id, N_("请输入金额，例如 1234.50。"), {}, cell=_cell_label(COL_PRICE, row))
            )
            continue
        price, error = _line_error(item, text)
        if error is not None:
            errors.append(SheetError(item.id, error.message, error.params, cell=_cell_label(COL_PRICE, row)))
        else:
            prices[item.id] = price
    if errors:
        raise QuoteSheetInvalid(errors)
    return _priced(list(project.items), prices)


# --------------------------------------------------------------------------------------------
# Submitting, revising, withdrawing
# --------------------------------------------------------------------------------------------


def deadline_text(project: Project) -> str:
    """The deadline as the notice writes it: 2025年1月2日16点00分 (Beijing time)."""
    from procurement.formatting import cn_clock

    return cn_clock(project.opening_at)


def _deadline_passed(project: Project) -> ServiceError:
    return ServiceError(
        N_("报价截止时间（%(deadline)s，北京时间）已到，不再接受报价、修改或撤回。"),
        "deadline_passed",
        deadline=deadline_text(project),
    )


def refusal(registration: Registration | None, now: datetime | None = None) -> ServiceError | None:
    """Why this registration may not submit, revise or withdraw now, or ``None`` when it may.

    Used to shape pages; the submission itself decides again inside its locked transaction.
    """
    if registration is None or registration.status != REG_ACCEPTED:
        return ServiceError(N_("报名审核通过后才能报价。"), "not_accepted")
    project = registration.project
    if project.status == STATUS_CANCELLED:
        return ServiceError(N_("该项目已终止，不再接受报价。"), "project_cancelled")
    now = now or clock.now()
    if project.status != STATUS_PUBLISHED or now >= project.opening_at:
        return _deadline_passed(project)
    return None


def _lock_registration(registration_id: int) -> Registration:
    """Lock the registration row for this transaction and return it fresh from the database."""
    registration = db.session.execute(
        sa.select(Registration)
        .where(Registration.id == registration_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if registration is None:
        raise ServiceError(N_("报名不存在。"), "no_registration")
    # The project's status and deadline decide too; read them fresh (an opening or an amendment
    # may have committed since the request first loaded the project).
    db.session.refresh(registration.project, ["status", "opening_at"])
    return registration


def latest_version(registration_id: int) -> SealedQuote | None:
    """The newest version (quote or withdrawal) of a registration's quote, if any."""
    return db.session.scalar(
        sa.select(SealedQuote)
        .where(SealedQuote.registration_id == registration_id)
        .order_by(SealedQuote.version.desc())
        .limit(1)
    )


def current_quote(registration_id: int) -> SealedQuote | None:
    """The version that counts now (``None`` before the first submission and after a withdrawal)."""
    return db.session.scalar(
        sa.select(SealedQuote).where(SealedQuote.registration_id == registration_id, SealedQuote.is_current.is_(True))
    )


def versions(registration_id: int) -> list[SealedQuote]:
    """Every version of a registration's quote, oldest first."""
    return list(
        db.session.scalars(
            sa.select(SealedQuote).where(SealedQuote.registration_id == registration_id).order_by(SealedQuote.version)
        )
    )


class StaleVersion(ServiceError):
    """The page was made for an older version: a double click, or another window submitted first."""

    code = "stale_version"

    def __init__(self, latest: SealedQuote) -> None:
        super().__init__(
            N_("您的报价在此期间已有更新（当前为第%(version)s版），本次操作未重复生效。请核对当前报价的回执；如需修改，请重新填写。"),
            "stale_version",
            version=latest.version,
        )
        self.latest = latest


def _begin_change(registration_id: int, expected_version: int | None) -> tuple[Registration, datetime, SealedQuote | None]:
    """Lock, then check the rules at the clock read *after* the lock; return (registration, now, latest)."""
    registration = _lock_registration(registration_id)
    now = clock.now()
    refused = refusal(registration, now)
    if refused is not None:
        raise refused
    latest = latest_version(registration.id)
    if expected_version is not None and (latest.version if latest else 0) != expected_version:
        raise StaleVersion(latest) if latest else ServiceError(N_("报价状态已变化，请刷新页面。"), "stale_version")
    return registration, now, latest


def submit_quote(registration_id: int, prices: Mapping[int, Decimal], actor, *, expected_version: int | None = None) -> SealedQuote:
    """Seal and store a new version of the quote; it becomes the current one.

    ``prices`` maps every bill-of-quantities item id to its unit price. ``expected_version`` is
    the latest version number the supplier's page showed (0 for none): a page made for an older
    version (a double click, a second window) is refused instead of stored twice.

    :raise ServiceError: not accepted, past the deadline (at the deadline instant too), project
        not open for quotes, or a stale page (:class:`StaleVersion`).
    :raise QuoteSheetInvalid: a price breaks the sheet's rules.
    """
    registration, now, latest = _begin_change(registration_id, expected_version)
    project = registration.project
    sheet = _check_prices(project, prices)
    version = (latest.version if latest else 0) + 1
    payload = encode_quote(
        sorted(sheet.prices().items()),
        project_id=project.id,
        registration_id=registration.id,
        version=version,
        submitted_at=now,
    )
    sealed = seal(project.public_key, payload)
    replaces = current_quote(registration.id)
    # Core UPDATE runs now, before the INSERT below is flushed: never two current rows.
    db.session.execute(
        sa.update(SealedQuote)
        .where(SealedQuote.registration_id == registration.id, SealedQuote.is_current.is_(True))
        .values(is_current=False)
    )
    quote = SealedQuote(
        registration_id=registration.id,
        version=version,
        kind=KIND_QUOTE,
        sealed=sealed,
        receipt_hash=receipt_hash(sealed),
        submitted_at=now,
        submitted_by_id=actor.id,
        is_current=True,
    )
    db.session.add(quote)
    db.session.flush()
    quote_drafts.discard(registration.id)  # the reviewed prices are sealed now: the draft goes
    audit.record(
        "quote.revise" if replaces is not None else "quote.submit",
        quote,
        project_id=project.id,
        details={
            "version": version,
            "receipt_hash": quote.receipt_hash,
            "replaces_version": replaces.version if replaces is not None else None,
            "lines": len(sheet.lines),
        },
        actor=actor,
    )
    db.session.commit()
    return quote


def withdraw_quote(registration_id: int, actor, *, expected_version: int | None = None) -> SealedQuote:
    """Withdraw the current quote: a new version of kind ``withdrawal``; no current quote remains.

    :raise ServiceError: nothing to withdraw, past the deadline, or a stale page.
    """
    registration, now, latest = _begin_change(registration_id, expected_version)
    current = current_quote(registration.id)
    if current is None:
        raise ServiceError(N_("当前没有可撤回的报价。"), "nothing_to_withdraw")
    withdrawal = _withdraw(registration, current, latest, now, actor, {"withdrawn_receipt_hash": current.receipt_hash})
    db.session.commit()
    return withdrawal


def _withdraw(registration: Registration, current: SealedQuote, latest: SealedQuote, now: datetime, actor, details: dict) -> SealedQuote:
    """Add the withdrawal version and clear ``is_current`` (no commit)."""
    db.session.execute(
        sa.update(SealedQuote)
        .where(SealedQuote.registration_id == registration.id, SealedQuote.is_current.is_(True))
        .values(is_current=False)
    )
    withdrawal = SealedQuote(
        registration_id=registration.id,
        version=latest.version + 1,
        kind=KIND_WITHDRAWAL,
        sealed=None,
        receipt_hash=None,
        submitted_at=now,
        submitted_by_id=actor.id,
        is_current=False,
    )
    db.session.add(withdrawal)
    db.session.flush()
    quote_drafts.discard(registration.id)
    audit.record(
        "quote.withdraw",
        withdrawal,
        project_id=registration.project_id,
        details={"version": withdrawal.version, "withdrawn_version": current.version, **details},
        actor=actor,
    )
    return withdrawal


# --------------------------------------------------------------------------------------------
# What a page shows: the supplier's own status, receipts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteStatus:
    """A registration's quote as its supplier's pages show it (never an amount)."""

    registration: Registration | None
    current: SealedQuote | None
    versions: tuple[SealedQuote, ...]
    refusal: ServiceError | None

    @property
    def can_change(self) -> bool:
        """Whether submitting, revising or withdrawing is possible now."""
        return self.refusal is None

    @property
    def latest_version(self) -> int:
        """The newest version number, 0 when none (what forms send back as ``expected_version``)."""
        return self.versions[-1].version if self.versions else 0

    @property
    def withdrawn(self) -> bool:
        """Whether the newest version is a withdrawal."""
        return bool(self.versions) and self.versions[-1].kind == KIND_WITHDRAWAL


def status_for(registration: Registration | None) -> QuoteStatus:
    """The quote status of a supplier's registration (``None``: not registered)."""
    if registration is None:
        return QuoteStatus(None, None, (), refusal(None))
    history = tuple(versions(registration.id))
    current = next((v for v in history if v.is_current), None)
    return QuoteStatus(registration, current, history, refusal(registration))


def get_version(registration: Registration, version: int) -> SealedQuote | None:
    """One version of a registration's quote."""
    return db.session.scalar(
        sa.select(SealedQuote).where(SealedQuote.registration_id == registration.id, SealedQuote.version == version)
    )


def receipt_title(project: Project, quote: SealedQuote) -> str:
    """The receipt's title; it also names the stored PDF of that version."""
    label = "报价撤回回执" if quote.kind == KIND_WITHDRAWAL else "密封报价回执"
    return f"{project.code} {label}（第{quote.version}版）"


def receipt_document(quote: SealedQuote) -> GeneratedDocument:
    """The receipt PDF of one version, issued on first request and then served byte for byte.

    It carries no amount (see the module docstring), so storing it is safe.
    """
    registration = quote.registration
    project = registration.project
    title = receipt_title(project, quote)
    document = db.session.scalar(
        sa.select(GeneratedDocument).where(
            GeneratedDocument.kind == "receipt",
            GeneratedDocument.registration_id == registration.id,
            GeneratedDocument.title == title,
        )
    )
    if document is None:
        from procurement.services import documents

        document = documents.issue(
            "receipt",
            "documents/receipt.html",
            title=title,
            subject=f"{project.code} 报价回执",
            project=project,
            registration=registration,
            supersede=False,
            quote=quote,
            company_name=supplier_name(registration),
            quote_server_time=server_time_text,
        )
        db.session.commit()
    return document


def server_time_text(moment: datetime) -> str:
    """A receipt's server time to the second, Beijing time: 2025年1月2日 15:59:59."""
    from procurement.domain.schedule import beijing

    local = beijing(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"


def received_count(project: Project) -> int:
    """How many registrations hold a current sealed quote (for buyer staff; no names, no amounts)."""
    return db.session.scalar(
        sa.select(sa.func.count(SealedQuote.id))
        .join(Registration, Registration.id == SealedQuote.registration_id)
        .where(Registration.project_id == project.id, SealedQuote.is_current.is_(True))
    ) or 0


__all__ = [
    "PricedLine",
    "PricedSheet",
    "QuoteSheetInvalid",
    "QuoteStatus",
    "SheetError",
    "StaleVersion",
    "current_quote",
    "deadline_text",
    "get_version",
    "latest_version",
    "price_sheet",
    "price_sheet_from_xlsx",
    "priced_sheet",
    "receipt_document",
    "receipt_title",
    "received_count",
    "refusal",
    "server_time_text",
    "sheet_xlsx",
    "status_for",
    "submit_quote",
    "supplier_name",
    "versions",
    "withdraw_quote",
]


def withdraw_after_rejection(registration: Registration, now: datetime, actor) -> SealedQuote | None:
    """A registration that is no longer accepted loses its live quote (a withdrawal version).

    Called by the registration service when a resubmission fails the checks: a quote from a
    supplier that may not quote must neither stay current nor be opened. The caller commits.
    """
    current = current_quote(registration.id)
    if current is None:
        return None
    return _withdraw(registration, current, latest_version(registration.id), now, actor, {"reason": "registration_rejected"})
