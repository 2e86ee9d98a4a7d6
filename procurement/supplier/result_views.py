"""Suppliers: the result of a project, their own notice, and their challenges (质疑)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import ValidationError

from procurement.auth.permissions import roles_required
from procurement.extensions import db
from procurement.formatting import local_date
from procurement.forms_common import BaseForm, length, parse_id, required
from procurement.models import Challenge, ChallengeAttachment, Project, Registration
from procurement.queries import award as award_queries
from procurement.queries import challenges as challenge_queries
from procurement.services import ServiceError, uploads
from procurement.services import challenges as challenge_service
from procurement.services.unit_of_work import transaction
from procurement.supplier.loaders import current_company, get_public_project, own_registration
from procurement.supplier.views import bp
from procurement.web import attempt, send_document, send_stored_file

NOTICE_NAMES = {award_queries.KIND_AWARD_NOTICE: "成交通知书", award_queries.KIND_RESULT_NOTICE: "成交结果通知书"}


class ChallengeForm(BaseForm):
    """A written challenge: the matters, reasons and requests, with attachments."""

    text = TextAreaField(
        _l("质疑事项、事实依据及请求"),
        validators=[required(_l("请填写质疑事项、理由及请求。")), length(challenge_service.MAX_TEXT_LENGTH)],
        description=_l("写明质疑的具体事项、事实依据和法律依据，以及您的请求。"),
        render_kw={"rows": 10},
    )
    attachments = MultipleFileField(
        _l("附件（可选，PDF/JPEG/PNG，可多选）"),
        description=_l("例如加盖公章的质疑函扫描件、证明材料。单个文件不超过 10 MB。"),
    )
    # Files already saved on an earlier, incomplete submission of this page.
    saved_files = HiddenField(validators=[length(1000)])

    def validate_saved_files(self, field):
        """The page writes a comma-separated list of file ids; anything else was not written by it."""
        parts = [part for part in (field.data or "").split(",") if part.strip()]
        if any(parse_id(part) is None for part in parts):
            raise ValidationError(_l("已保存附件的记录无效，请重新选择附件上传。"))


def _participant(project_id: int) -> tuple[Project, Registration]:
    """The project and this supplier's registration, when it took part.

    :raise 404: when the supplier did not take part in the evaluation.
    """
    project = get_public_project(project_id)
    registration = own_registration(project)
    if not challenge_queries.is_participant(project, registration):
        abort(404)
    return project, registration


@bp.route("/projects/<int:project_id>/my-notice.pdf")
@roles_required("supplier")
def my_notice(project_id: int):
    """Download this supplier's award notice or result notice, byte for byte as issued."""
    project, registration = _participant(project_id)
    document = award_queries.own_notice(project, registration)
    name = NOTICE_NAMES.get(document.kind, "通知书") if document else ""
    return send_document(document, f"{project.code}-{name}.pdf")


def _saved_ids(form: ChallengeForm) -> list[int]:
    """The valid ids in the hidden list (an invalid one is reported by the form's validation)."""
    ids = []
    for part in (form.saved_files.data or "").split(","):
        value = parse_id(part)
        if value is not None:
            ids.append(value)
    return ids


@bp.route("/projects/<int:project_id>/challenges/new", methods=["GET", "POST"])
@roles_required("supplier")
def challenge_new(project_id: int):
    """File a written challenge within the challenge period; a late one is refused with its due date."""
    project, registration = _participant(project_id)
    form = ChallengeForm()
    window = challenge_queries.window(project)
    refusal = None
    try:
        challenge_service.check_can_file(project, registration)
    except ServiceError as error:
        refusal = error
    saved = challenge_queries.usable_attachments(_saved_ids(form), current_user) if form.is_submitted() else []
    if form.is_submitted() and refusal is None:
        # Validate first: validation resets every field's errors, the upload errors come after.
        valid = form.validate()
        upload_error = False
        files = [f for f in request.files.getlist(form.attachments.name) if f and f.filename]
        accepted = []
        for upload in files:  # parsed before the transaction that stores them
            try:
                accepted.append(uploads.check_upload(upload, uploads.SCAN_TYPES, field="attachments"))
            except ServiceError as error:
                form.add_domain_error(error)
                upload_error = True
        # A file the page calls saved is committed, even if something else on the form is wrong.
        if accepted:
            with transaction():
                saved.extend(uploads.save(checked, current_user) for checked in accepted)
        form.saved_files.data = ",".join(str(s.id) for s in saved)
        if valid and not upload_error:
            filed = attempt(form, challenge_service.file_challenge, project, registration, form.text.data, saved, current_user)
            if filed:
                item = filed.value
                flash(_("质疑已提交。采购人应在 %(due)s 前书面答复。", due=local_date(item.answer_due_on)), "success")
                return redirect(url_for("supplier.challenge", challenge_id=item.id))
    status = 400 if form.is_submitted() else 200
    if refusal is not None and form.is_submitted():
        status = 400
    return (
        render_template(
            "supplier/challenge_new.html",
            project=project,
            registration=registration,
            form=form,
            window=window,
            refusal=refusal,
            saved=saved,
        ),
        status,
    )


def _own_challenge(challenge_id: int) -> Challenge:
    """A challenge this supplier filed.

    :raise 404: when it does not exist or belongs to another supplier.
    """
    item = challenge_queries.with_attachments(challenge_id)
    if item is None or item.registration.company_id != current_company().id:
        abort(404)
    return item


@bp.route("/challenges/<int:challenge_id>")
@roles_required("supplier")
def challenge(challenge_id: int):
    """One of this supplier's challenges and the buyer's answer."""
    item = _own_challenge(challenge_id)
    project = get_public_project(item.project_id)
    return render_template("supplier/challenge.html", project=project, challenge=item)


@bp.route("/challenges/<int:challenge_id>/attachments/<int:attachment_id>")
@roles_required("supplier")
def challenge_attachment(challenge_id: int, attachment_id: int):
    """View one attachment of this supplier's own challenge."""
    item = _own_challenge(challenge_id)
    attachment = db.session.get(ChallengeAttachment, attachment_id)
    if attachment is None or attachment.challenge_id != item.id:
        abort(404)
    return send_stored_file(attachment.stored_file)
