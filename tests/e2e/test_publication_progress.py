"""Publishing a result from the browser while its job is pending: the award section shows the
notices being issued (N of M, from the polling script), and the page reloads itself to the
published result once the job is done; a failed job shows its error and a working retry button,
which leads to the job's page and, from it, back to the published result."""
from __future__ import annotations

from datetime import datetime

from playwright.sync_api import expect

from procurement.clock import SimulatedClock
from procurement.domain.schedule import BEIJING
from procurement.services import award as award_service
from tests.e2e.conftest import login
from tests.factories import PASSWORD, make_buyer, make_evaluated_project
from tests.factories.jobs import manual_jobs, recorded_renders, run_jobs

RESULT_DAY = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)


def _awarded(live_server) -> tuple[int, str]:
    from procurement.extensions import db
    from procurement.models import Project, User

    with live_server.app.app_context():
        buyer = make_buyer()
        built = make_evaluated_project(buyer, SimulatedClock())
        ids = built.project.id, built.candidate(1)[1].id, buyer.id, buyer.email
        db.session.commit()
    live_server.set_time(RESULT_DAY)
    project_id, registration_id, buyer_id, email = ids
    with live_server.app.app_context():
        award_service.confirm(db.session.get(Project, project_id), registration_id, db.session.get(User, buyer_id))
        db.session.remove()
    return project_id, email


def test_the_award_section_follows_the_notices_and_shows_the_result_when_done(page, live_server):
    page.on("dialog", lambda dialog: dialog.accept())
    project_id, buyer = _awarded(live_server)
    app = live_server.app
    with manual_jobs(app):
        login(page, live_server.url, buyer, PASSWORD)
        page.goto(f"{live_server.url}/buyer/projects/{project_id}")
        page.get_by_role("button", name="发布成交结果").click()
        page.wait_for_load_state()
        card = page.get_by_test_id("job-award.publish")
        expect(card).to_contain_text("已出具通知书 0 / 4")
        expect(page.get_by_role("button", name="发布成交结果")).to_have_count(0)
        run_jobs(app)  # the worker issues everything; the script sees the job done and reloads
    expect(page.get_by_test_id("award-dates")).to_be_visible()
    expect(page.get_by_test_id("job-award.publish")).to_have_count(0)
    expect(page.get_by_test_id("award-documents")).to_contain_text("成交结果公告")


def test_a_failed_publication_shows_its_error_and_the_retry_issues_it(page, live_server):
    page.on("dialog", lambda dialog: dialog.accept())
    project_id, buyer = _awarded(live_server)
    with recorded_renders() as renders:
        renders.fail = -1
        login(page, live_server.url, buyer, PASSWORD)
        page.goto(f"{live_server.url}/buyer/projects/{project_id}")
        page.get_by_role("button", name="发布成交结果").click()
        page.wait_for_load_state()
        expect(page.get_by_test_id("job-failed")).to_be_visible()
        expect(page.get_by_test_id("job-error")).to_contain_text("injected failure")
        renders.fail = 0
        page.get_by_role("button", name="重试").click()
        page.wait_for_load_state()
    # The retry leads to the job's own page, which follows it to the end (issue 13).
    expect(page.get_by_test_id("job-done")).to_contain_text("成交结果已发布")
    expect(page.get_by_test_id("job-published")).to_contain_text("成交结果公告")
    page.get_by_test_id("back-to-project").click()
    expect(page.get_by_test_id("award-dates")).to_be_visible()
    page.wait_for_load_state("networkidle")  # no request still running when the server stops
