"""Public result announcements (成交结果公告) and termination notices (终止公告): the list, the pages, the PDFs."""
from __future__ import annotations

from flask import abort, render_template, request

from procurement.auth.permissions import public
from procurement.public.views import bp, get_public_project
from procurement.queries import award as award_queries
from procurement.queries import results as result_queries
from procurement.web import send_document


def _published(project_id: int):
    """A project whose result has been published.

    :raise 404: when it does not exist, is a draft, or has no published result.
    """
    project = get_public_project(project_id)
    if not award_queries.result_is_public(project):
        abort(404)
    return project


@bp.route("/results")
@public
def results():
    """Every published result announcement and termination notice, newest first, 20 a page."""
    page = result_queries.results_page(request.args.get("page", 1, type=int))
    return render_template("public/results.html", page=page)


@bp.route("/results/<int:project_id>")
@public
def result(project_id: int):
    """One result announcement, as published."""
    page = result_queries.result_announcement_page(_published(project_id))
    return render_template("public/result.html", project=page.project, document=page.document, **page.context)


@bp.route("/results/<int:project_id>/result.pdf")
@public
def result_pdf(project_id: int):
    """The result announcement as a PDF: the stored document, byte for byte."""
    project = _published(project_id)
    document = award_queries.current_document(award_queries.KIND_ANNOUNCEMENT, project)
    return send_document(document, f"{project.code}-成交结果公告.pdf")


@bp.route("/notices/<int:project_id>/termination.pdf")
@public
def termination_pdf(project_id: int):
    """An ended project's termination notice (a public announcement) as a PDF, byte for byte.

    :raise 404: when the project is a draft, has not ended, or (a failed evaluation whose
        report is not yet signed by every member) has no notice yet.
    """
    project = get_public_project(project_id)
    return send_document(result_queries.termination_notice_of(project), f"{project.code}-终止公告.pdf")
