"""Working-day calendar: the notice's dates, entered schedules, regional holidays and CSV import."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procurement.domain.calendar import (
    CalendarImportError,
    UnknownYearError,
    WorkingCalendar,
    YearSchedule,
    parse_regional_holidays_csv,
    parse_year_schedule_csv,
)

CAL = WorkingCalendar()

# A plausible 2027 State Council schedule, New Year only: 2027-01-01 is a Friday.
SCHEDULE_2027_CSV = "date,kind,name\n2027-01-01,holiday,元旦\n"


def test_publication_day_counts_as_day_one_and_weekend_is_skipped():
    assert CAL.add_working_days(date(2024, 12, 25), 5) == date(2024, 12, 31)


def test_new_year_2025_is_not_a_working_day():
    assert not CAL.is_working_day(date(2025, 1, 1))
    assert CAL.is_working_day(date(2025, 1, 2))


def test_make_up_sunday_before_spring_festival_2025_is_a_working_day():
    assert date(2025, 1, 26).weekday() == 6
    assert CAL.is_working_day(date(2025, 1, 26))


def test_spring_festival_2025_holiday_is_not_working():
    d = date(2025, 1, 28)
    while d <= date(2025, 2, 4):
        assert not CAL.is_working_day(d), d
        d += timedelta(days=1)


def test_regional_holiday_moves_the_registration_close():
    calendar = WorkingCalendar(regional_holidays=frozenset({date(2024, 12, 27)}))
    assert not calendar.is_working_day(date(2024, 12, 27))
    assert calendar.add_working_days(date(2024, 12, 25), 5) == date(2025, 1, 2)


def test_unknown_year_is_an_error_naming_the_year():
    with pytest.raises(UnknownYearError) as info:
        CAL.is_working_day(date(2027, 3, 1))
    assert info.value.year == 2027
    assert info.value.code == "unknown_year"
    assert info.value.params == {"year": 2027}
    assert "2027" in str(info.value)


def test_counting_into_an_unknown_year_is_an_error_too():
    with pytest.raises(UnknownYearError) as info:
        CAL.add_working_days(date(2026, 12, 28), 5)
    assert info.value.year == 2027


def test_entered_2027_schedule_lets_a_window_cross_the_new_year():
    calendar = CAL.with_year(parse_year_schedule_csv(SCHEDULE_2027_CSV))
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert not calendar.is_working_day(date(2027, 1, 2))  # weekends behave normally
    assert not calendar.is_working_day(date(2027, 1, 3))
    assert calendar.is_working_day(date(2027, 1, 4))
    # 2026-12-28, 29, 30, 31, then 2027-01-04.
    assert calendar.add_working_days(date(2026, 12, 28), 5) == date(2027, 1, 4)


def test_entered_year_takes_precedence_over_the_library():
    assert not CAL.is_working_day(date(2026, 1, 1))  # the library's New Year holiday
    assert CAL.is_working_day(date(2026, 3, 2))  # an ordinary Monday in the library
    different = YearSchedule(2026, holidays=frozenset({date(2026, 3, 2)}), workdays=frozenset({date(2026, 3, 7)}))
    calendar = CAL.with_year(different)
    assert calendar.is_working_day(date(2026, 1, 1))  # the entry replaces the whole year
    assert not calendar.is_working_day(date(2026, 3, 2))
    assert calendar.is_working_day(date(2026, 3, 7))  # a Saturday made a working day
    assert CAL.is_working_day(date(2026, 3, 2))  # the original calendar is unchanged


def test_regional_holiday_wins_over_an_entered_make_up_day():
    schedule = YearSchedule(2027, frozenset(), frozenset({date(2027, 2, 6)}))
    calendar = WorkingCalendar({2027: schedule}, frozenset({date(2027, 2, 6)}))
    assert not calendar.is_working_day(date(2027, 2, 6))


def test_start_on_a_non_working_day_counts_from_the_next_working_day():
    assert CAL.add_working_days(date(2024, 12, 28), 1) == date(2024, 12, 30)
    assert CAL.next_working_day(date(2025, 1, 1)) == date(2025, 1, 2)
    assert CAL.next_working_day(date(2025, 1, 2)) == date(2025, 1, 2)


def test_add_working_days_needs_a_positive_count():
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2024, 12, 25), 0)


def test_working_days_between_is_inclusive():
    assert CAL.working_days_between(date(2024, 12, 25), date(2024, 12, 31)) == 5
    assert CAL.working_days_between(date(2024, 12, 28), date(2024, 12, 29)) == 0
    assert CAL.working_days_between(date(2025, 1, 2), date(2025, 1, 2)) == 1
    assert CAL.working_days_between(date(2025, 1, 3), date(2025, 1, 2)) == 0


def test_calendar_is_an_immutable_hashable_value():
    source = {2027: parse_year_schedule_csv(SCHEDULE_2027_CSV)}
    calendar = WorkingCalendar(source)
    source.clear()  # the caller's dict is copied, not shared
    assert calendar.is_working_day(date(2027, 1, 4))
    same = WorkingCalendar({2027: parse_year_schedule_csv(SCHEDULE_2027_CSV)})
    assert calendar == same and hash(calendar) == hash(same)
    assert calendar != CAL


def test_year_schedule_refuses_dates_of_another_year():
    with pytest.raises(ValueError):
        YearSchedule(2027, frozenset({date(2026, 12, 31)}), frozenset())


working_dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 10, 31))


@given(start=working_dates, n=st.integers(min_value=1, max_value=40))
def test_add_working_days_lands_on_a_working_day_n_days_on(start: date, n: int):
    result = CAL.add_working_days(start, n)
    assert result >= start
    assert CAL.is_working_day(result)
    assert CAL.working_days_between(start, result) == n
    if CAL.is_working_day(start):
        assert CAL.add_working_days(start, 1) == start


@given(
    start=working_dates,
    n=st.integers(min_value=1, max_value=20),
    regional=st.frozensets(working_dates, max_size=10),
)
def test_regional_holidays_only_push_results_later(start: date, n: int, regional: frozenset[date]):
    calendar = CAL.with_regional_holidays(regional)
    result = calendar.add_working_days(start, n)
    assert result not in regional
    assert result >= CAL.add_working_days(start, n)
    assert calendar.working_days_between(start, result) == n


# --------------------------------------------------------------------------- CSV import


def test_year_schedule_csv_with_bom_chinese_kinds_and_blank_lines():
    text = "\ufeffdate,kind,name\r\n2025-01-01,休,元旦\r\n\r\n2025-01-26,班,春节调休\r\n2025-01-28,holiday,春节\r\n"
    schedule = parse_year_schedule_csv(text)
    assert schedule == YearSchedule(
        2025, frozenset({date(2025, 1, 1), date(2025, 1, 28)}), frozenset({date(2025, 1, 26)})
    )


def test_year_schedule_csv_name_column_is_optional():
    schedule = parse_year_schedule_csv("date,kind\n2027-01-01,HOLIDAY\n2027/2/6,workday\n")
    assert schedule.holidays == {date(2027, 1, 1)}
    assert schedule.workdays == {date(2027, 2, 6)}


def test_one_bad_row_names_its_line_and_nothing_is_returned():
    text = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n2027-02-10,holiday,春节\n"
    with pytest.raises(CalendarImportError) as info:
        parse_year_schedule_csv(text)
    assert [(e.line, e.params) for e in info.value.errors] == [(3, {"value": "2027-02-30"})]
    assert info.value.code == "calendar_import_invalid"
    assert info.value.params == {"count": 1}


def test_every_bad_row_is_reported():
    text = (
        "date,kind,name\n"
        "2027-01-01,holiday,元旦\n"  # 2: fine
        "2027-01-01,workday,\n"  # 3: both holiday and workday
        "2028-01-01,holiday,\n"  # 4: another year
        "01/02/2027,holiday,\n"  # 5: not YYYY-MM-DD
        "2027-02-08,rest,\n"  # 6: unknown kind
        "2027-02-08,workday,\n"  # 7: a Monday cannot be a make-up day
        "2027-02-06,workday,调休,extra\n"  # 8: too many columns
        ",holiday,\n"  # 9: no date
    )
    with pytest.raises(CalendarImportError) as info:
        parse_year_schedule_csv(text)
    errors = info.value.errors
    assert [e.line for e in errors] == [3, 4, 5, 6, 7, 8, 9]
    assert errors[0].params == {"date": "2027-01-01", "first_line": 2}
    assert "既是节假日又是调休上班日" in errors[0].message
    assert errors[1].params == {"date": "2028-01-01", "year": 2027}
    for error in errors:
        error.message % error.params  # every template fills from its params


def test_the_year_most_rows_agree_on_is_the_schedule_year():
    text = "date,kind\n2026-01-01,holiday\n2027-01-01,holiday\n2027-02-06,workday\n"
    with pytest.raises(CalendarImportError) as info:
        parse_year_schedule_csv(text)
    assert [(e.line, e.params) for e in info.value.errors] == [(2, {"date": "2026-01-01", "year": 2027})]


@pytest.mark.parametrize("text", ["", "\ufeff", "date,kind,name\n", "day,type\n2027-01-01,holiday\n"])
def test_empty_files_and_wrong_headers_are_refused(text: str):
    with pytest.raises(CalendarImportError) as info:
        parse_year_schedule_csv(text)
    assert info.value.errors[0].line == 1


def test_regional_holidays_csv():
    text = "\ufeffdate,name\n2025-08-23,雪顿节\n2025-02-28,藏历新年\n2025-03-01,\n"
    assert parse_regional_holidays_csv(text) == [
        (date(2025, 2, 28), "藏历新年"),
        (date(2025, 3, 1), ""),
        (date(2025, 8, 23), "雪顿节"),
    ]


def test_regional_holidays_csv_is_all_or_nothing():
    text = "date,name\n2025-02-28,藏历新年\n2025-13-01,坏日期\n2025-02-28,重复\n"
    with pytest.raises(CalendarImportError) as info:
        parse_regional_holidays_csv(text)
    assert [e.line for e in info.value.errors] == [3, 4]
