"""Buyer staff: the documents a project's jobs are issuing (progress as JSON) and a failed job's retry."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, url_for
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


@bp.route("/projects/<int:project_id>/jobs.json")
@roles_required("buyer")
def project_jobs(project_id: int):
    """The project's unfinished jobs with their progress, polled by ``static/js/jobs.js``."""
    project = get_project(project_id)
    response = jsonify({"jobs": [view.as_json() for view in job_queries.project_jobs(project)]})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/projects/<int:project_id>/jobs/<int:job_id>/retry", methods=["POST"])
@roles_required("buyer")
def job_retry(project_id: int, job_id: int):
    """Run a failed (or stalled) job again.

    :raise 404: when the job is not one of this project's.
    """
    project = get_project(project_id)
    job = db.session.get(Job, job_id)
    if job is None or job.project_id != project.id:
        abort(404)
    if attempt(None, job_service.retry, job, current_user):
        flash(_("已重新开始生成文书。"), "success")
    return redirect(url_for("buyer.project", project_id=project.id) + "#jobs")
