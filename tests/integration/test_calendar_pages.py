"""The calendar pages: regional holidays and entered national years change the working days."""
from __future__ import annotations

import io
from datetime import date, datetime

from procurement.domain.schedule import BEIJING

from procurement.services.calendar import load_calendar
from tests.conftest import AuthActions, post_form
from tests.factories import make_buyer


def _client(app):
    make_buyer()
    client = app.test_client()
    AuthActions(client).login("buyer@example.com")
    return client


def test_a_regional_holiday_moves_the_registration_close(app):
    client = _client(app)
    assert load_calendar().add_working_days(date(2024, 12, 25), 5) == date(2024, 12, 31)
    response = post_form(client, "/buyer/calendar/regional", {"regional-day": "2024-12-27", "regional-name": "测试节"}, page="/buyer/calendar")
    assert response.status_code == 302
    assert load_calendar().add_working_days(date(2024, 12, 25), 5) == date(2025, 1, 2)
    assert "测试节" in client.get("/buyer/calendar").get_data(as_text=True)


def test_regional_csv_with_a_bad_row_changes_nothing_and_names_the_line(app):
    client = _client(app)
    csv_text = "date,name\n2025-02-28,藏历新年\n2025-13-01,错误\n"
    response = post_form(
        client,
        "/buyer/calendar/regional.csv",
        {"regional_csv-file": (io.BytesIO(csv_text.encode()), "holidays.csv")},
        page="/buyer/calendar",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "第 3 行" in response.get_data(as_text=True)
    assert load_calendar().regional_holidays == frozenset()


def test_entering_2027_lets_a_late_2026_project_cross_the_new_year(app, clock):
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=BEIJING))
    client = _client(app)
    assert "缺少" in client.get("/buyer/calendar").get_data(as_text=True)
    csv_text = "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-06,holiday,春节\n2027-02-14,workday,春节调休\n"
    response = post_form(
        client,
        "/buyer/calendar/year.csv",
        {"year_csv-file": (io.BytesIO(csv_text.encode()), "2027.csv")},
        page="/buyer/calendar",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    calendar = load_calendar()
    assert calendar.add_working_days(date(2026, 12, 28), 5) == date(2027, 1, 4)
    assert calendar.is_working_day(date(2027, 2, 14))  # a make-up Sunday


def test_a_year_typed_into_the_form_takes_precedence_over_the_library(app):
    client = _client(app)
    response = post_form(
        client,
        "/buyer/calendar/year",
        {"year-year": "2026", "year-holidays": "2026-03-02", "year-workdays": ""},
        page="/buyer/calendar",
    )
    assert response.status_code == 302
    calendar = load_calendar()
    assert not calendar.is_working_day(date(2026, 3, 2))
    assert calendar.is_working_day(date(2026, 1, 1))  # the library's holiday no longer applies to 2026


def test_year_form_refuses_a_weekday_as_make_up_day(app):
    client = _client(app)
    response = post_form(
        client, "/buyer/calendar/year", {"year-year": "2027", "year-holidays": "2027-01-01", "year-workdays": "2027-01-04"}, page="/buyer/calendar"
    )
    assert response.status_code == 400
    assert "调休上班日应为周末" in response.get_data(as_text=True)
