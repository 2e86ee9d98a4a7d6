"""When a prepared registration can next be submitted (今日15:30起可提交 / 明日9:30起可提交).

A supplier may fill in the registration form and upload its scans at any time while the
registration window is open; only the submission itself waits for the daily hours. This module
turns the next opening instant (taken from the project's published schedule by
:func:`procurement.domain.schedule.registration_status`) into the words the page shows, relative
to "now" in Beijing time. It decides nothing about whether registration is open.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from procurement.domain import N_
from procurement.domain.schedule import beijing

__all__ = ["SubmissionOpens", "submission_opens"]

@dataclass(frozen=True)
class SubmissionOpens:
    """The next moment submitting opens, as an untranslated template and its params.

    ``day`` is ``today``, ``tomorrow`` or ``later`` (relative to now in Beijing time); ``at`` is the
    aware instant itself.
    """

    day: str
    at: datetime
    message: str
    params: dict[str, object] = field(default_factory=dict)


def submission_opens(now: datetime, next_open_at: datetime) -> SubmissionOpens:
    """Describe ``next_open_at`` relative to ``now`` (both aware), in Beijing time.

    The time is written the way prose writes it (9:30, 15:30); a day after tomorrow is named by
    its date and weekday (12月30日（星期一）9:30起可提交), with the year when it differs from now's.

    :raise ValueError: for naive datetimes, or ``next_open_at`` before ``now``.
    """
    local_now, local_at = beijing(now), beijing(next_open_at)
    if next_open_at < now:
        raise ValueError("next_open_at lies before now")
    clock = f"{local_at.hour}:{local_at.minute:02d}"
    if local_at.date() == local_now.date():
        return SubmissionOpens("today", next_open_at, N_("今日%(time)s起可提交"), {"time": clock})
    if local_at.date() == local_now.date() + timedelta(days=1):
        return SubmissionOpens("tomorrow", next_open_at, N_("明日%(time)s起可提交"), {"time": clock})
    # The day as a date for the reader's language (procurement.formatting): 12月30日（星期一）, Mon 30 Dec.
    day = {"date": local_at.date().isoformat(), "weekday": True, "year": local_at.year != local_now.year}
    return SubmissionOpens("later", next_open_at, N_("%(day)s%(time)s起可提交"), {"day": day, "time": clock})
