"""When a prepared registration can next be submitted, in the words the page shows."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from procurement.domain.calendar import WorkingCalendar
from procurement.domain.schedule import BEIJING, compute_schedule, registration_status
from procurement.domain.submission_window import submission_opens
from procurement.formatting import translate


def bj(*args) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


def text(opens) -> str:
    """The words the page shows, in Chinese (the day is a date the page formats)."""
    return translate(opens.message, opens.params)


@pytest.mark.parametrize(
    ("now", "at", "day", "expected"),
    [
        (bj(2024, 12, 26, 13, 30), bj(2024, 12, 26, 15, 30), "today", "今日15:30起可提交"),
        (bj(2024, 12, 26, 18, 0), bj(2024, 12, 27, 9, 30), "tomorrow", "明日9:30起可提交"),
        (bj(2024, 12, 28, 10, 0), bj(2024, 12, 30, 9, 30), "later", "12月30日（星期一）9:30起可提交"),
        (bj(2024, 12, 31, 20, 0), bj(2025, 1, 3, 9, 30), "later", "2025年1月3日（星期五）9:30起可提交"),
        # Midnight in Beijing is 16:00 UTC: the day is Beijing's, not UTC's.
        (bj(2024, 12, 26, 23, 59), bj(2024, 12, 27, 9, 30), "tomorrow", "明日9:30起可提交"),
        (bj(2024, 12, 27, 0, 1), bj(2024, 12, 27, 9, 30), "today", "今日9:30起可提交"),
    ],
)
def test_the_next_opening_is_named_relative_to_today(now, at, day, expected):
    opens = submission_opens(now.astimezone(UTC), at.astimezone(UTC))
    assert opens.day == day
    assert text(opens) == expected
    assert opens.at == at


def test_it_reads_the_schedule_s_next_window():
    schedule, _ = compute_schedule(WorkingCalendar(), bj(2024, 12, 25, 9).date(), bj(2025, 1, 2, 16))
    now = bj(2024, 12, 26, 13, 30)
    status = registration_status(schedule, WorkingCalendar(), now)
    assert status.state == "outside_hours"
    assert text(submission_opens(now, status.next_open_at)) == "今日15:30起可提交"


def test_naive_or_past_instants_are_refused():
    with pytest.raises(ValueError):
        submission_opens(datetime(2024, 12, 26, 13, 30), bj(2024, 12, 26, 15, 30))
    with pytest.raises(ValueError):
        submission_opens(bj(2024, 12, 26, 16, 0), bj(2024, 12, 26, 15, 30))
