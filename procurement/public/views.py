"""Public views: announcement list and page, document verification."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory

from procurement import clock
from procurement.auth.permissions import public
from procurement.auth.throttle import throttle_verify
from procurement.models import Project
from procurement.queries import public as public_queries
from procurement.services import announcements
from procurement.web import send_document

bp = Blueprint("public", __name__)


def get_public_project(project_id: int) -> Project:
    """A project the public may read.

    :raise 404: when it does not exist or is still a draft.
    """
    project = public_queries.public_project(project_id)
    if project is None:
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
    """Published announcements, open ones first, 20 a page."""
    return render_template("public/home.html", page=public_queries.home_page(request.args.get("page"), clock.now()))


@bp.route("/notices/<int:project_id>")
@public
def notice(project_id: int):
    """The announcement (询比价公告) in the newspaper's structure."""
    page = public_queries.notice_page(project_id, clock.now())
    if page is None:
        abort(404)
    return render_template(
        "public/notice.html",
        page=page,
        project=page.project,
        schedule=page.schedule,
        phase=page.phase,
        registration=page.registration,
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
@throttle_verify
def verify():
    """Check a generated document by its verification code."""
    code = public_queries.normalise_code(request.args.get("code"))
    document = public_queries.document_by_code(code)
    status = 404 if code and document is None else 200
    return render_template("public/verify.html", code=code, document=document), status


from procurement.public import result_views  # noqa: E402,F401
