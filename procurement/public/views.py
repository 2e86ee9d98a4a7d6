"""Public views: announcement list and page, document verification."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request, send_from_directory

from procurement import clock
from procurement.auth.permissions import public
from procurement.extensions import db
from procurement.models import GeneratedDocument, Project
from procurement.queries.award import result_is_public
from procurement.queries.results import termination_notice_of
from procurement.services import announcements
from procurement.services import projects as project_service
from procurement.web import send_document

bp = Blueprint("public", __name__)


def get_public_project(project_id: int) -> Project:
    """A project the public may read.

    :raise 404: when it does not exist or is still a draft.
    """
    project = db.session.get(Project, project_id)
    if project is None or not project.is_public:
        abort(404)
    return project


@bp.route("/favicon.ico")
@public
def favicon():
    """The site icon at the address browsers ask for (the pages also link the SVG)."""
    return send_from_directory(
        current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400
    )


@bp.route("/")
@public
def home():
    """Published announcements, open ones first."""
    projects = project_service.public_projects()
    now = clock.now()
    open_projects = [p for p in projects if p.status == "published"]
    other_projects = [p for p in projects if p.status != "published"]
    return render_template(
        "public/home.html",
        open_projects=open_projects,
        other_projects=other_projects,
        phase=lambda p: project_service.phase(p, now),
    )


@bp.route("/notices/<int:project_id>")
@public
def notice(project_id: int):
    """The announcement (询比价公告) in the newspaper's structure."""
    project = get_public_project(project_id)
    return render_template(
        "public/notice.html",
        project=project,
        schedule=project_service.schedule_of(project),
        phase=project_service.phase(project),
        registration=project_service.registration_state(project),
        result_published=result_is_public(project),
        termination=termination_notice_of(project),
    )


@bp.route("/notices/<int:project_id>/notice.pdf")
@public
def notice_pdf(project_id: int):
    """The announcement as a PDF: the stored document, byte for byte."""
    project = get_public_project(project_id)
    document = announcements.current_announcement(project)
    return send_document(document, f"{project.code}-询比价公告.pdf")


@bp.route("/verify", methods=["GET"])
@public
def verify():
    """Check a generated document by its verification code."""
    # Codes are printed in groups (XWZ4-XNCP-59MX); people type dashes, spaces, lower case.
    code = "".join(ch for ch in (request.args.get("code") or "").upper() if ch.isascii() and ch.isalnum())[:64]
    document = None
    if code:
        document = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.verification_code == code))
    status = 404 if code and document is None else 200
    return render_template("public/verify.html", code=code, document=document), status


from procurement.public import result_views  # noqa: E402,F401
