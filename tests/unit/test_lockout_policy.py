"""The sign-in lockout (domain.sign_in): when an account name locks, for how long, and what resets it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from procurement.domain.sign_in import LockoutPolicy, LockState

T0 = datetime(2024, 12, 20, 2, 0, tzinfo=timezone.utc)
POLICY = LockoutPolicy(threshold=5, base=timedelta(minutes=15), cap=timedelta(hours=24), forget_after=timedelta(hours=24))


def _fail(state: LockState, times: int, at: datetime) -> LockState:
    for _ in range(times):
        state = state.after_failure(at, POLICY)
    return state


def test_the_fifth_wrong_password_in_a_row_locks_for_fifteen_minutes():
    state = _fail(LockState(), 4, T0)
    assert state.failures == 4 and state.locked_until is None and not state.locked_at(T0)
    state = state.after_failure(T0, POLICY)
    assert state.locked_until == T0 + timedelta(minutes=15)
    assert state.locked_at(T0 + timedelta(minutes=14, seconds=59))
    assert not state.locked_at(T0 + timedelta(minutes=15))


def test_each_further_failure_after_a_lock_doubles_it_up_to_a_day():
    state = _fail(LockState(), 5, T0)
    durations = []
    at = T0
    for _ in range(10):
        at = state.locked_until
        state = state.after_failure(at, POLICY)
        durations.append(state.locked_until - at)
    assert durations[:4] == [timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2), timedelta(hours=4)]
    assert durations[-1] == timedelta(hours=24)
    assert POLICY.lock_for(10_000) == timedelta(hours=24)


def test_the_right_password_and_a_quiet_day_forget_the_failures():
    assert _fail(LockState(), 4, T0).after_success() == LockState()
    state = _fail(LockState(), 4, T0).after_failure(T0 + timedelta(hours=25), POLICY)
    assert state.failures == 1 and state.locked_until is None
