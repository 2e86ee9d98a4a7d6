"""The supplier's written explanation of an abnormally low price (异常低价说明), in its own pages."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import TextAreaField

from procurement import clock
from procurement.auth.permissions import roles_required
from procurement.extensions import db
from procurement.forms_common import BaseForm, length, required
from procurement.models import StoredFile
from procurement.queries import evaluation_votes as tally
from procurement.services import evaluation as evaluation_service
from procurement.supplier.loaders import get_public_project, own_registration
from procurement.supplier.views import bp
from procurement.web import attempt, send_stored_file


class ExplanationForm(BaseForm):
    """The written explanation, with an optional stamped PDF or image."""

    text = TextAreaField(
        _l("书面说明"),
        validators=[required(_l("请填写书面说明。")), length(5000)],
        description=_l("请说明报价的构成及能够按质按量履约的理由（如成本构成、库存、渠道等）。"),
        render_kw={"rows": 8},
    )
    attachment = FileField(_l("附件（可选，PDF、JPEG 或 PNG，加盖公章的扫描件）"))


def get_request(project_id: int) -> tuple:
    """The project, the supplier's registration and the abnormal-low request addressed to it.

    :raise 404: when there is no such request for the current supplier.
    """
    project = get_public_project(project_id)
    registration = own_registration(project)
    if registration is None:
        abort(404)
    review = tally.open_request_for(registration)
    if review is None or review.requested_at is None:
        abort(404)
    return project, registration, review


def _render(project, review, form, status=200):
    return (
        render_template(
            "supplier/explanation.html",
            project=project,
            review=review,
            form=form,
            open_for_answer=review.decision is None and clock.now() <= review.due_at,
        ),
        status,
    )


@bp.route("/projects/<int:project_id>/explanation", methods=["GET", "POST"])
@roles_required("supplier")
def explanation(project_id: int):
    """Read the panel's request and submit the written explanation before the due time."""
    project, registration, review = get_request(project_id)
    form = ExplanationForm()
    if not form.is_submitted() and review.explanation_text:
        form.text.data = review.explanation_text
    if form.validate_on_submit():
        if attempt(form, evaluation_service.submit_explanation, review, form.text.data, form.attachment.data, current_user):
            flash(_("书面说明已提交。询比价小组将据此作出决定。"), "success")
            return redirect(url_for("supplier.project", project_id=project.id))
    elif not form.is_submitted():
        return _render(project, review, form)
    return _render(project, review, form, 400)


@bp.route("/projects/<int:project_id>/explanation/file")
@roles_required("supplier")
def explanation_attachment(project_id: int):
    """The supplier's own explanation attachment, inline."""
    _project, _registration, review = get_request(project_id)
    if review.explanation_file_id is None:
        abort(404)
    return send_stored_file(db.session.get(StoredFile, review.explanation_file_id), inline=True)
