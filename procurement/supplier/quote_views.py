"""The supplier's sealed quote: fill the sheet (or upload it), review, confirm; revise, withdraw;
receipts (the opening record, after the opening, is in ``opening_record_views``).

Enter → review → confirm, as post/redirect/get so the back button never meets a "Confirm Form
Resubmission" page: entering (typed or uploaded) POSTs, keeps the prices as an encrypted review draft
(``services.quote_drafts``) and redirects to the GET review page, which shows the line totals and the
grand total in figures and in capital numerals; the confirm form carries only the draft's token.
Confirming seals the draft's prices, deletes the draft and redirects to the GET receipt. Back from
the receipt, the review page finds no draft and sends the supplier to the sheet with a note.
Pages that show the supplier's own amounts (review, sheet with the draft, the filled copy) are sent
``no-store``; nothing with an amount is flashed (flashes live in the session cookie), logged or
stored in plaintext. See ``services.quotes``.
"""
from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, user_logged_out

from procurement.auth.permissions import roles_required
from procurement.domain import DomainError
from procurement.models import KIND_QUOTE, Project, Registration
from procurement.services import ServiceError
from procurement.services import quote_drafts, quote_receipts, quotes
from procurement.supplier.loaders import get_public_project, own_registration
from procurement.supplier.quote_forms import QuoteConfirmForm, QuoteUploadForm, WithdrawForm, quote_form
from procurement.supplier.views import bp
from procurement.formatting import local_seconds, translate
from procurement.web import ascii_fallback, send_bytes, send_document

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _load(project_id: int) -> tuple[Project, Registration | None]:
    project = get_public_project(project_id)
    return project, own_registration(project)


def _refuse(project: Project, error: DomainError, category: str = "danger"):
    flash(translate(error.message, error.params), category)
    return redirect(url_for("supplier.project", project_id=project.id) + "#quote")


def _no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _sheet_page(project, registration, *, form=None, upload_form=None, prices=None, status: int = 200):
    """The quote sheet; ``prices`` (from the review draft) fill a fresh form, to edit them."""
    state = quotes.status_for(registration)
    if form is None:
        form = quote_form(project, formdata=None)
        if prices is not None:
            form.fill(prices)
        form.expected_version.data = str(state.latest_version)
    if upload_form is None:
        upload_form = QuoteUploadForm(formdata=None)
        upload_form.expected_version.data = form.expected_version.data
    html = render_template(
        "supplier/quote.html",
        project=project,
        registration=registration,
        state=state,
        form=form,
        upload_form=upload_form,
        deadline=quotes.deadline_text(project),
    )
    return _no_store((html, status))


# --- the review draft (post/redirect/get; see services.quote_drafts for why it is safe) ----------


def _session_draft_key(create: bool = False) -> str | None:
    """This browser session's half of the draft key (made on the first save)."""
    key = session.get(quote_drafts.SESSION_ENTRY)
    if not isinstance(key, str) and create:
        key = quote_drafts.new_session_key()
        session[quote_drafts.SESSION_ENTRY] = key
    return key if isinstance(key, str) else None


def _save_draft(registration, sheet: quotes.PricedSheet, expected_version: int) -> None:
    quote_drafts.save(registration, current_user.id, sheet.prices(), expected_version, _session_draft_key(create=True))


def _load_draft(registration):
    if registration is None:
        return None
    return quote_drafts.load(registration, current_user.id, _session_draft_key())


def _drop_drafts(registration) -> None:
    """A registration that may not quote (now) keeps no review draft."""
    if registration is not None and quote_drafts.count(registration.id):
        quote_drafts.discard(registration.id)


def _refused(project, registration, refused: ServiceError):
    _drop_drafts(registration)
    return _refuse(project, refused, "warning" if refused.code == "not_accepted" else "danger")


def _no_draft(project):
    """The review was confirmed, withdrawn, signed out of, or never made: say so, go to the sheet."""
    flash(
        _("没有待确认的报价。报价确认提交后，核对页即关闭，金额已加密密封、任何人都无法再查看；如需修改报价，请重新填写报价单。"),
        "info",
    )
    return redirect(url_for("supplier.quote_sheet", project_id=project.id))


def _stale(project, error: quotes.StaleVersion):
    flash(translate(error.message, error.params), "warning")
    if error.latest.kind == KIND_QUOTE:
        return redirect(url_for("supplier.quote_receipt", project_id=project.id, version=error.latest.version))
    return redirect(url_for("supplier.project", project_id=project.id) + "#quote")


def _sheet_with_errors(project, registration, prices, error: quotes.QuoteSheetInvalid, status: int):
    """The sheet filled with the draft's prices and each refused line's message beside it."""
    form = quote_form(project, formdata=None)
    form.fill(prices)
    form.expected_version.data = str(quotes.status_for(registration).latest_version)
    for line_error in error.errors:
        field = form.price_field(line_error.item_id)
        field.errors = list(field.errors) + [translate(line_error.message, dict(line_error.params))]
    return _sheet_page(project, registration, form=form, status=status)


def _review_page(project, registration, draft, *, form=None, status: int = 200):
    """Step 2 as a GET page: the draft's lines, line totals and total (figures and 人民币 words)."""
    try:
        sheet = quotes.priced_sheet(project, draft.prices)
    except quotes.QuoteSheetInvalid as error:  # e.g. a ceiling amended since the entry
        return _sheet_with_errors(project, registration, draft.prices, error, 200)
    except ServiceError as error:  # the bill of quantities no longer matches the draft
        _drop_drafts(registration)
        flash(translate(error.message, error.params), "warning")
        return redirect(url_for("supplier.quote_sheet", project_id=project.id))
    if form is None:
        form = QuoteConfirmForm(formdata=None)
    form.draft.data = draft.token
    form.expected_version.data = str(draft.expected_version)
    html = render_template(
        "supplier/quote_review.html",
        project=project,
        registration=registration,
        form=form,
        sheet=sheet,
        company_name=quotes.supplier_name(registration),
        deadline=quotes.deadline_text(project),
    )
    return _no_store((html, status))


@bp.route("/projects/<int:project_id>/quote")
@roles_required("supplier")
def quote_sheet(project_id: int):
    """Step 1: the quote sheet; coming back from the review ("返回修改") it shows the draft's prices."""
    project, registration = _load(project_id)
    refused = quotes.refusal(registration)
    if refused is not None and refused.code == "not_accepted":
        return _refused(project, registration, refused)
    if refused is not None:
        _drop_drafts(registration)
        state = quotes.status_for(registration)
        html = render_template(
            "supplier/quote.html", project=project, registration=registration, state=state, form=None, upload_form=None,
            deadline=quotes.deadline_text(project),
        )
        return html
    draft = _load_draft(registration)
    return _sheet_page(project, registration, prices=draft.prices if draft else None)


@bp.route("/projects/<int:project_id>/quote/review", methods=["GET", "POST"])
@roles_required("supplier")
def quote_review(project_id: int):
    """Step 2: POST the typed prices (kept as an encrypted draft), then GET the review page.

    An invalid sheet re-renders with each error beside its line (400); nothing is kept.
    """
    project, registration = _load(project_id)
    refused = quotes.refusal(registration)
    if refused is not None:
        return _refused(project, registration, refused)
    if request.method == "POST":
        form = quote_form(project)
        if not form.validate_on_submit():
            return _sheet_page(project, registration, form=form, status=400)
        _save_draft(registration, form.priced, form.version)
        return redirect(url_for("supplier.quote_review", project_id=project.id))
    draft = _load_draft(registration)
    if draft is None:
        return _no_draft(project)
    return _review_page(project, registration, draft)


@bp.route("/projects/<int:project_id>/quote/confirm", methods=["POST"])
@roles_required("supplier")
def quote_confirm(project_id: int):
    """Step 3: seal and store the reviewed draft as a new version; redirect to its receipt.

    The plain case is one command (``quotes.confirm_draft``: a fixed handful of statements, none
    after the commit); anything else is answered by :func:`_confirm_otherwise`.
    """
    form = QuoteConfirmForm()
    if form.validate_on_submit():
        try:
            confirmed = quotes.confirm_draft(project_id, current_user, form.draft.data, _session_draft_key())
        except quotes.NotConfirmed:
            pass
        else:
            return _confirmed(project_id, confirmed.version)
    return _confirm_otherwise(project_id, form)


def _confirmed(project_id: int, version: int):
    flash(_("报价已加密密封提交（第%(version)s版）。请下载并保存回执。", version=version), "success")
    return redirect(url_for("supplier.quote_receipt", project_id=project_id, version=version))


def _confirm_otherwise(project_id: int, form: QuoteConfirmForm):
    """The confirmation's full checks, each with its own answer: a refusal, an invalid form, no
    draft (confirmed already, or a stale page), another window's draft, a changed sheet."""
    project, registration = _load(project_id)
    refused = quotes.refusal(registration)
    if refused is not None:
        return _refused(project, registration, refused)
    draft = _load_draft(registration)
    if not form.validate_on_submit():
        if draft is None:
            return _no_draft(project)
        return _review_page(project, registration, draft, form=form, status=400)
    if draft is None:
        # Confirmed already (a double click, a second window) or the review is gone.
        latest = quotes.latest_version(registration.id)
        if latest is not None and latest.version != form.version:
            return _stale(project, quotes.StaleVersion(latest))
        return _no_draft(project)
    if draft.token != form.draft.data:
        flash(_("报价单已在其他窗口重新填写。请核对下列最新内容，确认无误后再提交。"), "warning")
        return redirect(url_for("supplier.quote_review", project_id=project.id))
    try:
        quote = quotes.submit_quote(registration.id, draft.prices, current_user, expected_version=draft.expected_version)
    except quotes.StaleVersion as error:
        _drop_drafts(registration)
        return _stale(project, error)
    except quotes.QuoteSheetInvalid as error:
        return _sheet_with_errors(project, registration, draft.prices, error, 400)
    except ServiceError as error:
        return _refused(project, registration, error)
    return _confirmed(project.id, quote.version)


@bp.route("/projects/<int:project_id>/quote/sheet.xlsx")
@roles_required("supplier")
def quote_sheet_xlsx(project_id: int):
    """The blank quote sheet as XLSX, to fill in offline and upload."""
    project, registration = _load(project_id)
    refused = quotes.refusal(registration)
    if refused is not None and refused.code == "not_accepted":
        return _refuse(project, refused, "warning")
    data = quotes.sheet_xlsx(project, quotes.supplier_name(registration))
    return send_bytes(data, XLSX_MIME, f"{project.code}-报价单.xlsx", hint="quote-sheet")


@bp.route("/projects/<int:project_id>/quote/upload", methods=["POST"])
@roles_required("supplier")
def quote_upload(project_id: int):
    """Step 1 by upload: read a filled XLSX sheet (in memory, never stored), keep its prices as the
    encrypted review draft and redirect to the review page."""
    project, registration = _load(project_id)
    refused = quotes.refusal(registration)
    if refused is not None:
        return _refused(project, registration, refused)
    upload_form = QuoteUploadForm()
    if upload_form.validate_on_submit():
        data = upload_form.file.data.read(quotes.MAX_SHEET_BYTES + 1)
        try:
            sheet = quotes.price_sheet_from_xlsx(project, data, upload_form.file.data.filename)
        except quotes.QuoteSheetInvalid as error:
            for line_error in error.errors:
                upload_form.file.errors.append(
                    _("%(cell)s：%(message)s", cell=line_error.cell, message=translate(line_error.message, dict(line_error.params)))
                )
        except ServiceError as error:
            upload_form.add_domain_error(error)
        else:
            _save_draft(registration, sheet, upload_form.version)
            return redirect(url_for("supplier.quote_review", project_id=project.id))
    return _sheet_page(project, registration, upload_form=upload_form, status=400)


@bp.route("/projects/<int:project_id>/quote/copy.xlsx")
@roles_required("supplier")
def quote_copy_xlsx(project_id: int):
    """The supplier's own filled sheet, made from the review draft into this response only."""
    project, registration = _load(project_id)
    refused = quotes.refusal(registration)
    if refused is not None:
        return _refused(project, registration, refused)
    draft = _load_draft(registration)
    if draft is None:
        return _no_draft(project)
    data = quotes.sheet_xlsx(project, quotes.supplier_name(registration), draft.prices)
    response = send_bytes(data, XLSX_MIME, f"{project.code}-报价单副本.xlsx", hint="quote-sheet-copy")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/projects/<int:project_id>/quote/withdraw", methods=["POST"])
@roles_required("supplier")
def quote_withdraw(project_id: int):
    """Withdraw the current quote; no quote of this supplier counts until it submits again."""
    project, registration = _load(project_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("页面已过期，请刷新后重新操作。"), "danger")
        return redirect(url_for("supplier.project", project_id=project.id) + "#quote")
    try:
        withdrawal = quotes.withdraw_quote(
            registration.id if registration else 0, current_user, expected_version=form.version
        )
    except ServiceError as error:  # the category depends on the refusal, so not web.attempt
        return _refuse(project, error, "warning" if error.code == "stale_version" else "danger")
    flash(_("报价已撤回（第%(version)s版为撤回记录）。截止前您仍可重新报价。", version=withdrawal.version), "success")
    return redirect(url_for("supplier.project", project_id=project.id) + "#quote")


def _own_version(project_id: int, version: int):
    """The project, this supplier's registration, and one version of its quote.

    :raise 404: another supplier's (or no) registration, or no such version.
    """
    project, registration = _load(project_id)
    if registration is None:
        abort(404)
    quote = quotes.get_version(registration, version)
    if quote is None:
        abort(404)
    return project, registration, quote


@bp.route("/projects/<int:project_id>/quote/receipts/<int:version>")
@roles_required("supplier")
def quote_receipt(project_id: int, version: int):
    """The receipt of one version: project, supplier, version, server time, SHA-256 (no amount)."""
    project, registration, quote = _own_version(project_id, version)
    return render_template(
        "supplier/quote_receipt.html",
        project=project,
        registration=registration,
        quote=quote,
        company_name=quotes.supplier_name(registration),
        state=quotes.status_for(registration),
        server_time=local_seconds(quote.submitted_at),
    )


@bp.route("/projects/<int:project_id>/quote/receipts/<int:version>.pdf")
@roles_required("supplier")
def quote_receipt_pdf(project_id: int, version: int):
    """The receipt as a PDF with a verification code (stored; it holds no amount)."""
    project, registration, quote = _own_version(project_id, version)
    document = quote_receipts.receipt_document(quote)
    name = f"{project.code}-报价回执-第{quote.version}版.pdf"
    return send_document(document, name, ascii_name=ascii_fallback(name, f"receipt-v{quote.version}"))


@user_logged_out.connect
def _forget_drafts_at_sign_out(sender, user, **extra):
    """Signing out ends any review in progress: the drafts and this session's key half go."""
    session.pop(quote_drafts.SESSION_ENTRY, None)
    if user is not None and getattr(user, "id", None) is not None:
        quote_drafts.discard_for_user(user.id)
