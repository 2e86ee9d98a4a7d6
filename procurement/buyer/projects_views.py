"""Buyer staff: the project list and each project's page (the hub of its workflow)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from procurement import clock
from procurement.auth.permissions import roles_required
from procurement.buyer.loaders import get_project
from procurement.buyer.views import bp
from procurement.extensions import db
from procurement.models import Project
from procurement.services import projects as project_service


@bp.route("/")
@roles_required("buyer")
def home():
    """All projects, drafts included, newest first."""
    projects = db.session.scalars(sa.select(Project).order_by(Project.created_at.desc(), Project.id.desc())).all()
    now = clock.now()
    return render_template("buyer/home.html", projects=projects, phase=lambda p: project_service.phase(p, now))


@bp.route("/projects/<int:project_id>")
@roles_required("buyer")
def project(project_id: int):
    """One project: its schedule and every step of its workflow."""
    project = get_project(project_id)
    return render_template(
        "buyer/project.html",
        project=project,
        schedule=project_service.schedule_of(project),
        phase=project_service.phase(project),
    )
