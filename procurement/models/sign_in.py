"""Sign-in lockout state and the record of refused sign-ins (登录异常记录).

Both live in the database, not in a process, so every node behind the proxy sees the same
lock and buyer staff see every node's refusals.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.db_types import UTCDateTime
from procurement.extensions import db
from procurement.models._base import fk, utc

OUTCOME_FAILED = "failed"  # a wrong password (or an unknown or disabled account)
OUTCOME_LOCKED = "locked"  # refused unchecked: the account is locked
OUTCOME_THROTTLED = "throttled"  # refused by the rate limit (too many requests)
OUTCOMES = (OUTCOME_FAILED, OUTCOME_LOCKED, OUTCOME_THROTTLED)

EMAIL_LENGTH = 254
ADDRESS_LENGTH = 45  # the longest textual IPv6 address (with an embedded IPv4 part)


class SignInLock(db.Model):
    """One account name's wrong passwords in a row and how long it is locked (see domain.sign_in)."""

    __tablename__ = "sign_in_lock"

    # The normalised email as typed, whether or not an account has it.
    email: Mapped[str] = mapped_column(sa.String(EMAIL_LENGTH), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = utc()
    locked_until: Mapped[datetime | None] = utc()


class SignInAttempt(db.Model):
    """A refused sign-in: which account name, from which address, when, and why."""

    __tablename__ = "sign_in_attempt"
    __table_args__ = (sa.CheckConstraint(f"outcome IN {OUTCOMES!r}", name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    email: Mapped[str] = mapped_column(sa.String(EMAIL_LENGTH))
    user_id: Mapped[int | None] = fk("user.id", nullable=True, ondelete="SET NULL")
    address: Mapped[str] = mapped_column(sa.String(ADDRESS_LENGTH))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    # Set when this attempt locked the account (the lock's end).
    locked_until: Mapped[datetime | None] = utc()

    user: Mapped["User | None"] = relationship()  # noqa: F821

