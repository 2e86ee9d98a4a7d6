"""Public result announcements (成交结果公告): the list, the page and its PDF."""
from __future__ import annotations

from flask import abort, render_template

from procurement.auth.permissions import public
from procurement.public.views import bp, get_public_project
from procurement.services import award as award_service
from procurement.services import documents
from procurement.web import send_document


@bp.app_context_processor
def result_helpers():
    """``result_published(project)`` for the notice page's link to the result."""
    return {"result_published": award_service.result_is_public}


def _published(project_id: int):
    """A project whose result has been published.

    :raise 404: when it does not exist, is a draft, or has no published result.
    """
    project = get_public_project(project_id)
    if not award_service.result_is_public(project):
        abort(404)
    return project


@bp.route("/results")
@public
def results():
    """Every published result announcement, newest first."""
    return render_template("public/results.html", results=award_service.public_results())


@bp.route("/results/<int:project_id>")
@public
def result(project_id: int):
    """One result announcement, as published."""
    project = _published(project_id)
    document = documents.current(award_service.KIND_ANNOUNCEMENT, project=project)
    context = award_service.announcement_context(project)
    context["winners"] = award_service.winner_infos(project, only_published=True)
    return render_template("public/result.html", project=project, document=document, **context)


@bp.route("/results/<int:project_id>/result.pdf")
@public
def result_pdf(project_id: int):
    """The result announcement as a PDF: the stored document, byte for byte."""
    project = _published(project_id)
    document = documents.current(award_service.KIND_ANNOUNCEMENT, project=project)
    return send_document(document, f"{project.code}-成交结果公告.pdf")
