"""Buyer staff: confirm the award, publish the result, download the notices, answer challenges."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, TextAreaField

from procurement.auth.permissions import roles_required
from procurement.buyer.loaders import get_project
from procurement.buyer.views import bp
from procurement.extensions import db
from procurement.forms_common import BaseForm, choices, length, required
from procurement.models import Challenge, ChallengeAttachment, GeneratedDocument
from procurement.queries import award as award_queries
from procurement.queries import challenges as challenge_queries
from procurement.queries.lookups import supplier_name
from procurement.services import award as award_service
from procurement.services import challenges as challenge_service
from procurement.web import attempt, send_document, send_stored_file
from procurement.domain import N_
from procurement.formatting import gettext_marked


class DropOutForm(BaseForm):
    """Record why a candidate is not awarded: declined, or found ineligible."""

    status = RadioField(
        _l("情况"),
        choices=choices([("declined", _l("放弃成交")), ("ineligible", _l("经核实不符合条件"))]),
        validators=[required(_l("请选择情况。"))],
    )
    reason = TextAreaField(
        _l("原因"),
        validators=[required(_l("请填写原因。")), length(award_service.MAX_REASON_LENGTH)],
        description=_l("将写入成交结果通知书和审计日志，例如：供应商书面声明放弃成交。"),
        render_kw={"rows": 4},
    )


class AnswerForm(BaseForm):
    """The buyer's written answer to a challenge."""

    answer = TextAreaField(
        _l("书面答复"),
        validators=[required(_l("请填写答复内容。")), length(challenge_service.MAX_TEXT_LENGTH)],
        render_kw={"rows": 8},
    )


def _candidate_or_404(project, registration_id: int):
    for row in award_queries.candidates(project):
        if row.result.registration_id == registration_id:
            return row
    abort(404)


def _back(project_id: int):
    return redirect(url_for("buyer.project", project_id=project_id) + "#award")


@bp.route("/projects/<int:project_id>/award/<int:registration_id>/confirm", methods=["POST"])
@roles_required("buyer")
def award_confirm(project_id: int, registration_id: int):
    """Award the next candidate in order."""
    project = get_project(project_id)
    row = _candidate_or_404(project, registration_id)
    if attempt(None, award_service.confirm, project, registration_id, current_user):
        flash(gettext_marked(N_("已确定“%(name)s”为成交供应商。"), name=row.name), "success")
    return _back(project.id)


@bp.route("/projects/<int:project_id>/award/<int:registration_id>/drop-out", methods=["GET", "POST"])
@roles_required("buyer")
def award_drop_out(project_id: int, registration_id: int):
    """Record that a candidate declined or was found ineligible, with the reason."""
    project = get_project(project_id)
    row = _candidate_or_404(project, registration_id)
    form = DropOutForm()
    if form.validate_on_submit():
        if attempt(form, award_service.drop_out, project, registration_id, form.status.data, form.reason.data, current_user):
            flash(gettext_marked(N_("已记录第 %(place)s 名候选人“%(name)s”的情况。"), place=row.place, name=row.name), "success")
            return _back(project.id)
    status = 400 if form.is_submitted() else 200
    return render_template("buyer/award_drop_out.html", project=project, row=row, form=form), status


@bp.route("/projects/<int:project_id>/award/publish", methods=["POST"])
@roles_required("buyer")
def award_publish(project_id: int):
    """Publish the result announcement and issue every notice."""
    project = get_project(project_id)
    outcome = attempt(None, award_service.publish, project, current_user)
    if outcome and outcome.value.status == "done":
        flash(_("成交结果已发布：成交结果公告已公开，成交通知书和成交结果通知书已发给各供应商。"), "success")
    elif outcome:
        flash(ngettext("正在出具成交结果公告和 %(num)s 份通知书，全部出具后成交结果一并公开。", "正在出具成交结果公告和 %(num)s 份通知书，全部出具后成交结果一并公开。", len(outcome.value.payload["notices"])), "info")
    return _back(project.id)


@bp.route("/projects/<int:project_id>/documents/<int:document_id>")
@roles_required("buyer")
def award_document(project_id: int, document_id: int):
    """Download one of the project's generated documents, byte for byte as issued."""
    project = get_project(project_id)
    document = db.session.get(GeneratedDocument, document_id)
    if document is None or document.project_id != project.id:
        abort(404)
    return send_document(document, f"{project.code}-{document.title}.pdf")


def _get_challenge(challenge_id: int) -> Challenge:
    """A challenge by id.

    :raise 404: when it does not exist.
    """
    challenge = challenge_queries.with_attachments(challenge_id)
    if challenge is None:
        abort(404)
    return challenge


@bp.route("/challenges/<int:challenge_id>", methods=["GET", "POST"])
@roles_required("buyer")
def challenge(challenge_id: int):
    """Read a challenge and its attachments; answer it in writing."""
    item = _get_challenge(challenge_id)
    project = get_project(item.project_id)
    form = AnswerForm()
    if item.answered_at is not None and form.is_submitted():
        flash(_("该质疑已经答复。"), "warning")
        return redirect(url_for("buyer.challenge", challenge_id=item.id))
    if form.validate_on_submit():
        if attempt(form, challenge_service.answer_challenge, item, form.answer.data, current_user):
            flash(_("答复已保存，质疑供应商可在其项目页面查看。"), "success")
            return redirect(url_for("buyer.challenge", challenge_id=item.id))
    status = 400 if form.is_submitted() else 200
    return (
        render_template(
            "buyer/challenge.html",
            project=project,
            challenge=item,
            form=form,
            supplier_name=supplier_name(item.registration),
        ),
        status,
    )


@bp.route("/challenges/<int:challenge_id>/attachments/<int:attachment_id>")
@roles_required("buyer")
def challenge_attachment(challenge_id: int, attachment_id: int):
    """View one attachment of a challenge."""
    item = _get_challenge(challenge_id)
    attachment = db.session.get(ChallengeAttachment, attachment_id)
    if attachment is None or attachment.challenge_id != item.id:
        abort(404)
    return send_stored_file(attachment.stored_file)
