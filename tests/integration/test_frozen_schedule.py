"""A published schedule is frozen (issue 10, points 6 and 7).

A calendar change after publication leaves the published registration window as the notice states
it, names the projects whose dates it would move and offers a correction notice (更正公告); the
daily hours say plainly that 18:00:00 is already too late.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from procurement.domain.qualification import ARTICLE22_DECLARATIONS
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import Amendment, Project, Registration
from tests.conftest import AuthActions, post_form
from tests.factories import make_all_blacklists, make_buyer, make_project, make_supplier, tiny_pdf

BASE_DOCUMENTS = ("business_licence", "bank_permit", "legal_rep_id", "premises_proof")
AFTER_PUBLICATION = datetime(2024, 12, 26, 10, 0, tzinfo=BEIJING)
NEW_HOLIDAY = date(2024, 12, 30)  # a Monday, a working day in the published schedule


@pytest.fixture
def buyer(app):
    return make_buyer()


@pytest.fixture
def project(buyer, clock):
    project = make_project(buyer, clock)
    make_all_blacklists(buyer)
    clock.set(AFTER_PUBLICATION)
    return project


@pytest.fixture
def buyer_client(app, buyer):
    client = app.test_client()
    AuthActions(client).login(buyer.email)
    return client


@pytest.fixture
def supplier_client(app):
    user = make_supplier()
    client = app.test_client()
    AuthActions(client).login(user.email)
    client.user = user
    return client


def text(html: str) -> str:
    """The visible text, roughly: tags dropped, whitespace squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def add_holiday(client, day: date = NEW_HOLIDAY, name: str = "测试节"):
    return post_form(
        client, "/buyer/calendar/regional", {"regional-day": day.isoformat(), "regional-name": name},
        page="/buyer/calendar", follow_redirects=True,
    )


def registration_form(documents=BASE_DOCUMENTS) -> dict:
    data = {"registrant": "legal_rep", "entity": "single"}
    for key in ARTICLE22_DECLARATIONS:
        data[key] = "y"
    for kind in documents:
        data[kind] = (io.BytesIO(tiny_pdf(kind)), f"{kind}.pdf")
    return data


def submit_registration(client, project, *, page: str | None = None):
    """POST the registration form; the CSRF token comes from ``page`` (the profile when the form is closed)."""
    return post_form(
        client, f"/supplier/projects/{project.id}/registration", registration_form(),
        page=page, content_type="multipart/form-data", follow_redirects=True,
    )


def registration_of(user, project) -> Registration | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Registration).where(Registration.company_id == user.company_id, Registration.project_id == project.id)
    )


def reload(project) -> Project:
    db.session.expire_all()
    return db.session.get(Project, project.id)


# --- point 6: the published window does not move --------------------------------------------


def test_a_holiday_added_after_publication_leaves_the_published_window(project, buyer_client, supplier_client, clock):
    response = add_holiday(buyer_client)
    assert response.status_code == 200
    project = reload(project)
    assert (project.registration_opens, project.registration_closes, project.notice_ends) == (
        date(2024, 12, 25), date(2024, 12, 31), date(2024, 12, 31)
    )
    assert NEW_HOLIDAY.isoformat() in project.registration_days
    notice = text(supplier_client.get(f"/notices/{project.id}").get_data(as_text=True))
    assert "2024年12月25日至2024年12月31日" in notice
    assert db.session.scalar(sa.select(sa.func.count(Amendment.id))) == 0

    # The newly added holiday was a working day in the published schedule: registration runs.
    clock.set(datetime(2024, 12, 30, 10, 0, tzinfo=BEIJING))
    page = text(supplier_client.get(f"/supplier/projects/{project.id}/registration").get_data(as_text=True))
    assert "报名进行中" in page
    submit_registration(supplier_client, project)
    registration = registration_of(supplier_client.user, project)
    assert registration is not None and registration.status == "accepted"
    assert registration.submitted_at == clock.now()


def test_the_calendar_change_names_the_affected_project_and_offers_an_amendment(project, buyer, buyer_client):
    other = make_project(buyer, None, publish=False, code="DRAFT-1", title="尚未发布的项目")
    response = add_holiday(buyer_client)
    html = response.get_data(as_text=True)
    page = text(html)
    # The flash right after the change names the project and how its dates would move.
    assert f"此次日历调整会改变 1 个已发布项目的日程：{project.code} {project.title}" in page
    assert "报名截止 2024年12月31日 → 2025年1月2日" in page
    # The persistent list on the calendar page, with the link to each one's correction notice.
    row = re.search(rf'<tr data-testid="drift-{project.code}">(.*?)</tr>', html, re.S)
    assert row, html
    cells = text(row.group(1))
    assert project.title in cells
    assert "报名 2024年12月25日 — 2024年12月31日；公告期至 2024年12月31日" in cells
    assert "报名 2024年12月25日 — 2025年1月2日；公告期至 2025年1月2日" in cells
    assert "2024年12月30日（星期一）不再是工作日" in cells
    assert "更正时须同时推迟开启时间" in cells  # 2025-01-02 18:00 is after the 16:00 opening
    assert f'href="/buyer/projects/{project.id}/amend?recompute=1"' in row.group(1)
    assert other.code not in page
    # The project's own page says it too.
    project_page = buyer_client.get(f"/buyer/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="schedule-drift"' in project_page
    assert f"/buyer/projects/{project.id}/amend?recompute=1" in project_page


def test_the_list_goes_when_the_calendar_agrees_again(project, buyer_client):
    from procurement.models import Holiday

    add_holiday(buyer_client)
    holiday = db.session.scalar(sa.select(Holiday).where(Holiday.day == NEW_HOLIDAY))
    response = post_form(
        buyer_client, f"/buyer/calendar/holidays/{holiday.id}/delete", page="/buyer/calendar", follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert 'data-testid="schedule-drifts"' not in html
    assert "此次日历调整" not in html


def test_a_holiday_outside_every_window_names_no_project(project, buyer_client):
    html = add_holiday(buyer_client, date(2025, 2, 28), "藏历新年").get_data(as_text=True)
    assert 'data-testid="schedule-drifts"' not in html
    assert "此次日历调整" not in html


def test_a_csv_import_and_an_entered_year_report_the_affected_project_too(project, buyer_client):
    response = post_form(
        buyer_client,
        "/buyer/calendar/regional.csv",
        {"regional_csv-file": (io.BytesIO("date,name\n2024-12-27,测试节\n".encode()), "holidays.csv")},
        page="/buyer/calendar",
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert f"此次日历调整会改变 1 个已发布项目的日程：{project.code}" in text(response.get_data(as_text=True))
    # Entering 2024 with 2024-12-28 as a make-up Saturday moves the dates again: reported again.
    response = post_form(
        buyer_client, "/buyer/calendar/year", {"year-year": "2024", "year-holidays": "2024-10-01", "year-workdays": "2024-12-28"},
        page="/buyer/calendar", follow_redirects=True,
    )
    page = text(response.get_data(as_text=True))
    assert f"此次日历调整会改变 1 个已发布项目的日程：{project.code}" in page
    assert reload(project).registration_closes == date(2024, 12, 31)


def test_the_amendment_proposes_the_recomputed_dates_and_only_then_moves_them(project, buyer_client, supplier_client, clock):
    add_holiday(buyer_client)
    url = f"/buyer/projects/{project.id}/amend"
    html = buyer_client.get(url + "?recompute=1").get_data(as_text=True)
    page = text(html)
    assert "更正后：报名 2024年12月25日 — 2025年1月2日；公告期至 2025年1月2日" in page
    assert re.search(r'<input[^>]*checked[^>]*name="recompute_schedule"|<input[^>]*name="recompute_schedule"[^>]*checked', html)
    summary = re.search(r'<textarea[^>]*name="summary"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "报名截止日期由2024年12月31日更正为2025年1月2日" in summary

    # Opened for another correction, the page still shows the drift but recomputes nothing unasked.
    plain = buyer_client.get(url).get_data(as_text=True)
    assert 'data-testid="amend-drift"' in plain
    assert not re.search(r'<input[^>]*checked[^>]*name="recompute_schedule"|<input[^>]*name="recompute_schedule"[^>]*checked', plain)

    form = {
        "opening_at": "2025-01-02T16:00", "opening_place": project.opening_place, "registration_working_days": "5",
        "recompute_schedule": "y", "requirements_text": project.requirements_text, "registration_documents_text": "",
        "contact_name": project.contact_name, "contact_phone": project.contact_phone,
        "summary": summary, "reason": "工作日历调整",
    }
    # Recomputed, registration would end after the published opening: the buyer must move it.
    response = post_form(buyer_client, url, form)
    assert response.status_code == 400
    assert "早于报名截止时间" in text(response.get_data(as_text=True))
    assert reload(project).registration_closes == date(2024, 12, 31)

    response = post_form(buyer_client, url, dict(form, opening_at="2025-01-03T16:00"))
    assert response.status_code == 302, text(response.get_data(as_text=True))
    project = reload(project)
    assert (project.registration_closes, project.notice_ends) == (date(2025, 1, 2), date(2025, 1, 2))
    assert NEW_HOLIDAY.isoformat() not in project.registration_days
    amendment = db.session.scalar(sa.select(Amendment))
    assert {c["field"] for c in amendment.changes} >= {"opening_at", "registration_closes", "notice_ends", "registration_days"}
    assert 'data-testid="schedule-drifts"' not in buyer_client.get("/buyer/calendar").get_data(as_text=True)
    # Now the amended schedule rules: the holiday is off, and 2025-01-02 is a registration day.
    clock.set(datetime(2024, 12, 30, 10, 0, tzinfo=BEIJING))
    page = text(supplier_client.get(f"/supplier/projects/{project.id}/registration").get_data(as_text=True))
    assert "下一次开放：2024年12月31日（星期二）09:30" in page


def test_amending_only_to_recompute_needs_no_other_change(project, buyer, clock):
    from procurement.services import calendar as calendar_service
    from procurement.services import projects as project_service

    calendar_service.add_regional_holiday(date(2024, 12, 27), "测试节", buyer)
    project = reload(project)
    project.opening_at = datetime(2025, 1, 3, 16, 0, tzinfo=BEIJING)  # as if amended before
    db.session.commit()
    with pytest.raises(project_service.ServiceError):
        project_service.amend(project, {}, "无", "无", buyer)
    db.session.rollback()
    project = reload(project)
    project_service.amend(project, {}, "日程更正", "工作日历调整", buyer, recompute_schedule=True)
    assert reload(project).registration_closes == date(2025, 1, 2)


# --- point 7: the daily end is exclusive, and the pages say so ---------------------------------


def test_registration_at_17_59_59_is_accepted(project, supplier_client, clock):
    clock.set(datetime(2024, 12, 30, 17, 59, 59, tzinfo=BEIJING))
    page = text(supplier_client.get(f"/supplier/projects/{project.id}/registration").get_data(as_text=True))
    assert "本时段至 2024年12月30日 18:00 结束（18:00起不再受理）" in page
    submit_registration(supplier_client, project)
    registration = registration_of(supplier_client.user, project)
    assert registration is not None and registration.status == "accepted"


@pytest.mark.parametrize(
    ("at", "message"),
    [
        (
            datetime(2024, 12, 30, 18, 0, 0, tzinfo=BEIJING),
            "现在不在报名时段内（每个工作日上午09:30至13:00时、下午15:30至18:00时）。"
            "每日18:00截止，18:00起不再受理（13:00至15:30不受理）。下一次开放：2024年12月31日（星期二）09:30（北京时间）。",
        ),
        (
            datetime(2024, 12, 31, 18, 0, 0, tzinfo=BEIJING),
            "报名已于 2024年12月31日（星期二）18:00（北京时间）截止（18:00起不再受理），不能再报名或修改报名资料。",
        ),
    ],
    ids=["evening", "last-day"],
)
def test_registration_at_18_00_00_is_refused_in_plain_words(project, supplier_client, clock, at, message):
    clock.set(at)
    response = submit_registration(supplier_client, project, page="/supplier/profile")
    assert response.status_code < 500
    assert message in text(response.get_data(as_text=True))
    registration = registration_of(supplier_client.user, project)
    assert registration is None or registration.submitted_at is None


def test_every_page_says_when_the_hours_end(project, supplier_client, clock):
    cutoff = "每日18:00截止，18:00起不再受理（13:00至15:30不受理）"
    notice = text(supplier_client.get(f"/notices/{project.id}").get_data(as_text=True))
    # The printed notice's sentence stays, the clarification follows it.
    assert "上午09:30至13:00时、下午15:30至18:00时（北京时间）在本平台在线报名" in notice
    assert f"现场报名。 {cutoff}。" in notice
    assert text(supplier_client.get(f"/supplier/projects/{project.id}").get_data(as_text=True)).count(cutoff) >= 1
    clock.set(datetime(2024, 12, 30, 14, 0, tzinfo=BEIJING))
    page = text(supplier_client.get(f"/supplier/projects/{project.id}/registration").get_data(as_text=True))
    assert f"报名时间为每个工作日上午09:30至13:00时、下午15:30至18:00时，{cutoff}；下一次开放" in page


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_announcement_pdf_says_when_the_hours_end(project, client, tmp_path):
    with client.get(f"/notices/{project.id}/notice.pdf") as response:
        path = tmp_path / "notice.pdf"
        path.write_bytes(response.data)
    flat = "".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split())
    assert "上午09:30至13:00时、下午15:30至18:00时（北京时间）在本平台在线报名" in flat
    assert "每日18:00截止，18:00起不再受理（13:00至15:30不受理）。" in flat
