"""How urgent a to-do is: time left or overdue relative to now, a date deadline's end, the list's order."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from procurement.domain.schedule import BEIJING
from procurement.domain.urgency import end_of_day, time_left, urgency_key

NOW = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)


def text(left) -> str:
    return left.message % left.params if left.params else left.message


@pytest.mark.parametrize(
    ("delta", "overdue", "expected"),
    [
        (timedelta(days=2, hours=3, minutes=59), False, "剩余 2 天 3 小时"),
        (timedelta(hours=5, minutes=7, seconds=30), False, "剩余 5 小时 7 分钟"),
        (timedelta(minutes=12), False, "剩余 12 分钟"),
        (timedelta(seconds=59), False, "剩余不到 1 分钟"),
        # Due at this very instant: a quote deadline at 16:00 takes nothing at 16:00:00.
        (timedelta(0), True, "已逾期"),
        (-timedelta(seconds=30), True, "已逾期"),
        (-timedelta(minutes=3), True, "已逾期 3 分钟"),
        (-timedelta(hours=2, minutes=59), True, "已逾期 2 小时"),
        (-timedelta(days=3, hours=23), True, "已逾期 3 天"),
    ],
)
def test_time_left_or_overdue(delta, overdue, expected):
    left = time_left(NOW, NOW + delta)
    assert left.overdue is overdue
    assert text(left) == expected


def test_a_date_deadline_lasts_the_whole_beijing_day():
    end = end_of_day(date(2025, 1, 15))
    assert end == datetime(2025, 1, 16, 0, 0, tzinfo=BEIJING)
    assert end == datetime(2025, 1, 15, 16, 0, tzinfo=UTC)
    assert not time_left(datetime(2025, 1, 15, 23, 59, tzinfo=BEIJING), end).overdue
    assert time_left(datetime(2025, 1, 16, 0, 0, tzinfo=BEIJING), end).overdue


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        time_left(NOW.replace(tzinfo=None), NOW)
    with pytest.raises(ValueError):
        urgency_key(NOW.replace(tzinfo=None), mine=True, due=None, since=None)


def test_the_order_puts_my_own_overdue_first_and_what_others_owe_last():
    hour = timedelta(hours=1)
    keys = {
        "mine, overdue long": urgency_key(NOW, mine=True, due=NOW - 5 * hour, since=None),
        "mine, overdue": urgency_key(NOW, mine=True, due=NOW - hour, since=None),
        "mine, failed job": urgency_key(NOW, mine=True, due=None, since=NOW - 9 * hour, broken=True),
        "mine, due soon": urgency_key(NOW, mine=True, due=NOW + hour, since=None),
        "mine, due later": urgency_key(NOW, mine=True, due=NOW + 30 * hour, since=None),
        "mine, undated, waiting long": urgency_key(NOW, mine=True, due=None, since=NOW - 48 * hour),
        "mine, undated": urgency_key(NOW, mine=True, due=None, since=NOW - hour),
        "others, overdue": urgency_key(NOW, mine=False, due=NOW - hour, since=None),
        "others, due": urgency_key(NOW, mine=False, due=NOW + hour, since=None),
        "others, undated": urgency_key(NOW, mine=False, due=None, since=NOW - hour),
    }
    assert sorted(keys, key=keys.get) == list(keys)
