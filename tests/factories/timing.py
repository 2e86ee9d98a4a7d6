"""Moving the test's clock around a service call, and back."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Iterator

from procurement.clock import FixedClock, get_clock
from procurement.extensions import db


def the_clock(clock=None):
    """``clock`` or, when the caller passed none, the clock installed on the current app."""
    return clock if clock is not None else get_clock()


def move(clock, at: datetime) -> None:
    """Set ``clock`` to ``at``; a database-backed (simulated) clock is committed so every worker sees it."""
    clock.set(at)
    if not isinstance(clock, FixedClock):
        db.session.commit()


@contextmanager
def moved(clock, at: datetime) -> Iterator[None]:
    """Run the block with ``clock`` (the app's when ``None``) at ``at``; afterwards it reads what it read before."""
    clock = the_clock(clock)
    before = clock.now()
    move(clock, at)
    try:
        yield
    finally:
        move(clock, before)
