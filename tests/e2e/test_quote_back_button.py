"""On a phone (375 px): after confirming a quote, the back button shows one of this app's pages
(the review, the quote sheet or the receipt), never Chromium's "Confirm Form Resubmission" page
(an error page, ``net::ERR_CACHE_MISS``), because every step is post/redirect/get."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import login, watch_csp
from tests.e2e.test_quote_and_opening import PUBLISHED, QUOTING
from tests.factories import PASSWORD, make_accepted_registration, make_buyer, make_project, make_supplier

APP_HEADINGS = {"核对报价", "报价单", "密封报价回执"}


@pytest.fixture
def quoting(live_server):
    """A published project and an accepted supplier; the simulated clock inside the quoting period."""
    live_server.set_time(PUBLISHED)
    with live_server.app.app_context():
        project = make_project(make_buyer(), code="XZRB-XBJ-2024-002")
        supplier = make_supplier(company_name="拉萨雪域办公用品有限公司")
        make_accepted_registration(project, supplier)
        info = {"project_id": project.id, "supplier": supplier.email}
    live_server.set_time(QUOTING)
    return info


@pytest.fixture
def phone(browser):
    """A 375 px wide browser page (an ordinary phone); JavaScript errors fail the test."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    violations = watch_csp(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def _assert_app_page(page, response, step: str) -> str:
    """The navigation answered 200 with one of the quote flow's pages; return its heading."""
    assert not page.url.startswith("chrome-error://"), f"{step}: Chromium error page (resubmission prompt?) at {page.url}"
    assert response is not None, f"{step}: no response (a page from the back-forward cache or an error page)"
    assert response.status == 200, f"{step}: status {response.status} for {response.url}"
    assert "ERR_CACHE_MISS" not in page.content() and "确认重新提交表单" not in page.content()
    heading = page.locator("h1").first.inner_text().strip()
    assert heading in APP_HEADINGS, f"{step}: unexpected page {heading!r} at {page.url}"
    return heading


def test_back_after_confirming_a_quote_never_asks_to_resubmit(phone, live_server, quoting):
    page = phone
    base = live_server.url
    login(page, base, quoting["supplier"], PASSWORD)
    page.goto(f"{base}/supplier/projects/{quoting['project_id']}")
    page.get_by_role("link", name="填写报价").click()
    page.wait_for_load_state()

    # enter → (redirect) review → confirm → (redirect) receipt
    for index, price in enumerate(["25.50", "400", "12.30"]):
        page.locator("[data-testid=quote-form] input[name^=price_]").nth(index).fill(price)
    page.get_by_role("button", name="下一步：核对总价").click()
    page.wait_for_load_state()
    assert page.url.endswith("/quote/review")  # the review is a GET page of its own
    assert page.get_by_test_id("review-total").inner_text() == "¥6,796.00"
    assert page.get_by_test_id("review-total-words").inner_text() == "人民币陆仟柒佰玖拾陆元整"
    page.get_by_role("button", name="确认提交（加密密封）").click()
    page.wait_for_load_state()
    assert "第1版" in page.get_by_test_id("receipt-version").inner_text()

    # back once: the review is over, so the app explains and shows the sheet (no amounts)
    heading = _assert_app_page(page, page.go_back(), "first back")
    assert heading == "报价单"
    assert "没有待确认的报价" in page.content()
    assert "6,796" not in page.content() and page.locator("input[value='25.50']").count() == 0
    # back twice: the sheet page the supplier started from
    _assert_app_page(page, page.go_back(), "second back")
