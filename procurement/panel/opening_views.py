"""Panel members read the opening record (开标记录) of a project they are appointed to."""
from __future__ import annotations

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.extensions import db
from procurement.models import Project
from procurement.panel.views import bp
from procurement.queries import opening as opening_queries
from procurement.services import opening as opening_service
from procurement.web import send_document


def _appointed_project(project_id: int) -> Project:
    """A project the signed-in member sits on.

    :raise 404: unknown project, or not appointed (or removed).
    """
    project = db.session.get(Project, project_id)
    if project is None or opening_queries.panel_member_of(project, current_user.id) is None:
        abort(404)
    return project


@bp.route("/projects/<int:project_id>/opening")
@roles_required("panel")
def opening(project_id: int):
    """The opening record, read-only; before the opening it says the quotes are still sealed."""
    project = _appointed_project(project_id)
    return render_template(
        "buyer/opening_record_view.html",
        project=project,
        page=opening_queries.opening_record(project),
        pdf_url=url_for("panel.opening_record_pdf", project_id=project.id),
        back_url=url_for("panel.home"),
        back_label=_("我的评审"),
        home_url=None,
        home_label=None,
        role="panel",
    )


@bp.route("/projects/<int:project_id>/opening-record.pdf")
@roles_required("panel")
def opening_record_pdf(project_id: int):
    """The opening record PDF.

    :raise 404: not appointed, or before the opening.
    """
    project = _appointed_project(project_id)
    return send_document(opening_service.opening_record_document(project), f"{project.code}-开标记录.pdf")
