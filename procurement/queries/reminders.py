"""What the reminder clock reads: the deadlines that may be near, with the people to remind.

Set-based: one statement per kind of reminder, joining the people in, whatever the number of
projects or registrants. Each returns the candidates whose deadline has not passed; which of them
are due is the domain's rule (``domain.notifications.reminder_due``).

The quote deadline's rows carry the current version's number and time, never its sealed
bytes: a reminder says which version counts, not what it quotes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm

from procurement.domain.schedule import beijing
from procurement.extensions import db
from procurement.models import (
    REG_ACCEPTED,
    ROLE_SUPPLIER,
    STATUS_OPENED,
    STATUS_PUBLISHED,
    AbnormalLowReview,
    Challenge,
    Project,
    Registration,
    SealedQuote,
    User,
)


@dataclass(frozen=True)
class QuoteDeadlineRow:
    """An accepted registrant's account before a quote deadline, with its current version (if any)."""

    registration_id: int
    project: Project
    user: User
    version: int | None
    submitted_at: datetime | None
    #: No current version, but an earlier one: the supplier withdrew its quote.
    withdrawn: bool


def _supplier_of(registration_company):
    return sa.and_(User.company_id == registration_company, User.role == ROLE_SUPPLIER, User.active.is_(True))


def quote_deadlines(now: datetime, lead: timedelta) -> list[QuoteDeadlineRow]:
    """Every accepted registrant's account of every published project whose deadline is within ``lead``."""
    earlier = sa.orm.aliased(SealedQuote)
    any_version = sa.exists().where(earlier.registration_id == Registration.id)
    rows = db.session.execute(
        sa.select(Registration.id, Project, User, SealedQuote.version, SealedQuote.submitted_at, any_version)
        .join(Project, Project.id == Registration.project_id)
        .join(User, _supplier_of(Registration.company_id))
        .outerjoin(SealedQuote, sa.and_(SealedQuote.registration_id == Registration.id, SealedQuote.is_current.is_(True)))
        .where(
            Project.status == STATUS_PUBLISHED,
            Registration.status == REG_ACCEPTED,
            Project.opening_at > now,
            Project.opening_at <= now + lead,
        )
        .order_by(Project.id, Registration.id, User.id)
    ).tuples()
    return [
        QuoteDeadlineRow(registration_id, project, user, version, submitted_at, version is None and bool(earlier_version))
        for registration_id, project, user, version, submitted_at, earlier_version in rows
    ]


@dataclass(frozen=True)
class ExplanationRow:
    """A written explanation still awaited, with an account of the supplier asked for it."""

    review: AbnormalLowReview
    project: Project
    user: User


def explanations_due(now: datetime) -> list[ExplanationRow]:
    """Every explanation requested, not yet given nor decided, whose due time has not passed."""
    rows = db.session.execute(
        sa.select(AbnormalLowReview, Project, User)
        .join(Registration, Registration.id == AbnormalLowReview.registration_id)
        .join(Project, Project.id == AbnormalLowReview.project_id)
        .join(User, _supplier_of(Registration.company_id))
        .where(
            Project.status == STATUS_OPENED,
            AbnormalLowReview.requested_at.is_not(None),
            AbnormalLowReview.explained_at.is_(None),
            AbnormalLowReview.decision.is_(None),
            AbnormalLowReview.due_at > now,
        )
        .order_by(AbnormalLowReview.id, User.id)
    ).tuples()
    return [ExplanationRow(*row) for row in rows]


@dataclass(frozen=True)
class ChallengeRow:
    """A challenge not yet answered whose last day to answer has not ended."""

    challenge: Challenge
    project: Project
    supplier: str


def answers_due(now: datetime) -> list[ChallengeRow]:
    """Every unanswered challenge whose answer is due today or later (Beijing dates)."""
    today: date = beijing(now).date()
    rows = db.session.execute(
        sa.select(Challenge, Project, Registration)
        .join(Project, Project.id == Challenge.project_id)
        .join(Registration, Registration.id == Challenge.registration_id)
        .where(Challenge.answered_at.is_(None), Challenge.answer_due_on >= today)
        .order_by(Challenge.id)
    ).tuples()
    return [
        ChallengeRow(challenge, project, (registration.company_snapshot or {}).get("name") or "")
        for challenge, project, registration in rows
    ]
