"""The buyer's page of refused sign-ins (登录异常记录): recent refusals and the accounts locked now.

The account column shows the account when the name typed is one (buyer staff see every account's
email elsewhere too); a name that is no account's is masked like an ID number, because people
type their password into the email field often enough.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from procurement.domain.identifiers import mask_id_number
from procurement.extensions import db
from procurement.models import SignInAttempt, SignInLock, User

RECENT = 200


@dataclass(frozen=True)
class AttemptRow:
    """One refused sign-in as listed."""

    at: datetime
    account: str  # the account's email, or the masked name typed
    known: bool  # whether an account has that name
    user_name: str | None
    address: str
    outcome: str
    locked_until: datetime | None


@dataclass(frozen=True)
class LockRow:
    """An account name locked now."""

    account: str
    known: bool
    failures: int
    locked_until: datetime


@dataclass(frozen=True)
class SignInAttemptsPage:
    """The page model: the most recent refusals (newest first), their count, and the locks in force."""

    attempts: list[AttemptRow]
    total: int
    locks: list[LockRow]


def _shown(email: str, user: User | None) -> str:
    if user is not None:
        return user.email
    return mask_id_number(email) if email else "—"


def sign_in_attempts_page(now: datetime, limit: int = RECENT) -> SignInAttemptsPage:
    """Three statements: the recent refusals with their accounts, their count, and the current locks."""
    attempts = db.session.scalars(
        sa.select(SignInAttempt).options(joinedload(SignInAttempt.user)).order_by(SignInAttempt.id.desc()).limit(limit)
    ).all()
    total = db.session.scalar(sa.select(sa.func.count(SignInAttempt.id))) or 0
    locks = db.session.execute(
        sa.select(SignInLock, User)
        .outerjoin(User, User.email == SignInLock.email)
        .where(SignInLock.locked_until > now)
        .order_by(SignInLock.locked_until.desc())
    ).all()
    return SignInAttemptsPage(
        attempts=[
            AttemptRow(
                at=row.at,
                account=_shown(row.email, row.user),
                known=row.user is not None,
                user_name=row.user.name if row.user is not None else None,
                address=row.address,
                outcome=row.outcome,
                locked_until=row.locked_until,
            )
            for row in attempts
        ],
        total=total,
        locks=[LockRow(_shown(lock.email, user), user is not None, lock.failures, lock.locked_until) for lock, user in locks],
    )
