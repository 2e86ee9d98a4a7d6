"""The calendar, the audit trail (events and chain heads) and the demo clock (系统)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.extensions import db
from procurement.models._base import created_at_column, fk, utc

HOLIDAY_KINDS = ("national_holiday", "national_workday", "regional_holiday")


class CalendarYear(db.Model):
    """A year whose national schedule buyer staff entered; it overrides the library's."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    entered_at: Mapped[datetime] = created_at_column()
    entered_by_id: Mapped[int | None] = fk("user.id", nullable=True)


class Holiday(db.Model):
    """A day off or a make-up working day: national (entered) or regional (藏历新年, 雪顿节)."""

    __tablename__ = "holiday"
    __table_args__ = (
        sa.UniqueConstraint("day", "kind"),
        sa.CheckConstraint(f"kind IN {HOLIDAY_KINDS!r}", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = created_at_column()
    created_by_id: Mapped[int | None] = fk("user.id", nullable=True)


class AuditEvent(db.Model):
    """One link of a hash-chained audit trail: ``seq`` within ``chain`` (design.md §8)."""

    __tablename__ = "audit_event"
    # One number per chain: two events can never claim the same place, so each chain stays linear.
    __table_args__ = (sa.UniqueConstraint("chain", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(sa.String(40))
    seq: Mapped[int] = mapped_column(sa.Integer)
    occurred_at: Mapped[datetime] = created_at_column()
    actor_id: Mapped[int | None] = fk("user.id", nullable=True)
    actor: Mapped[str] = mapped_column(sa.String(300))
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(64))
    object_id: Mapped[str] = mapped_column(sa.String(64))
    project_id: Mapped[int | None] = fk("project.id", nullable=True)
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    actor_user: Mapped["User | None"] = relationship(lazy="joined")  # noqa: F821


class AuditChainHead(db.Model):
    """A chain's head, apart from its events: the last event's number, hash, action and time,
    sealed with an HMAC under the audit key (which is not in the database). Appending an event
    updates its chain's head in the same transaction; the head's row is the chain's lock."""

    __tablename__ = "audit_chain_head"

    chain: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(sa.Integer)
    hash: Mapped[str] = mapped_column(sa.String(64))
    last_action: Mapped[str | None] = mapped_column(sa.String(64))
    last_occurred_at: Mapped[datetime | None] = utc()
    sealed_at: Mapped[datetime | None] = utc()
    # NULL until sealed: the migration that introduced the heads could not know the key.
    mac: Mapped[str | None] = mapped_column(sa.String(64))


class ClockSetting(db.Model):
    """The demo clock, shared by every worker: simulated time anchored to a real instant."""

    __tablename__ = "clock_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    simulated_at: Mapped[datetime] = utc(nullable=False)
    real_anchor: Mapped[datetime] = utc(nullable=False)
    set_by_id: Mapped[int | None] = fk("user.id", nullable=True)
