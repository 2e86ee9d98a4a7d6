"""The award and result pages send a fixed number of SQL statements, whatever the rows they show.

Each page is built at two sizes (framework awards with 2 and 6 winners, each participant with a
challenge; a results list of 3 and 25 entries) and the statement counts must be equal. The
session is emptied before each count, so an object another step left in the identity map cannot
hide a lazy load per row.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from flask import render_template

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import GeneratedDocument, Project, Registration, User
from procurement.queries.award import award_section
from procurement.queries.results import RESULTS_PER_PAGE, supplier_result_section
from procurement.services import award as award_service
from procurement.services import challenges as challenge_service
from tests.conftest import AuthActions
from tests.factories import make_buyer, make_evaluated_project, make_project
from tests.sqlcount import count_statements, page_statements

RESULT_DAY = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)
SMALL, LARGE = 2, 6


def _published_framework(clock, winners: int, tag: str):
    """A framework project with ``winners`` winners and one failed supplier, published, every
    participant having filed a challenge."""
    buyer = make_buyer(email=f"buyer-{tag}@example.com")
    prices = [(f"{20 + i}.00", "300.00", "20.00") for i in range(winners)] + [("10.00", "300.00", "20.00")]
    names = [f"拉萨{tag}第{i + 1}商贸有限公司" for i in range(winners + 1)]
    built = make_evaluated_project(
        buyer, clock, prices=prices, failing=(winners,), names=names, candidates=winners, framework_award=True,
        # Built through the real evaluation, which fails a project with fewer valid quotes than its
        # minimum: the smaller size has only two valid quotes, so the minimum is two here.
        min_valid_quotes=SMALL,
    )
    clock.set(RESULT_DAY)
    for place in range(1, winners + 1):
        award_service.confirm(built.project, built.candidate(place)[1].id, buyer)
    award_service.publish(built.project, buyer)
    for user, registration in zip(built.suppliers, built.registrations):
        challenge_service.file_challenge(built.project, registration, f"{registration.id} 号质疑。", [], user)
    return Built(built.project.id, built.registrations[-1].id, built.suppliers[-1].email)


class Built:
    """Ids of what :func:`_published_framework` built (they outlive the emptied session)."""

    def __init__(self, project_id: int, failed_registration_id: int, failed_email: str):
        self.project_id = project_id
        self.failed_registration_id = failed_registration_id
        self.failed_email = failed_email


@pytest.fixture
def two_sizes(app, clock):
    """(small, large) published framework projects."""
    return _published_framework(clock, SMALL, "甲"), _published_framework(clock, LARGE, "乙")


def _fresh(project_id: int) -> Project:
    db.session.expunge_all()
    return db.session.get(Project, project_id)


def _buyer_section(app, built) -> tuple[int, str]:
    project = _fresh(built.project_id)
    with app.test_request_context(f"/buyer/projects/{project.id}"):
        with count_statements() as log:
            html = render_template("buyer/sections/award.html", project=project, award_section=award_section(project))
    return log.count, html


def test_buyer_award_section_statements_do_not_grow_with_candidates(app, two_sizes):
    small, large = two_sizes
    small_count, _ = _buyer_section(app, small)
    large_count, html = _buyer_section(app, large)
    # What the section shows grows: every candidate, notice and challenge is there.
    assert html.count('data-testid="candidate-') == LARGE
    assert html.count("成交通知书（") == LARGE and html.count("成交结果通知书（") == 1
    assert html.count("拉萨乙第7商贸有限公司") == 2  # its result notice and its challenge
    assert "待答复" in html
    assert small_count == large_count, (small_count, large_count)


def _supplier_section(app, built) -> tuple[int, str]:
    project = _fresh(built.project_id)
    registration = db.session.get(Registration, built.failed_registration_id)
    with app.test_request_context(f"/supplier/projects/{project.id}"):
        with count_statements() as log:
            section = supplier_result_section(project, registration)
            html = render_template(
                "supplier/sections/result.html", project=project, registration=registration, result_section=section
            )
    return log.count, html


def test_supplier_result_section_statements_do_not_grow_with_winners(app, two_sizes):
    small, large = two_sizes
    small_count, _ = _supplier_section(app, small)
    large_count, html = _supplier_section(app, large)
    for index in range(LARGE):
        assert f"拉萨乙第{index + 1}商贸有限公司（¥" in html
    assert "提出的质疑" in html and "2025年1月15日" in html
    assert small_count == large_count, (small_count, large_count)


def test_supplier_project_page_shows_the_result_section(app, two_sizes):
    _, large = two_sizes
    client = app.test_client()
    AuthActions(client).login(large.failed_email)
    html = client.get(f"/supplier/projects/{large.project_id}").get_data(as_text=True)
    assert 'data-testid="result-section"' in html and 'data-testid="challenge-link"' in html


def test_result_announcement_page_statements_do_not_grow_with_winners(app, two_sizes):
    small, large = two_sizes
    client = app.test_client()
    db.session.expunge_all()
    small_count = page_statements(client, f"/results/{small.project_id}").count
    db.session.expunge_all()
    log = page_statements(client, f"/results/{large.project_id}")
    html = client.get(f"/results/{large.project_id}").get_data(as_text=True)
    assert html.count('data-testid="winner"') == LARGE
    assert "成交供应商共6家" in html
    assert small_count == log.count, (small_count, log.count, str(log))


def _listed_projects(buyer_id: int, count: int, start: int) -> None:
    """``count`` projects with a current result announcement (every fourth: a termination notice)."""
    buyer = db.session.get(User, buyer_id)
    for index in range(start, start + count):
        project = make_project(buyer, publish=False, code=f"LIST-{index:03d}", title=f"列表项目{index:03d}")
        ended = index % 4 == 3
        project.status = "cancelled" if ended else "awarded"
        project.status_reason = "采购需求发生变化" if ended else None
        db.session.add(
            GeneratedDocument(
                project_id=project.id,
                kind="termination_notice" if ended else "result_announcement",
                title="公告",
                verification_code=f"CODE{index:08d}",
                sha256="0" * 64,
                size=1,
                storage_path="none.pdf",
                issued_at=datetime(2025, 1, 1, 9, 0, tzinfo=BEIJING).replace(minute=index % 60, second=index // 60),
            )
        )
    db.session.commit()


def test_results_list_pages_twenty_at_a_time_in_a_fixed_number_of_statements(app):
    buyer_id = make_buyer().id
    client = app.test_client()
    _listed_projects(buyer_id, 3, 0)
    db.session.expunge_all()
    small = page_statements(client, "/results").count
    _listed_projects(buyer_id, 22, 3)
    db.session.expunge_all()
    large = page_statements(client, "/results").count
    assert small == large, (small, large)

    first = client.get("/results").get_data(as_text=True)
    assert first.count("LIST-") == RESULTS_PER_PAGE
    assert "列表项目024成交结果公告" in first  # newest first
    assert "列表项目003终止公告" not in first and "第 1 / 2 页" in first
    second = client.get("/results?page=2").get_data(as_text=True)
    assert second.count("LIST-") == 5 and "列表项目000成交结果公告" in second
    assert "列表项目003终止公告" in second
    # Out of range or not a number: the nearest page, never an error.
    assert client.get("/results?page=99").get_data(as_text=True).count("LIST-") == 5
    assert client.get("/results?page=abc").get_data(as_text=True).count("LIST-") == RESULTS_PER_PAGE
