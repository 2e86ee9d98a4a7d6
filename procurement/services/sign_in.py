"""Signing in: the password check behind the per-account lockout, and the record of refusals.

:func:`sign_in` is the only way in. It reads the account name's lockout state with a row lock
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write transactions are serialised anyway), so
concurrent wrong passwords on several nodes all count. A locked account name is refused
without looking at the password. Every refusal (wrong password, locked, rate-limited) is a
:class:`~procurement.models.SignInAttempt` row that buyer staff read; successful sign-ins are
the account's ``last_login_at``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from procurement import clock
from procurement.domain.sign_in import LockoutPolicy, LockState
from procurement.database import insert_or_ignore
from procurement.extensions import db
from procurement.models import User
from procurement.models.sign_in import (
    ADDRESS_LENGTH,
    EMAIL_LENGTH,
    OUTCOME_FAILED,
    OUTCOME_LOCKED,
    OUTCOME_THROTTLED,
    SignInAttempt,
    SignInLock,
)
from procurement.services import accounts
from procurement.services.unit_of_work import command


@dataclass(frozen=True)
class SignInOutcome:
    """What :func:`sign_in` decided: the user, or why not.

    ``locked_until``: the account name is locked until then; ``newly_locked``: this attempt's
    wrong password locked it (else it was locked already and the password was not checked).
    """

    user: User | None = None
    locked_until: datetime | None = None
    newly_locked: bool = False

    @property
    def ok(self) -> bool:
        """Whether the user may sign in."""
        return self.user is not None


def policy() -> LockoutPolicy:
    """The lockout policy the configuration sets."""
    config = current_app.config
    return LockoutPolicy(
        threshold=config["LOGIN_LOCKOUT_THRESHOLD"],
        base=timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]),
        cap=timedelta(minutes=config["LOGIN_LOCKOUT_MAX_MINUTES"]),
        forget_after=timedelta(minutes=config["LOGIN_LOCKOUT_FORGET_MINUTES"]),
    )


def account_name(email: str | None) -> str:
    """The name a lock and a record are kept under: the normalised email, bounded like the column."""
    return accounts.normalise_email(email or "")[:EMAIL_LENGTH]


def _address(address: str | None) -> str:
    return (address or "unknown")[:ADDRESS_LENGTH]


def _locked_row(email: str) -> SignInLock:
    """The account name's lock row, created when missing, held for the rest of the transaction."""
    insert_or_ignore(SignInLock, ["email"], email=email, failures=0)
    return db.session.execute(
        sa.select(SignInLock).where(SignInLock.email == email).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def _record(email: str, address: str | None, outcome: str, user: User | None, locked_until=None) -> None:
    db.session.add(
        SignInAttempt(
            at=clock.now(),
            email=email,
            user_id=user.id if user is not None else None,
            address=_address(address),
            outcome=outcome,
            locked_until=locked_until,
        )
    )


def _state(row: SignInLock) -> LockState:
    return LockState(row.failures, row.last_failure_at, row.locked_until)


@command
def sign_in(email: str, password: str, address: str | None) -> SignInOutcome:
    """Check ``password`` for ``email`` unless the account name is locked; count and record a failure.

    The right password resets the count, refreshes an outdated hash (:func:`accounts.needs_rehash`)
    and records ``last_login_at``. The same answer is given whether or not the account exists.
    """
    now = clock.now()
    name = account_name(email)
    row = db.session.get(SignInLock, name)
    user = db.session.scalar(sa.select(User).where(User.email == name)) if name else None
    if row is not None and _state(row).locked_at(now):
        _record(name, address, OUTCOME_LOCKED, user)
        return SignInOutcome(locked_until=row.locked_until)
    if accounts.check_password(user, password) and user.active:
        if row is not None:
            db.session.delete(row)
        if accounts.needs_rehash(user.password_hash):
            user.password_hash = accounts.hash_password(password)
        user.last_login_at = now
        return SignInOutcome(user=user)
    row = _locked_row(name)
    state = _state(row)
    if state.locked_at(now):  # another node locked it meanwhile
        _record(name, address, OUTCOME_LOCKED, user)
        return SignInOutcome(locked_until=row.locked_until)
    state = state.after_failure(now, policy())
    row.failures, row.last_failure_at, row.locked_until = state.failures, state.last_failure_at, state.locked_until
    _record(name, address, OUTCOME_FAILED, user, state.locked_until)
    return SignInOutcome(locked_until=state.locked_until, newly_locked=state.locked_until is not None)


@command
def record_throttled(email: str | None, address: str | None) -> None:
    """Record a sign-in the rate limit refused before any password was checked."""
    name = account_name(email)
    user = db.session.scalar(sa.select(User).where(User.email == name)) if name else None
    _record(name, address, OUTCOME_THROTTLED, user)
