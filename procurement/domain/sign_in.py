"""Sign-in lockout: after repeated wrong passwords an account is locked for a while.

The state is one row per account name as typed (normalised email), whether or not such an
account exists, so the answers never tell which emails have accounts. ``failures`` counts
wrong passwords in a row; a right one resets it, and so does a quiet spell of
:attr:`LockoutPolicy.forget_after`. From :attr:`LockoutPolicy.threshold` failures on, each
failure locks the account: ``base`` the first time, doubling with every further failure after
a lock has ended, up to ``cap``. While locked, no password is checked at all (the right one
does not get in either) and the attempt does not count.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LockoutPolicy:
    """How many wrong passwords lock an account, and for how long."""

    threshold: int = 5
    base: timedelta = timedelta(minutes=15)
    cap: timedelta = timedelta(hours=24)
    forget_after: timedelta = timedelta(hours=24)

    def lock_for(self, failures: int) -> timedelta | None:
        """How long the ``failures``-th wrong password in a row locks the account (``None``: not at all)."""
        if failures < self.threshold:
            return None
        doublings = min(failures - self.threshold, 32)  # 2**32 × base is past any cap
        return min(self.base * (2**doublings), self.cap)


@dataclass(frozen=True)
class LockState:
    """An account's lockout state: wrong passwords in a row, the last one's time, locked until when."""

    failures: int = 0
    last_failure_at: datetime | None = None
    locked_until: datetime | None = None

    def locked_at(self, now: datetime) -> bool:
        """Whether the account is locked at ``now``."""
        return self.locked_until is not None and now < self.locked_until

    def after_failure(self, now: datetime, policy: LockoutPolicy) -> "LockState":
        """The state after one more wrong password at ``now`` (the account not being locked)."""
        failures = self.failures
        if self.last_failure_at is not None and now - self.last_failure_at > policy.forget_after:
            failures = 0
        failures += 1
        duration = policy.lock_for(failures)
        return LockState(failures, now, now + duration if duration else None)

    def after_success(self) -> "LockState":
        """The state after the right password: nothing held against the account."""
        return LockState()
