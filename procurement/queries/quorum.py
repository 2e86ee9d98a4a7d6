"""The read side of the quorum opening (多人共同开标): who the officials are, who has supplied a
share and when, how many more are needed; the accounts that may be officials; an official's key
page. Each page model is one statement whatever the number of officials. Nothing here writes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from procurement import clock
from procurement.domain import N_
from procurement.extensions import db
from procurement.formatting import cn_clock
from procurement.models import (
    ROLE_BUYER,
    ROLE_PANEL,
    STATUS_CANCELLED,
    STATUS_DRAFT,
    STATUS_FAILED,
    STATUS_PUBLISHED,
    OpeningKey,
    OpeningOfficial,
    Project,
    User,
)

ROLE_TEXT = {ROLE_BUYER: N_("采购人"), ROLE_PANEL: N_("评审人员")}
ENDED_STATUSES = (STATUS_CANCELLED, STATUS_FAILED)


@dataclass(frozen=True)
class OfficialRow:
    """One opening official as every page shows them: who, and whether and when they supplied a share."""

    position: int
    user_id: int
    name: str
    role: str
    supplied_at: datetime | None

    @property
    def role_text(self) -> str:
        """采购人 or 评审人员 (untranslated: templates pass it through ``_()``)."""
        return ROLE_TEXT.get(self.role, self.role)

    @property
    def supplied_text(self) -> str:
        """When the share was supplied, to the second (Beijing time); empty when not yet."""
        from procurement.formatting import local_seconds  # the page's language; documents render in Chinese

        return local_seconds(self.supplied_at)


@dataclass(frozen=True)
class QuorumStatus:
    """A quorum project's officials and where the opening stands."""

    threshold: int
    officials: tuple[OfficialRow, ...]
    opened: bool
    before_time: bool
    openable: bool  # published, not opened, at or after the opening time: passphrases are taken
    deadline: str
    ended: bool = False  # terminated before its opening: shares erased, nothing to supply, never opens

    @property
    def supplied(self) -> tuple[OfficialRow, ...]:
        """The officials who supplied a share, in the order they did."""
        return tuple(sorted((row for row in self.officials if row.supplied_at), key=lambda row: (row.supplied_at, row.position)))

    @property
    def more_needed(self) -> int:
        """How many more officials must enter their passphrase (0 once opened or ended)."""
        return 0 if self.opened or self.ended else max(self.threshold - len(self.supplied), 0)

    def official(self, user_id: int) -> OfficialRow | None:
        """The user's row, when they are one of the officials."""
        return next((row for row in self.officials if row.user_id == user_id), None)


def quorum_status(project: Project, now: datetime | None = None) -> QuorumStatus | None:
    """The quorum's state for a quorum project (``None`` in server-key mode); one statement."""
    if not project.is_quorum:
        return None
    now = now or clock.now()
    rows = db.session.execute(
        sa.select(OpeningOfficial.position, User.id, User.name, User.role, OpeningOfficial.supplied_at)
        .join(User, User.id == OpeningOfficial.user_id)
        .where(OpeningOfficial.project_id == project.id)
        .order_by(OpeningOfficial.position)
    ).all()
    published = project.status == STATUS_PUBLISHED and project.opened_at is None
    return QuorumStatus(
        threshold=project.quorum_threshold or 0,
        officials=tuple(OfficialRow(*row) for row in rows),
        opened=project.opened_at is not None,
        before_time=published and now < project.opening_at,
        openable=published and now >= project.opening_at,
        deadline=cn_clock(project.opening_at),
        ended=project.opened_at is None and project.status in ENDED_STATUSES,
    )


@dataclass(frozen=True)
class Candidate:
    """An account that may be named an official: buyer staff or panel, active, with an opening key."""

    user_id: int
    name: str
    email: str
    role: str

    @property
    def role_text(self) -> str:
        """采购人 or 评审人员 (untranslated)."""
        return ROLE_TEXT.get(self.role, self.role)


def candidates() -> list[Candidate]:
    """Every account that may be named an official, buyer staff first; one statement."""
    rows = db.session.execute(
        sa.select(User.id, User.name, User.email, User.role)
        .join(OpeningKey, OpeningKey.user_id == User.id)
        .where(User.active.is_(True), User.role.in_((ROLE_BUYER, ROLE_PANEL)))
        .order_by(User.role, User.name, User.id)
    ).all()
    return [Candidate(*row) for row in rows]


def accounts_without_key() -> list[str]:
    """Names of the active buyer staff and panel accounts that have not set up an opening key yet."""
    return list(
        db.session.scalars(
            sa.select(User.name)
            .outerjoin(OpeningKey, OpeningKey.user_id == User.id)
            .where(User.active.is_(True), User.role.in_((ROLE_BUYER, ROLE_PANEL)), OpeningKey.id.is_(None))
            .order_by(User.role, User.name)
        )
    )


@dataclass(frozen=True)
class Task:
    """A quorum project the official is named in (the key page lists them)."""

    project_id: int
    code: str
    title: str
    status: str
    opening_at: datetime
    opened: bool
    supplied_at: datetime | None
    sealed_to: bytes | None

    @property
    def draft(self) -> bool:
        """Whether the project is still a draft (no share sealed yet)."""
        return self.status == STATUS_DRAFT

    @property
    def ended(self) -> bool:
        """Whether the project was terminated before its opening (its shares erased)."""
        return not self.opened and self.status in ENDED_STATUSES


@dataclass(frozen=True)
class KeyPage:
    """An official's key page: whether a key is set up, its fingerprint, and the projects named in."""

    key: OpeningKey | None
    tasks: tuple[Task, ...]

    @property
    def fingerprint(self) -> str:
        """The public key's short name, as the audit trail records it."""
        return hashlib.sha256(self.key.public_key).hexdigest()[:16] if self.key else ""

    def sealed_to_other_key(self, task: Task) -> bool:
        """Whether the task's share was sealed to an earlier key (replaced since: unusable)."""
        return task.sealed_to is not None and self.key is not None and task.sealed_to != self.key.public_key

    @property
    def pending(self) -> tuple[Task, ...]:
        """Published, not yet opened projects whose share would be lost by replacing the key."""
        return tuple(task for task in self.tasks if not task.draft and not task.opened and task.status == STATUS_PUBLISHED)


def key_page(user_id: int) -> KeyPage:
    """The key page of ``user_id``: two statements."""
    key = db.session.scalar(sa.select(OpeningKey).where(OpeningKey.user_id == user_id))
    rows = db.session.execute(
        sa.select(
            Project.id, Project.code, Project.title, Project.status, Project.opening_at,
            Project.opened_at.is_not(None), OpeningOfficial.supplied_at, OpeningOfficial.public_key,
        )
        .join(OpeningOfficial, OpeningOfficial.project_id == Project.id)
        .where(OpeningOfficial.user_id == user_id)
        .order_by(Project.opening_at.desc(), Project.id.desc())
    ).all()
    return KeyPage(key=key, tasks=tuple(Task(*row) for row in rows))
