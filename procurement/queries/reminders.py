"""What the reminder clock reads: the deadlines that may be near, with the people to remind.

Set-based: one statement per kind of reminder, joining the people in, whatever the number of
projects or registrants. Each returns the candidates whose deadline has not passed and who were
not reminded of that deadline yet (the reminder's key, built here for Python and for SQL, is
looked up in the query: the rows do not grow with the reminders already sent); which of them
are due is the domain's rule (``domain.notifications.reminder_due``).

The quote deadline's rows carry the current version's number and time, never its sealed
bytes: a reminder says which version counts, not what it quotes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa
import sqlalchemy.orm

from procurement.db_types import date_isoformat, utc_isoformat
from procurement.domain.schedule import beijing
from procurement.extensions import db
from procurement.models import (
    REG_ACCEPTED,
    ROLE_BUYER,
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
from procurement.queries.notifications import not_told


# The occasions' keys (each person's notification adds the person): the deadline is in each, so a
# moved deadline (a correction notice) gets its own reminder. Each has its SQL twin, which must
# give the same text (tests/integration/test_reminders.py checks both on the database).

def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def quote_key(registration_id: int, deadline: datetime) -> str:
    """A registrant's reminder of its project's quote deadline."""
    return f"reminder:quote:{registration_id}:{_utc(deadline)}"


def explanation_key(review_id: int, due_at: datetime) -> str:
    """A supplier's reminder of the written explanation it owes."""
    return f"reminder:explanation:{review_id}:{_utc(due_at)}"


def challenge_key(challenge_id: int, due_on: date) -> str:
    """Buyer staff's reminder of a challenge's answer deadline."""
    return f"reminder:challenge:{challenge_id}:{due_on.isoformat()}"


def _text(column):
    return sa.cast(column, sa.String)


def quote_key_sql():
    return sa.literal("reminder:quote:") + _text(Registration.id) + sa.literal(":") + utc_isoformat(Project.opening_at)


def explanation_key_sql():
    return sa.literal("reminder:explanation:") + _text(AbnormalLowReview.id) + sa.literal(":") + utc_isoformat(AbnormalLowReview.due_at)


def challenge_key_sql():
    return sa.literal("reminder:challenge:") + _text(Challenge.id) + sa.literal(":") + date_isoformat(Challenge.answer_due_on)


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
            not_told(quote_key_sql(), User.id),
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
            not_told(explanation_key_sql(), User.id),
        )
        .order_by(AbnormalLowReview.id, User.id)
    ).tuples()
    return [ExplanationRow(*row) for row in rows]


@dataclass(frozen=True)
class ChallengeRow:
    """A challenge not yet answered whose last day to answer has not ended, with a buyer staff
    account not reminded of it yet."""

    challenge: Challenge
    project: Project
    supplier: str
    user: User


def answers_due(now: datetime) -> list[ChallengeRow]:
    """Every unanswered challenge whose answer is due today or later (Beijing dates), with each
    active buyer staff account not yet reminded of that date."""
    today: date = beijing(now).date()
    rows = db.session.execute(
        sa.select(Challenge, Project, Registration, User)
        .join(Project, Project.id == Challenge.project_id)
        .join(Registration, Registration.id == Challenge.registration_id)
        .join(User, sa.and_(User.role == ROLE_BUYER, User.active.is_(True)))
        .where(Challenge.answered_at.is_(None), Challenge.answer_due_on >= today, not_told(challenge_key_sql(), User.id))
        .order_by(Challenge.id, User.id)
    ).tuples()
    return [
        ChallengeRow(challenge, project, (registration.company_snapshot or {}).get("name") or "", user)
        for challenge, project, registration, user in rows
    ]
