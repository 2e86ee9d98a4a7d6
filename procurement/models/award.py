"""Awards, generated documents and challenges (成交、文书与质疑)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.db_types import Money
from procurement.extensions import db
from procurement.models._base import created_at_column, fk, utc


class Award(db.Model):
    """The buyer's decision on one candidate: awarded, declined or found ineligible."""

    __tablename__ = "award"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "registration_id"),
        sa.CheckConstraint("status IN ('awarded', 'declined', 'ineligible')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id")
    registration_id: Mapped[int] = fk("registration.id")
    candidate_place: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    amount: Mapped[Decimal | None] = mapped_column(Money())
    decided_at: Mapped[datetime] = created_at_column()
    decided_by_id: Mapped[int] = fk("user.id")
    publicity_ends: Mapped[date | None] = mapped_column(sa.Date)
    challenge_deadline: Mapped[date | None] = mapped_column(sa.Date)
    contract_deadline: Mapped[date | None] = mapped_column(sa.Date)

    registration: Mapped["Registration"] = relationship()  # noqa: F821


class GeneratedDocument(db.Model):
    """A generated PDF, stored with its SHA-256 and a public verification code."""

    __tablename__ = "generated_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int | None] = fk("project.id", nullable=True)
    registration_id: Mapped[int | None] = fk("registration.id", nullable=True)
    # announcement, opening_record, evaluation_report, result_announcement,
    # award_notice, result_notice, termination_notice, receipt
    kind: Mapped[str] = mapped_column(sa.String(32), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    verification_code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    storage_path: Mapped[str] = mapped_column(sa.String(255))
    issued_at: Mapped[datetime] = created_at_column()
    superseded_at: Mapped[datetime | None] = utc()


class Challenge(db.Model):
    """A written challenge (质疑) by a participant, and the buyer's written answer."""

    __tablename__ = "challenge"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id")
    registration_id: Mapped[int] = fk("registration.id")
    filed_by_id: Mapped[int] = fk("user.id")
    text: Mapped[str] = mapped_column(sa.Text)
    filed_at: Mapped[datetime] = created_at_column()
    answer_due_on: Mapped[date] = mapped_column(sa.Date)
    answer_text: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None] = utc()
    answered_by_id: Mapped[int | None] = fk("user.id", nullable=True)

    registration: Mapped["Registration"] = relationship()  # noqa: F821
    attachments: Mapped[list["ChallengeAttachment"]] = relationship(cascade="all, delete-orphan")


class ChallengeAttachment(db.Model):
    """A file attached to a challenge."""

    __tablename__ = "challenge_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = fk("challenge.id", ondelete="CASCADE")
    stored_file_id: Mapped[int] = fk("stored_file.id")

    stored_file: Mapped["StoredFile"] = relationship()  # noqa: F821
