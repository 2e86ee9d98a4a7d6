"""The opening record (开标记录) as a page model: one read for the buyer's, the supplier's and the
panel's pages, the project hubs' sections and the stored PDF.

Its rows come from one statement (opened quote ⋈ sealed quote ⋈ registration ⋈ company), so a
record of 1,000 quotes costs what a record of 3 does. Nothing here writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from procurement import clock
from procurement.domain.money import amount_in_words_rmb
from procurement.extensions import db
from procurement.formatting import cn_clock, local_clock, local_seconds, to_beijing  # noqa: F401
from procurement.models import (
    STATUS_PUBLISHED,
    Company,
    GeneratedDocument,
    OpenedQuote,
    PanelMember,
    Project,
    Registration,
    SealedQuote,
)
from procurement.queries.lookups import supplier_name
from procurement.queries.quorum import QuorumStatus, quorum_status


def server_time_text(moment: datetime) -> str:
    """A receipt's server time to the second, Beijing time: 2025年1月2日 15:59:59."""
    local = to_beijing(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"


@dataclass(frozen=True)
class OpeningRow:
    """One line of the opening record: who, how much, when finally submitted, which receipt."""

    number: int
    registration_id: int
    company_id: int
    supplier: str
    total: Decimal
    total_words: str
    version: int
    submitted_at: datetime
    receipt_hash: str
    hash_verified: bool

    @property
    def submitted_text(self) -> str:  # in the page's language; a document is rendered in Chinese
        """The final submission's server time, to the second (Beijing time)."""
        return local_seconds(self.submitted_at)


@dataclass(frozen=True)
class OpeningRecord:
    """What every view of the opening shows: the rows once opened; before, the sealed state.

    ``received`` (a count of current sealed quotes, never an amount) is only filled for buyer staff.
    ``quorum`` is the quorum opening's state (officials, who supplied a share and when) for a
    quorum project, ``None`` in server-key mode.
    """

    project: Project
    opened: bool
    rows: tuple[OpeningRow, ...]
    received: int | None
    can_open: bool
    before_time: bool
    deadline: str
    quorum: QuorumStatus | None = None

    @property
    def opened_text(self) -> str:
        """The actual opening time, to the second (Beijing time)."""
        return local_seconds(self.project.opened_at) if self.project.opened_at else ""


def is_opened(project: Project) -> bool:
    """Whether the quotes of the project have been opened (any status after the opening)."""
    return project.opened_at is not None


def can_open(project: Project, now: datetime | None = None) -> bool:
    """Whether the buyer's open button applies: server-key mode, published, at or after the opening time.

    A quorum project has no open button: its officials' passphrases open it (``queries.quorum``).
    """
    return not project.is_quorum and project.status == STATUS_PUBLISHED and (now or clock.now()) >= project.opening_at


def opening_rows(project: Project) -> list[OpeningRow]:
    """The opening record's rows, in order of final submission (empty before the opening); one statement."""
    found = db.session.execute(
        sa.select(OpenedQuote, SealedQuote, Registration, Company)
        .join(SealedQuote, SealedQuote.id == OpenedQuote.sealed_quote_id)
        .join(Registration, Registration.id == OpenedQuote.registration_id)
        .join(Company, Company.id == Registration.company_id)
        .where(OpenedQuote.project_id == project.id)
        .order_by(SealedQuote.submitted_at, OpenedQuote.id)
    ).all()
    return [
        OpeningRow(
            number=number,
            registration_id=record.registration_id,
            company_id=registration.company_id,
            supplier=supplier_name(registration),  # the company is in the session already: no statement
            total=record.total,
            total_words=amount_in_words_rmb(record.total),
            version=quote.version,
            submitted_at=quote.submitted_at,
            receipt_hash=quote.receipt_hash,
            hash_verified=record.hash_verified,
        )
        for number, (record, quote, registration, _company) in enumerate(found, start=1)
    ]


def received_count(project: Project) -> int:
    """How many registrations hold a current sealed quote (for buyer staff; no names, no amounts)."""
    return db.session.scalar(
        sa.select(sa.func.count(SealedQuote.id))
        .join(Registration, Registration.id == SealedQuote.registration_id)
        .where(Registration.project_id == project.id, SealedQuote.is_current.is_(True))
    ) or 0


def opening_record(project: Project, *, with_received: bool = False) -> OpeningRecord:
    """The opening record page model (the PDF's context too); ``with_received`` adds the count for buyer staff."""
    opened = is_opened(project)
    now = clock.now()
    return OpeningRecord(
        project=project,
        opened=opened,
        rows=tuple(opening_rows(project)) if opened else (),
        received=received_count(project) if with_received and not opened else None,
        can_open=can_open(project, now),
        before_time=project.status == STATUS_PUBLISHED and now < project.opening_at,
        deadline=local_clock(project.opening_at),
        quorum=quorum_status(project, now),
    )


def record_issued(project: Project) -> bool:
    """Whether the opening record PDF exists (its job issues it right after the opening)."""
    return (
        db.session.scalar(
            sa.select(GeneratedDocument.id)
            .where(GeneratedDocument.project_id == project.id, GeneratedDocument.kind == "opening_record")
            .limit(1)
        )
        is not None
    )


def supplier_may_see(project: Project, company_id: int) -> bool:
    """Whether a supplier sees the opening record: the project is opened, its quote was opened,
    and the record's PDF exists (a supplier never sees a record it cannot download)."""
    if not is_opened(project) or not record_issued(project):
        return False
    return (
        db.session.scalar(
            sa.select(OpenedQuote.id)
            .join(Registration, Registration.id == OpenedQuote.registration_id)
            .where(OpenedQuote.project_id == project.id, Registration.company_id == company_id)
            .limit(1)
        )
        is not None
    )


def supplier_record(project: Project, company_id: int) -> OpeningRecord | None:
    """The record for a supplier whose quote was opened, else ``None`` (one statement for the rows).

    Whether the supplier may see it is read off the rows themselves: one of them is its own;
    and only once the record's PDF exists (:func:`record_issued`).
    """
    if not is_opened(project) or not record_issued(project):
        return None
    record = opening_record(project)
    if not any(row.company_id == company_id for row in record.rows):
        return None
    return record


def panel_member_of(project: Project, user_id: int) -> PanelMember | None:
    """The user's (not removed) appointment to the project's panel."""
    return db.session.scalar(
        sa.select(PanelMember).where(
            PanelMember.project_id == project.id, PanelMember.user_id == user_id, PanelMember.removed_at.is_(None)
        )
    )


__all__ = [
    "OpeningRecord",
    "OpeningRow",
    "can_open",
    "is_opened",
    "opening_record",
    "opening_rows",
    "panel_member_of",
    "received_count",
    "server_time_text",
    "supplier_may_see",
    "supplier_record",
]
