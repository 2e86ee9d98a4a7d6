"""Issue 11 for the public pages: the home list and the notice are built by page models in a number of SQL
statements that does not grow with the rows shown; the home list is paged, 20 projects a page."""
from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.services import projects as project_service
from tests.factories import ITEMS, make_buyer, make_project
from tests.sqlcount import page_statements

BEFORE_DEADLINE = datetime(2024, 12, 30, 10, 0, tzinfo=BEIJING)


def _projects(buyer, clock, count: int, start: int = 0) -> list:
    """``count`` published projects: every third cancelled, every third after it marked awarded."""
    built = []
    for n in range(start, start + count):
        project = make_project(buyer, clock, code=f"PUB-{n:03d}", title=f"项目{n:03d}")
        if n % 3 == 1:
            project_service.cancel(project, "采购需求发生变化", buyer)
        elif n % 3 == 2:
            project.status = "awarded"  # a past project; its challenge period decides 已结束
            db.session.commit()
        built.append(project)
    return built


def _home(client, url: str = "/"):
    db.session.commit()  # a request starts from a fresh transaction
    log = page_statements(client, url)
    return client.get(url).get_data(as_text=True), log


def test_the_home_list_costs_the_same_statements_for_3_and_12_projects(app, clock):
    buyer = make_buyer()
    clock.set(BEFORE_DEADLINE)
    client = app.test_client()
    _projects(buyer, clock, 3)
    page, few = _home(client)
    assert page.count('href="/notices/') == 3
    _projects(buyer, clock, 9, start=3)
    page, many = _home(client)
    assert page.count('href="/notices/') == 12
    assert "项目000询比价公告" in page and "项目001" in page
    assert many.count == few.count, f"3 rows: {few.count}, 12 rows: {many.count}\n{many}"


def test_the_home_list_pages_20_projects_at_a_time_with_links(app, clock):
    buyer = make_buyer()
    clock.set(BEFORE_DEADLINE)
    client = app.test_client()
    _projects(buyer, clock, 23)
    first, log = _home(client)
    assert first.count('href="/notices/') == 20
    assert 'data-testid="pagination"' in first
    assert 'href="/?page=2"' in first
    # Open projects come first, newest first (all published at the same moment: highest id first).
    codes = re.findall(r"项目编号 (PUB-\d+)", first)
    assert codes[0] == "PUB-021"
    second, second_log = _home(client, "/?page=2")
    assert second.count('href="/notices/') == 3
    assert 'href="/?page=1"' in second or 'href="/"' in second
    assert set(re.findall(r"项目编号 (PUB-\d+)", first)).isdisjoint(re.findall(r"项目编号 (PUB-\d+)", second))
    assert second_log.count == log.count
    # A page past the end, or nonsense, shows the first or the last page, never an error.
    assert client.get("/?page=99").status_code == 200
    assert client.get("/?page=abc").status_code == 200
    assert client.get("/?page=-3").status_code == 200


def test_a_short_list_shows_no_page_links(app, clock):
    buyer = make_buyer()
    clock.set(BEFORE_DEADLINE)
    _projects(buyer, clock, 2)
    page, _ = _home(app.test_client())
    assert 'data-testid="pagination"' not in page


def test_the_notice_costs_the_same_statements_for_3_and_12_lines(app, clock):
    buyer = make_buyer()
    clock.set(BEFORE_DEADLINE)
    client = app.test_client()
    few_lines = make_project(buyer, clock, code="N-3")
    many_items = [
        project_service.ItemData(f"品名{n}", "规格", "个", Decimal("1"), Decimal("10.00")) for n in range(12)
    ]
    many_lines = make_project(buyer, clock, code="N-12", items=many_items)
    assert len(ITEMS) == 3
    db.session.commit()
    few = page_statements(client, f"/notices/{few_lines.id}")
    many = page_statements(client, f"/notices/{many_lines.id}")
    assert "品名11" in client.get(f"/notices/{many_lines.id}").get_data(as_text=True)
    assert many.count == few.count, f"3 lines: {few.count}, 12 lines: {many.count}\n{many}"


def test_an_ended_projects_notice_names_its_termination_in_the_same_statements(app, clock):
    buyer = make_buyer()
    clock.set(BEFORE_DEADLINE)
    client = app.test_client()
    open_project = make_project(buyer, clock, code="N-OPEN")
    ended = make_project(buyer, clock, code="N-ENDED")
    project_service.cancel(ended, "采购需求发生变化", buyer)
    db.session.commit()
    page = client.get(f"/notices/{ended.id}").get_data(as_text=True)
    assert 'data-testid="termination"' in page and "采购需求发生变化" in page
    assert 'data-testid="termination-pdf"' in page
    assert 'data-testid="termination"' not in client.get(f"/notices/{open_project.id}").get_data(as_text=True)
