"""Object loaders for supplier views: another supplier's object answers 404."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from procurement.extensions import db
from procurement.models import Company, Project, Registration
from procurement.queries import registrations as registration_queries
from procurement.queries.public import public_project


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
    project = public_project(project_id)
    if project is None:
        abort(404)
    return project


def own_registration(project: Project) -> Registration | None:
    """The current supplier's registration for ``project``, if any."""
    return registration_queries.own_registration(project, current_company())


def get_own_registration(registration_id: int) -> Registration:
    """A registration of the current supplier.

    :raise 404: when it does not exist or belongs to another supplier.
    """
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.company_id != current_company().id:
        abort(404)
    return registration
