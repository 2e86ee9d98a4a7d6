"""Public result announcements (成交结果公告) and termination notices (终止公告): the list, the pages, the PDFs."""
from __future__ import annotations

from flask import abort, render_template

from procurement.auth.permissions import public
from procurement.public.views import bp, get_public_project
from procurement.services import award as award_service
from procurement.services import documents, termination
from procurement.web import send_document


@bp.app_context_processor
def result_helpers():
    """``result_published(project)`` for the notice page's link to the result, and
    ``termination_notice(project)``: an ended project's issued termination notice, or ``None``."""
    return {"result_published": award_service.result_is_public, "termination_notice": _termination_notice}


def _termination_notice(project):
    """The termination notice the public may read: only of a failed or cancelled project."""
    if project.status not in termination.ENDED_STATUSES:
        return None
    return termination.current_notice(project)


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
    """Every published result announcement and termination notice, newest first."""
    entries = [("result", project, document) for project, document in award_service.public_results()]
    entries += [("termination", project, document) for project, document in termination.public_notices()]
    entries.sort(key=lambda entry: (entry[2].issued_at, entry[2].id), reverse=True)
    return render_template("public/results.html", results=entries)


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


@bp.route("/notices/<int:project_id>/termination.pdf")
@public
def termination_pdf(project_id: int):
    """An ended project's termination notice (a public announcement) as a PDF, byte for byte.

    :raise 404: when the project is a draft, has not ended, or (a failed evaluation whose
        report is not yet signed by every member) has no notice yet.
    """
    project = get_public_project(project_id)
    return send_document(_termination_notice(project), f"{project.code}-终止公告.pdf")
