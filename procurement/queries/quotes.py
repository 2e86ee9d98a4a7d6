"""Reads of a supplier's sealed quote: its versions, whether it may change now, and the hub's model.

Never an amount: a sealed quote's row holds only the sealed bytes and the receipt hash, and
nothing here opens it. Nothing here writes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from procurement import clock
from procurement.domain import DomainError, N_
from procurement.extensions import db
from procurement.formatting import local_clock, local_seconds
from procurement.models import KIND_WITHDRAWAL, REG_ACCEPTED, STATUS_CANCELLED, STATUS_PUBLISHED, Project, Registration, SealedQuote
from procurement.queries.opening import OpeningRecord, server_time_text, supplier_record


class QuoteRefusal(DomainError):
    """Why a registration may not submit, revise or withdraw now (``code`` says which rule)."""

    code = "quote_refused"


def deadline_text(project: Project) -> str:
    """The deadline as the notice writes it: 2025年1月2日16点00分 (Beijing time); in English 2 Jan 2025, 16:00."""
    return local_clock(project.opening_at)


def refusal(registration: Registration | None, now: datetime | None = None) -> QuoteRefusal | None:
    """Why this registration may not submit, revise or withdraw now, or ``None`` when it may.

    Shapes pages; a submission decides again inside its locked transaction.
    """
    if registration is None or registration.status != REG_ACCEPTED:
        return QuoteRefusal(N_("报名审核通过后才能报价。"), "not_accepted")
    project = registration.project
    if project.status == STATUS_CANCELLED:
        return QuoteRefusal(N_("该项目已终止，不再接受报价。"), "project_cancelled")
    now = now or clock.now()
    if project.status != STATUS_PUBLISHED or now >= project.opening_at:
        return QuoteRefusal(
            N_("报价截止时间（%(deadline)s，北京时间）已到，不再接受报价、修改或撤回。"),
            "deadline_passed",
            deadline=deadline_text(project),
        )
    return None


def latest_version(registration_id: int) -> SealedQuote | None:
    """The newest version (quote or withdrawal) of a registration's quote, if any."""
    return db.session.scalar(
        sa.select(SealedQuote)
        .where(SealedQuote.registration_id == registration_id)
        .order_by(SealedQuote.version.desc())
        .limit(1)
    )


def current_quote(registration_id: int) -> SealedQuote | None:
    """The version that counts now (``None`` before the first submission and after a withdrawal)."""
    return db.session.scalar(
        sa.select(SealedQuote).where(SealedQuote.registration_id == registration_id, SealedQuote.is_current.is_(True))
    )


def versions(registration_id: int) -> list[SealedQuote]:
    """Every version of a registration's quote, oldest first."""
    return list(
        db.session.scalars(
            sa.select(SealedQuote).where(SealedQuote.registration_id == registration_id).order_by(SealedQuote.version)
        )
    )


def get_version(registration: Registration, version: int) -> SealedQuote | None:
    """One version of a registration's quote."""
    return db.session.scalar(
        sa.select(SealedQuote).where(SealedQuote.registration_id == registration.id, SealedQuote.version == version)
    )


@dataclass(frozen=True)
class QuoteStatus:
    """A registration's quote as its supplier's pages show it (never an amount)."""

    registration: Registration | None
    current: SealedQuote | None
    versions: tuple[SealedQuote, ...]
    refusal: DomainError | None

    @property
    def can_change(self) -> bool:
        """Whether submitting, revising or withdrawing is possible now."""
        return self.refusal is None

    @property
    def latest_version(self) -> int:
        """The newest version number, 0 when none (what forms send back as ``expected_version``)."""
        return self.versions[-1].version if self.versions else 0

    @property
    def withdrawn(self) -> bool:
        """Whether the newest version is a withdrawal."""
        return bool(self.versions) and self.versions[-1].kind == KIND_WITHDRAWAL

    def server_time(self, quote: SealedQuote) -> str:
        """A version's server time, to the second (Beijing time)."""
        return local_seconds(quote.submitted_at)


def status_for(registration: Registration | None) -> QuoteStatus:
    """The quote status of a supplier's registration (``None``: not registered); one statement."""
    if registration is None:
        return QuoteStatus(None, None, (), refusal(None))
    history = tuple(versions(registration.id))
    current = next((v for v in history if v.is_current), None)
    return QuoteStatus(registration, current, history, refusal(registration))


@dataclass(frozen=True)
class QuoteHub:
    """The supplier hub's quote and opening steps: the quote's status, and the opening record once
    the supplier's quote was opened (``None`` otherwise)."""

    status: QuoteStatus
    opening: OpeningRecord | None


def quote_hub(project: Project, registration: Registration | None) -> QuoteHub:
    """The supplier hub's model of its quote and opening sections (statements fixed in the rows)."""
    return QuoteHub(
        status=status_for(registration),
        opening=supplier_record(project, registration.company_id) if registration is not None else None,
    )


__all__ = [
    "QuoteHub",
    "QuoteRefusal",
    "QuoteStatus",
    "current_quote",
    "deadline_text",
    "get_version",
    "latest_version",
    "quote_hub",
    "refusal",
    "status_for",
    "versions",
]
