"""Registration (报名): the supplier's form, its own documents, and the helpers its project section uses."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement import clock
from procurement.auth.permissions import roles_required
from procurement.domain.identifiers import division_label, mask_id_number, uscc_division
from procurement.domain.qualification import DOCUMENT_KINDS, required_documents
from procurement.models import REG_ACCEPTED
from procurement.queries import registrations as registration_queries
from procurement.queries.phases import registration_state
from procurement.queries.supplier import opens_text
from procurement.services import ServiceError
from procurement.services import registrations as registration_service
from procurement.supplier.loaders import current_company, get_public_project, own_registration
from procurement.supplier.registration_forms import RegistrationForm, prefill
from procurement.supplier.views import bp
from procurement.web import send_stored_file

def _opens_text(project) -> str:
    """今日15:30起可提交 when the window is open but this moment is outside the hours, else ``""``."""
    now = clock.now()
    return opens_text(registration_state(project, now), now)


def _registration_division(company) -> str:
    try:
        return division_label(uscc_division(company.uscc or ""))
    except ValueError:
        return ""


def _draft_saved_at(registration) -> datetime | None:
    saved_at = (registration.draft or {}).get("saved_at") if registration else None
    try:
        return datetime.fromisoformat(saved_at) if saved_at else None
    except ValueError:
        return None


def _render(
    project,
    company,
    registration,
    form,
    *,
    refusal: ServiceError | None = None,
    not_yet: ServiceError | None = None,
    submit_refused: bool = False,
    saved=(),
    status=200,
):
    """The form page; ``refusal`` hides the form, ``not_yet`` (outside the hours) only says when submitting opens."""
    return (
        render_template(
            "supplier/registration.html",
            project=project,
            company=company,
            registration=registration,
            form=form,
            refusal=refusal,
            not_yet=not_yet,
            submit_refused=submit_refused,
            opens_text=_opens_text(project) if not_yet else "",
            draft_saved_at=_draft_saved_at(registration),
            saved=list(saved),
            registration_state=registration_state(project, clock.now()),
            registration_division=_registration_division(company),
            premises_division_label=(
                division_label(company.premises_division)
                if company.premises_division and company.premises_division != "000000"
                else ""
            ),
            masked_legal_rep_id=mask_id_number(company.legal_rep_id_number or ""),
            documents={doc.kind: doc for doc in (registration.documents if registration else [])},
            required_kinds=required_documents(form.via_agent, premises="lhasa_premises" in project.criteria),
            **registration_queries.labels(),
        ),
        status,
    )


@bp.route("/projects/<int:project_id>/registration", methods=["GET", "POST"])
@roles_required("supplier")
def registration(project_id: int):
    """Register for a project, or correct a registration while the window is open.

    The form can be filled and saved as a draft (``action=save``) at any time while the window is
    open; submitting (the default action) waits for the daily hours, and a submission outside
    them keeps everything as a draft and says when submitting opens.
    """
    project = get_public_project(project_id)
    company = current_company()
    registration = own_registration(project)
    form = RegistrationForm()
    if request.method == "GET":
        prefill(form, registration)
        try:
            not_yet = registration_service.ensure_can_prepare(project, company)
        except ServiceError as error:
            return _render(project, company, registration, form, refusal=error)
        return _render(project, company, registration, form, not_yet=not_yet)

    uploads = {kind: request.files.get(kind) for kind in DOCUMENT_KINDS}
    if request.form.get("action") == "save":
        return _save_draft(project, company, registration, form, uploads)

    valid = form.validate_on_submit()
    try:
        submission = registration_service.submit_registration(
            project,
            company,
            form.answers() if valid else None,
            uploads,
            current_user,
            via_agent=form.via_agent,
            draft=form.draft_values(),
        )
    except ServiceError as error:
        if error.code not in registration_service.PREPARABLE_REFUSALS:
            return _render(project, company, registration, form, refusal=error, status=400)
        # Outside the daily hours: keep what was typed and uploaded, and say when submitting opens.
        try:
            submission = registration_service.save_draft(
                project, company, form.draft_values(), uploads, current_user, via_agent=form.via_agent
            )
        except ServiceError as refusal:
            return _render(project, company, registration, form, refusal=refusal, status=400)
        for kind, upload_error in submission.upload_errors.items():
            form.add_domain_error(upload_error, kind)
        return _render(
            project, company, submission.registration, form,
            not_yet=error, submit_refused=True, saved=submission.saved, status=400,
        )

    registration = submission.registration
    if submission.check is None:
        for kind, error in submission.upload_errors.items():
            form.add_domain_error(error, kind)
        return _render(project, company, registration, form, saved=submission.saved, status=400)
    if registration.status == REG_ACCEPTED:
        flash(_("报名成功：各项自动审核均已通过。"), "success")
    # A refusal is not flashed: the registration section says it, with each check, right below.
    return redirect(url_for("supplier.project", project_id=project.id, _anchor="registration"))


def _save_draft(project, company, registration, form, uploads):
    """Keep the form as a draft without checking it; back to the form (post/redirect/get) when all went in."""
    try:
        submission = registration_service.save_draft(
            project, company, form.draft_values(), uploads, current_user, via_agent=form.via_agent
        )
    except ServiceError as error:
        return _render(project, company, registration, form, refusal=error, status=400)
    if submission.upload_errors:
        for kind, error in submission.upload_errors.items():
            form.add_domain_error(error, kind)
        not_yet = registration_service.ensure_can_prepare(project, company)
        return _render(
            project, company, submission.registration, form, not_yet=not_yet, saved=submission.saved, status=400
        )
    opens = _opens_text(project)
    if opens:
        flash(_("报名草稿已保存（含已上传的文件），尚未提交。%(opens)s。", opens=opens), "success")
    else:
        flash(_("报名草稿已保存（含已上传的文件），尚未提交；请在报名截止前提交。"), "success")
    return redirect(url_for("supplier.registration", project_id=project.id))


@bp.route("/projects/<int:project_id>/registration/documents/<kind>")
@roles_required("supplier")
def registration_document(project_id: int, kind: str):
    """View one of this supplier's own uploaded documents inline.

    :raise 404: for another supplier's project registration, or no such document.
    """
    project = get_public_project(project_id)
    registration = own_registration(project)
    document = registration_queries.document(registration, kind) if registration else None
    if document is None:
        abort(404)
    return send_stored_file(document.stored_file)
