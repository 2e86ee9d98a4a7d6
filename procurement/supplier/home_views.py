"""The supplier's home (its registrations) and its page for one project."""
from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import selectinload

from procurement import clock
from procurement.auth.permissions import roles_required
from procurement.extensions import db
from procurement.models import STATUS_PUBLISHED, Project, Registration
from procurement.queries.quotes import quote_hub
from procurement.services import projects as project_service
from procurement.services.calendar import load_calendar
from procurement.supplier.loaders import current_company, get_public_project, own_registration
from procurement.supplier.outcomes import outcome_of, outcomes_for
from procurement.supplier.views import bp


@bp.route("/")
@roles_required("supplier")
def home():
    """My registrations, each with my outcome and its notice, and the open projects I have not registered for."""
    company = current_company()
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.company_id == company.id)
        .options(selectinload(Registration.project))
        .order_by(Registration.created_at.desc())
    ).all()
    registered_ids = {r.project_id for r in registrations}
    now = clock.now()
    calendar = load_calendar()
    open_projects = [
        p
        for p in db.session.scalars(sa.select(Project).where(Project.status == STATUS_PUBLISHED).order_by(Project.opening_at))
        if p.id not in registered_ids and project_service.registration_state(p, now, calendar).state != "closed"
    ]
    return render_template(
        "supplier/home.html",
        company=company,
        registrations=registrations,
        outcomes=outcomes_for(registrations, now, calendar),
        open_projects=open_projects,
        phase=lambda p: project_service.phase(p, now),
    )


@bp.route("/projects/<int:project_id>")
@roles_required("supplier")
def project(project_id: int):
    """Everything this supplier does for one project: its outcome and notice first, then register, quote, the result."""
    project = get_public_project(project_id)
    registration = own_registration(project)
    return render_template(
        "supplier/project.html",
        project=project,
        company=current_company(),
        registration=registration,
        outcome=outcome_of(project, registration),
        schedule=project_service.schedule_of(project),
        phase=project_service.phase(project),
        registration_state=project_service.registration_state(project),
        quote_hub=quote_hub(project, registration),
    )
