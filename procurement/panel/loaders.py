"""What every view of a panel member's project loads first: the seat, the participant.

A member of another project's panel (or anyone not seated on this one) gets 404 for every
page of the project; a seated member who has not declared (or who recused) gets 403 for
the suppliers' documents and the review.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from procurement.extensions import db
from procurement.models import OpenedQuote, PanelMember, Project, Registration
from procurement.queries import evaluation as reads


def get_seat(project_id: int) -> tuple[Project, PanelMember]:
    """The project and the current user's seat on its panel.

    :raise 404: when the project does not exist or the user does not sit on its panel.
    """
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404)
    member = reads.membership(project, current_user)
    if member is None:
        abort(404)
    return project, member


def require_review(member: PanelMember) -> None:
    """Documents and the review only after declaring no conflict and the start of the evaluation.

    :raise 403: otherwise.
    """
    if not reads.can_review(member):
        abort(403)


def get_participant(project: Project, registration_id: int) -> Registration:
    """A participant of ``project`` (a registration whose quote was opened).

    :raise 404: otherwise.
    """
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.project_id != project.id:
        abort(404)
    opened = db.session.scalar(
        sa.select(OpenedQuote.id).where(OpenedQuote.project_id == project.id, OpenedQuote.registration_id == registration.id)
    )
    if opened is None:
        abort(404)
    return registration
