"""Buyer staff open the sealed quotes at the opening time and read the opening record (开标记录)."""
from __future__ import annotations

from flask import redirect, render_template, url_for, flash
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.buyer.loaders import get_project
from procurement.buyer.views import bp
from procurement.queries import jobs as job_queries
from procurement.queries import opening as opening_queries
from procurement.services import opening as opening_service
from procurement.web import attempt, send_document


@bp.route("/projects/<int:project_id>/open", methods=["POST"])
@roles_required("buyer")
def open_quotes(project_id: int):
    """Open every current quote (at or after the opening time, once) and issue the opening record."""
    project = get_project(project_id)
    outcome = attempt(None, opening_service.open_quotes, project.id, current_user)
    if not outcome:
        return redirect(url_for("buyer.project", project_id=project.id) + "#quotes")
    job = job_queries.latest(project.id, job_queries.KIND_OPENING_RECORD)
    n = len(outcome.value)
    if job is not None and job.status != "done":
        flash(ngettext("已开启 %(num)s 份报价，每份均与回执哈希核对一致；正在生成开标记录PDF。", "已开启 %(num)s 份报价，每份均与回执哈希核对一致；正在生成开标记录PDF。", n), "success")
    else:
        flash(ngettext("已开启 %(num)s 份报价，每份均与回执哈希核对一致；开标记录已生成。", "已开启 %(num)s 份报价，每份均与回执哈希核对一致；开标记录已生成。", n), "success")
    return redirect(url_for("buyer.opening", project_id=project.id))


@bp.route("/projects/<int:project_id>/opening")
@roles_required("buyer")
def opening(project_id: int):
    """The opening: before it, how many sealed quotes arrived and the open button; after, the record
    and its PDF (while the PDF's job runs: its progress)."""
    project = get_project(project_id)
    pdf_job = job_queries.view_of(job_queries.latest(project.id, job_queries.KIND_OPENING_RECORD)) if project.opened_at else None
    return render_template(
        "buyer/opening_record_view.html",
        project=project,
        page=opening_queries.opening_record(project, with_received=True),
        pdf_url=url_for("buyer.opening_record_pdf", project_id=project.id),
        back_url=url_for("buyer.project", project_id=project.id),
        back_label=project.code,
        home_url=url_for("buyer.home"),
        home_label=_("项目管理"),
        role="buyer",
        pdf_job=pdf_job,
    )


@bp.route("/projects/<int:project_id>/opening-record.pdf")
@roles_required("buyer")
def opening_record_pdf(project_id: int):
    """The opening record PDF, byte for byte as issued at the opening.

    :raise 404: before the opening.
    """
    project = get_project(project_id)
    return send_document(opening_service.opening_record_document(project), f"{project.code}-开标记录.pdf")
