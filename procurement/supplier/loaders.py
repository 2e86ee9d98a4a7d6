"""Object loaders for supplier views: another supplier's object answers 404."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from procurement.extensions import db
from procurement.models import Company, Project, Registration


def current_company() -> Company:
    """The signed-in supplier's company.

    :raise 404: when the account has no company (should not happen for suppliers).
    """
    company = current_user.company
    if company is None:
        abort(404)
    return company


def get_public_project(project_id: int) -> Project:
    """A published project.

    :raise 404: for drafts and unknown ids.
    """
    project = db.session.get(Project, project_id)
    if project is None or not project.is_public:
        abort(404)
    return project


def own_registration(project: Project) -> Registration | None:
    """The current supplier's registration for ``project``, if any."""
    return db.session.scalar(
        sa.select(Registration).where(Registration.project_id == project.id, Registration.company_id == current_company().id)
    )


def get_own_registration(registration_id: int) -> Registration:
    """A registration of the current supplier.

    :raise 404: when it does not exist or belongs to another supplier.
    """
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.company_id != current_company().id:
        abort(404)
    return registration
