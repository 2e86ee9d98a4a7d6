"""On a phone (375 px wide) the winner sees its outcome first: 成交 and the award notice on 我的报名 and at the top of its project page."""
from __future__ import annotations

import pytest

from procurement.clock import SimulatedClock
from tests.e2e.conftest import login, watch_csp
from tests.e2e.test_award_and_notices import RESULT_DAY
from tests.factories import PASSWORD, make_buyer, make_evaluated_project
from tests.integration.test_documents import pdf_text

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def phone(browser, live_server):
    """A browser page the size of a phone."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(15000)
    violations = watch_csp(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def awarded(live_server):
    """The notice's project, evaluated, its first candidate awarded and the result published on 2025-01-06."""
    from procurement.services import award as award_service

    with live_server.app.app_context():
        from procurement.extensions import db

        buyer = make_buyer()
        built = make_evaluated_project(buyer, SimulatedClock(), code="XZRB-XBJ-2024-001")
        winner, registration = built.candidate(1)
        info = {"project_id": built.project.id, "winner": winner.email}
        SimulatedClock().set(RESULT_DAY)  # as buyer staff move it from the banner
        db.session.commit()
        award_service.confirm(built.project, registration.id, buyer)
        award_service.publish(built.project, buyer)
    return info


def _fits_the_screen(page) -> None:
    """Nothing is wider than the phone (no sideways scrolling)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _in_first_screen(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box


def test_the_winner_sees_its_award_and_notice_first_on_a_phone(phone, live_server, awarded, tmp_path):
    page = phone
    login(page, live_server.url, awarded["winner"], PASSWORD)
    page.goto(f"{live_server.url}/supplier/")
    row = page.get_by_test_id(f"registration-{awarded['project_id']}")
    assert row.get_by_test_id("outcome").inner_text() == "成交"
    link = row.get_by_test_id("notice-link")
    assert link.inner_text() == "下载成交通知书（PDF）"
    _in_first_screen(link)
    _fits_the_screen(page)
    with page.expect_download() as download:
        link.click()
    target = tmp_path / "award.pdf"
    download.value.save_as(target)
    text = pdf_text(target.read_bytes(), tmp_path)
    assert "成交通知书" in text and "拉萨雪域办公用品有限公司" in text and "人民币柒仟零叁拾柒元伍角" in text

    # The project page leads with the same outcome and notice, above the registration and the opening record.
    page.get_by_role("link", name="西藏日报社遴选2025年办公用品供应商项目").click()
    page.wait_for_load_state()
    outcome = page.get_by_test_id("outcome-section")
    assert "成交" in outcome.get_by_test_id("outcome").inner_text()
    assert "贵单位被确定为成交供应商" in outcome.get_by_test_id("own-outcome").inner_text()
    _in_first_screen(outcome.get_by_test_id("my-notice"))
    assert outcome.bounding_box()["y"] < page.get_by_test_id("registration-section").bounding_box()["y"]
    assert outcome.bounding_box()["y"] < page.get_by_test_id("opening-section").bounding_box()["y"]
    _fits_the_screen(page)
    with page.expect_download() as download:
        outcome.get_by_test_id("my-notice").click()
    assert download.value.suggested_filename.endswith(".pdf")
