"""A project's schedule: the notice's own dates, the registration clock and the later deadlines."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procurement.domain.calendar import WorkingCalendar, YearSchedule
from procurement.domain.schedule import (
    BEIJING,
    DEFAULT_REGISTRATION_HOURS,
    DailyHours,
    Schedule,
    ScheduleError,
    ScheduleSettings,
    answer_deadline,
    beijing,
    challenge_deadline,
    compute_schedule,
    confirmation_deadline,
    contract_deadline,
    from_beijing,
    publicity_ends,
    registration_status,
    schedule_drift,
)

CAL = WorkingCalendar()
PUBLISHED = date(2024, 12, 25)


def bj(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    """An aware Beijing-time datetime."""
    return datetime(y, mo, d, h, mi, s, us, tzinfo=BEIJING)


@pytest.fixture(scope="module")
def notice() -> Schedule:
    """The printed notice's schedule: published 2024-12-25, opening 2025-01-02 16:00."""
    schedule, warnings = compute_schedule(CAL, PUBLISHED, bj(2025, 1, 2, 16), ScheduleSettings())
    assert warnings == []
    return schedule


def test_the_notice_schedule(notice: Schedule):
    assert notice.published_on == PUBLISHED
    assert notice.registration_opens == date(2024, 12, 25)
    assert notice.registration_closes == date(2024, 12, 31)
    assert notice.notice_ends == date(2024, 12, 31)
    assert notice.opening_at == datetime(2025, 1, 2, 8, 0, tzinfo=UTC)
    assert notice.opening_at.tzinfo is UTC
    assert notice.opening_at_beijing == bj(2025, 1, 2, 16)
    assert notice.registration_hours == DEFAULT_REGISTRATION_HOURS
    assert notice.opens_at == from_beijing(date(2024, 12, 25), time(9, 30))
    assert notice.closes_at == from_beijing(date(2024, 12, 31), time(18, 0))
    assert notice.quote_deadline == notice.opening_at
    assert notice.registration_days(CAL) == [
        date(2024, 12, 25), date(2024, 12, 26), date(2024, 12, 27), date(2024, 12, 30), date(2024, 12, 31)
    ]


def test_opening_before_registration_closes_is_refused():
    with pytest.raises(ScheduleError) as info:
        compute_schedule(CAL, PUBLISHED, bj(2024, 12, 31, 12), ScheduleSettings())
    error = info.value
    assert error.code == "opening_before_registration_closes"
    assert error.params == {"opening": "2024-12-31 12:00", "closes": "2024-12-31 18:00"}


def test_opening_exactly_when_registration_closes_is_accepted():
    schedule, _ = compute_schedule(CAL, PUBLISHED, bj(2024, 12, 31, 18), ScheduleSettings())
    assert schedule.opening_at == schedule.closes_at


def test_opening_time_must_be_aware():
    with pytest.raises(ValueError):
        compute_schedule(CAL, PUBLISHED, datetime(2025, 1, 2, 16), ScheduleSettings())


def test_opening_given_in_another_zone_is_normalised_to_utc():
    schedule, _ = compute_schedule(CAL, PUBLISHED, datetime(2025, 1, 2, 8, tzinfo=timezone.utc), ScheduleSettings())
    assert schedule.opening_at_beijing == bj(2025, 1, 2, 16)


def test_short_quote_period_is_a_warning_not_an_error():
    settings = ScheduleSettings(registration_working_days=1, notice_working_days=1)
    schedule, warnings = compute_schedule(CAL, PUBLISHED, bj(2024, 12, 26, 16), settings)
    assert schedule.registration_closes == PUBLISHED
    assert [w.code for w in warnings] == ["short_quote_period"]
    assert warnings[0].params == {"days": 1, "minimum": 3}
    warnings[0].message % warnings[0].params


def test_three_working_days_to_the_opening_is_enough():
    settings = ScheduleSettings(registration_working_days=1)
    # Working days after 12-25 up to the opening day: 12-26, 12-27, 12-30.
    _, warnings = compute_schedule(CAL, PUBLISHED, bj(2024, 12, 30, 9), settings)
    assert warnings == []


def test_publication_on_a_weekend_opens_registration_on_the_next_working_day():
    schedule, _ = compute_schedule(CAL, date(2024, 12, 28), bj(2025, 1, 10, 10), ScheduleSettings())
    assert schedule.registration_opens == date(2024, 12, 30)
    assert schedule.registration_closes == date(2025, 1, 6)


def test_regional_holiday_moves_the_whole_schedule():
    calendar = WorkingCalendar(regional_holidays=frozenset({date(2024, 12, 27)}))
    with pytest.raises(ScheduleError):
        compute_schedule(calendar, PUBLISHED, bj(2025, 1, 2, 16), ScheduleSettings())
    schedule, _ = compute_schedule(calendar, PUBLISHED, bj(2025, 1, 3, 16), ScheduleSettings())
    assert schedule.registration_closes == date(2025, 1, 2)


# --------------------------------------------------------------------------- registration status


@pytest.mark.parametrize(
    ("now", "state", "next_open_at"),
    [
        (bj(2024, 12, 24, 10), "not_yet_open", bj(2024, 12, 25, 9, 30)),
        (bj(2024, 12, 25, 9, 29, 59), "not_yet_open", bj(2024, 12, 25, 9, 30)),
        (bj(2024, 12, 25, 9, 30), "open", None),
        (bj(2024, 12, 26, 10), "open", None),
        (bj(2024, 12, 26, 12, 59, 59), "open", None),
        (bj(2024, 12, 26, 13), "outside_hours", bj(2024, 12, 26, 15, 30)),
        (bj(2024, 12, 26, 14), "outside_hours", bj(2024, 12, 26, 15, 30)),
        (bj(2024, 12, 26, 15, 30), "open", None),
        (bj(2024, 12, 26, 18), "outside_hours", bj(2024, 12, 27, 9, 30)),
        (bj(2024, 12, 28, 10), "outside_hours", bj(2024, 12, 30, 9, 30)),
        (bj(2024, 12, 31, 17, 59, 59), "open", None),
        (bj(2024, 12, 31, 18), "closed", None),
        (bj(2025, 1, 1, 10), "closed", None),
    ],
)
def test_registration_status(notice: Schedule, now: datetime, state: str, next_open_at: datetime | None):
    status = registration_status(notice, CAL, now)
    assert status.state == state
    assert status.next_open_at == next_open_at
    assert status.is_open == (state == "open")
    assert status.closes_at == bj(2024, 12, 31, 18)
    if status.next_open_at is not None:
        assert status.next_open_at.tzinfo is UTC


def test_open_status_tells_when_the_current_window_ends(notice: Schedule):
    status = registration_status(notice, CAL, bj(2024, 12, 26, 10))
    assert status.window_ends_at == bj(2024, 12, 26, 13)
    assert status.closes_at.tzinfo is UTC


def test_registration_status_reads_utc_clocks_in_beijing_time(notice: Schedule):
    # 02:00 UTC is 10:00 in Lhasa; 06:00 UTC is 14:00.
    assert registration_status(notice, CAL, datetime(2024, 12, 26, 2, tzinfo=UTC)).state == "open"
    assert registration_status(notice, CAL, datetime(2024, 12, 26, 6, tzinfo=UTC)).state == "outside_hours"


def test_registration_status_needs_an_aware_clock(notice: Schedule):
    with pytest.raises(ValueError):
        registration_status(notice, CAL, datetime(2024, 12, 26, 10))


def test_a_holiday_added_after_publication_does_not_shorten_the_published_window(notice: Schedule):
    # 2024-12-30 was a working day when the notice was published; a regional holiday added on it
    # later leaves the published registration days as they were.
    calendar = WorkingCalendar(regional_holidays=frozenset({date(2024, 12, 30)}))
    assert notice.working_days == (
        date(2024, 12, 25), date(2024, 12, 26), date(2024, 12, 27), date(2024, 12, 30), date(2024, 12, 31)
    )
    assert registration_status(notice, calendar, bj(2024, 12, 30, 10)).state == "open"
    status = registration_status(notice, calendar, bj(2024, 12, 27, 18))
    assert (status.state, status.next_open_at) == ("outside_hours", bj(2024, 12, 30, 9, 30))
    assert notice.registration_days(calendar) == notice.registration_days()
    everything_off = calendar.with_regional_holidays({date(2024, 12, 31)})
    assert registration_status(notice, everything_off, bj(2024, 12, 31, 17, 59, 59)).state == "open"
    # No calendar is needed once the days are frozen.
    assert registration_status(notice, None, bj(2024, 12, 30, 10)).state == "open"


def test_a_schedule_without_frozen_days_reads_the_calendar(notice: Schedule):
    legacy = replace(notice, working_days=None)
    calendar = WorkingCalendar(regional_holidays=frozenset({date(2024, 12, 30)}))
    status = registration_status(legacy, calendar, bj(2024, 12, 30, 10))
    assert status.state == "outside_hours"
    assert status.next_open_at == bj(2024, 12, 31, 9, 30)
    status = registration_status(legacy, calendar.with_regional_holidays({date(2024, 12, 31)}), bj(2024, 12, 30, 10))
    assert status.state == "closed"
    with pytest.raises(ValueError):
        registration_status(legacy, None, bj(2024, 12, 30, 10))


def test_frozen_days_must_lie_in_the_window(notice: Schedule):
    with pytest.raises(ValueError):
        replace(notice, working_days=(date(2025, 1, 2),))
    with pytest.raises(ValueError):
        replace(notice, working_days=())
    assert replace(notice, working_days=[date(2024, 12, 26), date(2024, 12, 25)]).working_days == (
        date(2024, 12, 25), date(2024, 12, 26)
    )


@pytest.mark.parametrize(
    ("now", "state"),
    [
        (bj(2024, 12, 30, 17, 59, 59), "open"),
        (bj(2024, 12, 30, 18), "outside_hours"),
        (bj(2024, 12, 30, 12, 59, 59, 999999), "open"),
        (bj(2024, 12, 30, 13), "outside_hours"),
        (bj(2024, 12, 31, 17, 59, 59, 999999), "open"),
        (bj(2024, 12, 31, 18), "closed"),
    ],
)
def test_a_daily_window_ends_exclusively(notice: Schedule, now: datetime, state: str):
    assert registration_status(notice, None, now).state == state


# --------------------------------------------------------------------------- drift after a calendar change


def test_no_drift_while_the_calendar_agrees(notice: Schedule):
    assert schedule_drift(notice, CAL, ScheduleSettings()) is None


def test_a_holiday_added_inside_the_window_proposes_later_dates(notice: Schedule):
    calendar = WorkingCalendar(regional_holidays=frozenset({date(2024, 12, 30)}))
    drift = schedule_drift(notice, calendar, ScheduleSettings())
    assert drift is not None
    assert drift.published is notice
    assert drift.changes == [
        ("registration_closes", date(2024, 12, 31), date(2025, 1, 2)),
        ("notice_ends", date(2024, 12, 31), date(2025, 1, 2)),
    ]
    assert drift.days_dropped == [date(2024, 12, 30)]
    assert drift.days_added == [date(2025, 1, 2)]
    # The recomputed registration would end 2025-01-02 18:00, after the 16:00 opening.
    assert drift.opening_too_early
    assert drift.proposed.opening_at == notice.opening_at


def test_a_holiday_removed_after_publication_proposes_earlier_dates():
    calendar = WorkingCalendar(regional_holidays=frozenset({date(2024, 12, 27)}))
    published, _ = compute_schedule(calendar, PUBLISHED, bj(2025, 1, 3, 16), ScheduleSettings())
    assert published.registration_closes == date(2025, 1, 2)
    drift = schedule_drift(published, CAL, ScheduleSettings())
    assert drift.changes[0] == ("registration_closes", date(2025, 1, 2), date(2024, 12, 31))
    assert drift.days_added == [date(2024, 12, 27)]
    assert not drift.opening_too_early


def test_a_holiday_outside_the_window_is_no_drift(notice: Schedule):
    calendar = WorkingCalendar(regional_holidays=frozenset({date(2025, 2, 28)}))
    assert schedule_drift(notice, calendar, ScheduleSettings()) is None


def test_swapped_days_with_the_same_close_are_still_a_drift():
    # A holiday on Friday and a make-up Saturday in the same window: same dates, other days.
    calendar = WorkingCalendar(regional_holidays=frozenset({date(2024, 12, 27)}))
    swapped = calendar.with_year(YearSchedule(2024, frozenset(), frozenset({date(2024, 12, 28)})))
    published, _ = compute_schedule(CAL, PUBLISHED, bj(2025, 1, 2, 16), ScheduleSettings())
    drift = schedule_drift(published, swapped, ScheduleSettings())
    assert drift is not None and drift.changes == []
    assert (drift.days_dropped, drift.days_added) == ([date(2024, 12, 27)], [date(2024, 12, 28)])


@given(now=st.datetimes(min_value=datetime(2024, 12, 20), max_value=datetime(2025, 1, 5), timezones=st.just(UTC)))
def test_next_open_at_is_always_an_open_moment(now: datetime):
    schedule, _ = compute_schedule(CAL, PUBLISHED, bj(2025, 1, 2, 16), ScheduleSettings())
    status = registration_status(schedule, CAL, now)
    if status.state in ("not_yet_open", "outside_hours"):
        assert status.next_open_at is not None and status.next_open_at > now
        assert registration_status(schedule, CAL, status.next_open_at).state == "open"
        assert registration_status(schedule, CAL, status.next_open_at - timedelta(microseconds=1)).state != "open"
    else:
        assert status.next_open_at is None


# --------------------------------------------------------------------------- settings and time helpers


def test_beijing_helpers():
    assert from_beijing(date(2025, 1, 2), time(16)) == datetime(2025, 1, 2, 8, tzinfo=UTC)
    assert beijing(datetime(2025, 1, 2, 8, tzinfo=UTC)) == bj(2025, 1, 2, 16)
    assert beijing(datetime(2025, 1, 2, 8, tzinfo=UTC)).hour == 16
    with pytest.raises(ValueError):
        beijing(datetime(2025, 1, 2, 8))


@pytest.mark.parametrize(
    "make",
    [
        lambda: DailyHours(time(13), time(9, 30)),
        lambda: ScheduleSettings(registration_hours=()),
        lambda: ScheduleSettings(registration_hours=(DailyHours(time(9), time(12)), DailyHours(time(11), time(14)))),
        lambda: ScheduleSettings(registration_working_days=0),
        lambda: ScheduleSettings(contract_days=-1),
    ],
)
def test_bad_settings_are_refused(make):
    with pytest.raises(ScheduleError) as info:
        make()
    info.value.message % info.value.params


# --------------------------------------------------------------------------- later deadlines


def test_publicity_counts_its_first_day():
    assert publicity_ends(CAL, date(2025, 1, 3), ScheduleSettings()) == date(2025, 1, 3)
    assert publicity_ends(CAL, date(2025, 1, 3), ScheduleSettings(publicity_working_days=3)) == date(2025, 1, 7)


def test_challenge_period_starts_after_publicity():
    # 01-06, 07, 08, 09, 10, 13, 14.
    assert challenge_deadline(CAL, date(2025, 1, 3), ScheduleSettings()) == date(2025, 1, 14)


def test_answer_deadline_crosses_spring_festival_with_its_make_up_days():
    # Filed Friday 2025-01-24: 01-26 (make-up Sunday), 01-27, [01-28..02-04 off], 02-05, 06, 07,
    # 02-08 (make-up Saturday), 02-10.
    assert answer_deadline(CAL, date(2025, 1, 24), ScheduleSettings()) == date(2025, 2, 10)


def test_confirmation_deadline_does_not_count_the_day_of_receipt():
    assert confirmation_deadline(CAL, date(2025, 1, 2), ScheduleSettings()) == date(2025, 1, 9)


def test_contract_deadline_is_in_calendar_days():
    assert contract_deadline(date(2025, 1, 10), ScheduleSettings()) == date(2025, 2, 9)
    assert contract_deadline(date(2025, 1, 10), ScheduleSettings(contract_days=10)) == date(2025, 1, 20)


def test_an_opening_on_a_holiday_is_warned_about():
    from datetime import date, datetime

    from procurement.domain.calendar import WorkingCalendar, YearSchedule
    from procurement.domain.schedule import BEIJING, ScheduleSettings, compute_schedule

    calendar = WorkingCalendar()
    _, warnings = compute_schedule(calendar, date(2024, 12, 25), datetime(2025, 1, 1, 16, 0, tzinfo=BEIJING), ScheduleSettings())
    assert "opening_not_working_day" in [w.code for w in warnings]
    _, warnings = compute_schedule(calendar, date(2024, 12, 25), datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING), ScheduleSettings())
    assert warnings == []
