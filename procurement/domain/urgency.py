"""How urgent a to-do is: the time left before it falls due (or how long it is overdue), and the
order a to-do list is read in.

Due times come from the frozen schedule and the deadline rules (``domain.schedule``,
``domain.deadlines``); this module only compares them with "now". A deadline given as a date
(a challenge answer due on 2025-01-15) lasts the whole of that Beijing day, as the rules that
read it do (``today > due_on`` is late): :func:`end_of_day` is the instant it is over.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from procurement.domain import N_
from procurement.domain.schedule import from_beijing

__all__ = ["TimeLeft", "end_of_day", "time_left", "urgency_key"]

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR


def _require_aware(dt: datetime, name: str) -> None:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {dt!r}")


def end_of_day(day: date) -> datetime:
    """The aware instant a date deadline is over: midnight (Beijing time) after ``day``."""
    return from_beijing(day + timedelta(days=1), time(0, 0))


@dataclass(frozen=True)
class TimeLeft:
    """Time left before a due time, or how long ago it passed; ``message`` is an untranslated template."""

    overdue: bool
    message: str
    params: dict[str, int] = field(default_factory=dict)


def time_left(now: datetime, due: datetime) -> TimeLeft:
    """``剩余 2 天 3 小时`` before ``due``, ``已逾期 1 天`` from ``due`` on (both aware).

    Overdue from the due instant itself: a quote deadline at 16:00 accepts nothing at 16:00:00.
    Time left keeps two units (days and hours, hours and minutes) and rounds down; time overdue
    keeps the largest unit only.
    """
    _require_aware(now, "now")
    _require_aware(due, "due")
    seconds = int((due - now).total_seconds())
    if seconds <= 0:
        late = -seconds
        if late >= _DAY:
            return TimeLeft(True, N_("已逾期 %(days)s 天"), {"days": late // _DAY})
        if late >= _HOUR:
            return TimeLeft(True, N_("已逾期 %(hours)s 小时"), {"hours": late // _HOUR})
        if late >= _MINUTE:
            return TimeLeft(True, N_("已逾期 %(minutes)s 分钟"), {"minutes": late // _MINUTE})
        return TimeLeft(True, N_("已逾期"))
    days, rest = divmod(seconds, _DAY)
    hours, rest = divmod(rest, _HOUR)
    minutes = rest // _MINUTE
    if days:
        return TimeLeft(False, N_("剩余 %(days)s 天 %(hours)s 小时"), {"days": days, "hours": hours})
    if hours:
        return TimeLeft(False, N_("剩余 %(hours)s 小时 %(minutes)s 分钟"), {"hours": hours, "minutes": minutes})
    if minutes:
        return TimeLeft(False, N_("剩余 %(minutes)s 分钟"), {"minutes": minutes})
    return TimeLeft(False, N_("剩余不到 1 分钟"))


def urgency_key(now: datetime, *, mine: bool, due: datetime | None, since: datetime | None, broken: bool = False) -> tuple:
    """The sort key of a to-do: what the reader must do first, then what others owe.

    Within each: overdue first (the longest overdue first), then something broken that waits for
    a hand (a failed job: ``broken``), then what falls due (soonest first), then what has no due
    time (waiting longest first).
    """
    _require_aware(now, "now")
    if due is not None and due <= now:
        bucket, moment = 0, due
    elif broken:
        bucket, moment = 1, since
    elif due is not None:
        bucket, moment = 2, due
    else:
        bucket, moment = 3, since
    return (0 if mine else 1, bucket, moment.timestamp() if moment is not None else float("inf"))
