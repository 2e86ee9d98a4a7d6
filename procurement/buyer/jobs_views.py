"""Buyer staff: the documents a project's jobs are issuing (progress as JSON), one job's progress
page (where an action that starts a job leads), and a failed job's retry."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.buyer.loaders import get_project
from procurement.buyer.views import bp
from procurement.extensions import db
from procurement.models import Job
from procurement.queries import jobs as job_queries
from procurement.services import jobs as job_service
from procurement.web import attempt


def _no_store(payload: dict):
    response = jsonify(payload)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/projects/<int:project_id>/jobs.json")
@roles_required("buyer")
def project_jobs(project_id: int):
    """The project's unfinished jobs with their progress, polled by ``static/js/jobs.js``."""
    project = get_project(project_id)
    return _no_store({"jobs": [view.as_json() for view in job_queries.project_jobs(project)]})


@bp.route("/projects/<int:project_id>/jobs/<int:job_id>")
@roles_required("buyer")
def job_progress(project_id: int, job_id: int):
    """One job's progress: 正在生成… N / M, then the documents it issued, or the error and the retry.

    :raise 404: when the job is not one of this project's.
    """
    page = job_queries.job_progress(get_project(project_id), job_id)
    if page is None:
        abort(404)
    return render_template("buyer/job.html", page=page, project=page.project, view=page.view)


@bp.route("/projects/<int:project_id>/jobs/<int:job_id>.json")
@roles_required("buyer")
def job_status(project_id: int, job_id: int):
    """One job's status (done and failed ones too), polled by its progress page.

    :raise 404: when the job is not one of this project's.
    """
    page = job_queries.job_progress(get_project(project_id), job_id)
    if page is None:
        abort(404)
    return _no_store({"jobs": [page.view.as_json()]})


@bp.route("/projects/<int:project_id>/jobs/<int:job_id>/retry", methods=["POST"])
@roles_required("buyer")
def job_retry(project_id: int, job_id: int):
    """Run a failed (or stalled) job again; its progress page follows it.

    :raise 404: when the job is not one of this project's.
    """
    project = get_project(project_id)
    job = db.session.get(Job, job_id)
    if job is None or job.project_id != project.id:
        abort(404)
    if attempt(None, job_service.retry, job, current_user):
        flash(_("已重新开始生成文书。"), "success")
    return redirect(url_for("buyer.job_progress", project_id=project.id, job_id=job.id))
