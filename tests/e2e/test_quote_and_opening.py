"""In the browser: a supplier submits a sealed quote, revises it and sees its receipt; after the
deadline buyer staff open the quotes, and the supplier sees the opening record."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from procurement.domain.schedule import BEIJING
from tests.e2e.conftest import login, logout
from tests.factories import PASSWORD, make_accepted_registration, make_buyer, make_project, make_supplier

PUBLISHED = datetime(2024, 12, 25, 9, 0, tzinfo=BEIJING)
QUOTING = datetime(2024, 12, 31, 10, 0, tzinfo=BEIJING)
AFTER_DEADLINE = datetime(2025, 1, 2, 16, 5, tzinfo=BEIJING)


@pytest.fixture
def quoting(live_server):
    """A published project and an accepted supplier; the simulated clock inside the quoting period."""
    live_server.set_time(PUBLISHED)
    with live_server.app.app_context():
        buyer = make_buyer()
        project = make_project(buyer, code="XZRB-XBJ-2024-001")
        supplier = make_supplier(company_name="拉萨雪域办公用品有限公司")
        make_accepted_registration(project, supplier)
        info = {"project_id": project.id, "buyer": buyer.email, "supplier": supplier.email}
    live_server.set_time(QUOTING)
    return info


def _fill_and_review(page, prices):
    for index, price in enumerate(prices):
        page.locator("[data-testid=quote-form] input[name^=price_]").nth(index).fill(price)
    page.get_by_role("button", name="下一步：核对总价").click()
    page.wait_for_load_state()


def test_submit_revise_receipt_then_open_and_read_the_opening_record(page, live_server, quoting):
    base = live_server.url
    project_url = f"{base}/supplier/projects/{quoting['project_id']}"
    login(page, base, quoting["supplier"], PASSWORD)
    page.goto(project_url)
    page.get_by_role("link", name="填写报价").click()

    # enter → review (totals in figures and capital numerals) → confirm
    _fill_and_review(page, ["25.50", "400", "12.30"])
    assert page.get_by_test_id("review-total").inner_text() == "¥6,796.00"
    assert page.get_by_test_id("review-total-words").inner_text() == "人民币陆仟柒佰玖拾陆元整"
    page.get_by_role("button", name="确认提交（加密密封）").click()
    page.wait_for_load_state()
    assert "第1版" in page.get_by_test_id("receipt-version").inner_text()
    first_hash = page.get_by_test_id("receipt-hash").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", first_hash)
    assert "2024年12月31日 10:" in page.get_by_test_id("receipt-time").inner_text()
    assert "6,796" not in page.content()  # once sealed, the amount is shown nowhere

    # revise: a price above the ceiling is refused naming the line, then corrected
    page.get_by_role("link", name="返回项目").click()
    assert "当前有效报价：第1版" in page.get_by_test_id("quote-current").inner_text()
    page.get_by_role("link", name="修改报价").click()
    _fill_and_review(page, ["31", "390", "12"])
    expect(page.locator("body")).to_contain_text("第1项“复印纸”的单价超过最高限价 ¥30.00")
    _fill_and_review(page, ["24.00", "390", "12"])
    assert page.get_by_test_id("review-total").inner_text() == "¥6,540.00"
    page.get_by_role("button", name="确认提交（加密密封）").click()
    page.wait_for_load_state()
    assert "第2版" in page.get_by_test_id("receipt-version").inner_text()
    final_hash = page.get_by_test_id("receipt-hash").inner_text()
    assert final_hash != first_hash
    with page.expect_download() as download:
        page.get_by_role("link", name="下载回执（PDF）").click()
    assert download.value.suggested_filename.endswith(".pdf")
    logout(page)

    # after the deadline the buyer opens
    live_server.set_time(AFTER_DEADLINE)
    login(page, base, quoting["buyer"], PASSWORD)
    page.goto(f"{base}/buyer/projects/{quoting['project_id']}")
    assert page.get_by_test_id("received-count").inner_text() == "1"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("quotes-section").get_by_role("button", name="开启报价").click()
    page.wait_for_load_state()
    record = page.get_by_test_id("opening-record")
    assert "拉萨雪域办公用品有限公司" in record.inner_text()
    assert "¥6,540.00" in record.inner_text()
    assert final_hash in record.inner_text()
    logout(page)

    # the supplier sees the opening record, with its own receipt hash
    login(page, base, quoting["supplier"], PASSWORD)
    page.goto(project_url)
    section = page.get_by_test_id("opening-section")
    assert "¥6,540.00" in section.inner_text()
    assert "人民币陆仟伍佰肆拾元整" in section.inner_text()
    assert final_hash in section.get_by_test_id("own-row").inner_text()
    with page.expect_download() as download:
        section.get_by_role("link", name="下载开标记录（PDF）").click()
    assert download.value.suggested_filename.endswith("开标记录.pdf")
