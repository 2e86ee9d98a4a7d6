"""Challenges (质疑) as they stand: the challenge period, who may challenge, the lists.

The period runs from the publication of the result until the challenge deadline stored on the
published awards, inclusive, Beijing dates. After it the project is over (结束): "closed" is not
a stored status but this derived state (``ChallengeWindow.state == "closed"``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from procurement import clock
from procurement.domain.schedule import beijing
from procurement.extensions import db
from procurement.models import STATUS_AWARDED, Award, Challenge, ChallengeAttachment, EvaluationResult, Project, Registration, StoredFile
from procurement.queries.award import answer_overdue, project_challenges, published_winners

__all__ = [
    "ChallengeWindow",
    "answer_overdue",
    "for_project",
    "is_participant",
    "of_registration",
    "usable_attachments",
    "window",
    "window_of",
]

MAX_ATTACHMENTS = 10

for_project = project_challenges


@dataclass(frozen=True)
class ChallengeWindow:
    """Where the challenge period stands at a moment."""

    state: str  # "not_yet" (result not published), "open", "closed"
    opens_on: date | None
    due_on: date | None

    @property
    def is_open(self) -> bool:
        """Whether a challenge may be filed now."""
        return self.state == "open"


def window_of(published: list[Award], now: datetime | None = None) -> ChallengeWindow:
    """The challenge period given the project's published standing awards."""
    if not published:
        return ChallengeWindow("not_yet", None, None)
    due = max(award.challenge_deadline for award in published if award.challenge_deadline)
    today = beijing(now or clock.now()).date()
    return ChallengeWindow("open" if today <= due else "closed", None, due)


def window(project: Project, now: datetime | None = None) -> ChallengeWindow:
    """The challenge period of a project at ``now``."""
    published = published_winners(project) if project.status == STATUS_AWARDED else []
    return window_of(published, now)


def is_participant(project: Project, registration: Registration | None) -> bool:
    """Whether ``registration`` took part in the evaluation of ``project`` (and so may challenge)."""
    if registration is None or registration.project_id != project.id:
        return False
    return (
        db.session.scalar(
            sa.select(EvaluationResult.id).where(
                EvaluationResult.project_id == project.id, EvaluationResult.registration_id == registration.id
            )
        )
        is not None
    )


def of_registration(registration: Registration) -> list[Challenge]:
    """A participant's own challenges, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Challenge)
            .where(Challenge.registration_id == registration.id)
            .order_by(Challenge.filed_at, Challenge.id)
        )
    )


def with_attachments(challenge_id: int) -> Challenge | None:
    """A challenge with its registration, company and attachments' files loaded."""
    return db.session.scalar(
        sa.select(Challenge)
        .where(Challenge.id == challenge_id)
        .options(
            selectinload(Challenge.registration).selectinload(Registration.company),
            selectinload(Challenge.attachments).selectinload(ChallengeAttachment.stored_file),
        )
    )


def usable_attachments(ids: list[int], actor) -> list[StoredFile]:
    """Files this user uploaded for a challenge that are not yet attached to one.

    Unknown ids, other people's files and files already attached are left out silently: the
    hidden list comes from the browser and is never trusted.
    """
    if not ids:
        return []
    attached = sa.select(ChallengeAttachment.stored_file_id)
    rows = db.session.scalars(
        sa.select(StoredFile)
        .where(StoredFile.id.in_(ids), StoredFile.uploaded_by_id == actor.id, StoredFile.id.not_in(attached))
        .order_by(StoredFile.id)
    ).all()
    return list(rows)[:MAX_ATTACHMENTS]
