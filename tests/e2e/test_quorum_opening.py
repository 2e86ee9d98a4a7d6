"""In the browser: a 2-of-3 quorum opening. Two officials, each signed in in a browser context of
their own, enter their opening passphrases at the simulated opening time; the second opens the
quotes; then the buyer, the panel and the supplier see the opening record as for any opening."""
from __future__ import annotations

import re

from datetime import datetime

import pytest

from procurement.clock import get_clock
from procurement.domain.schedule import BEIJING
from tests.e2e.conftest import login, watch_csp
from tests.factories import PASSWORD, make_accepted_registration, make_buyer, make_officials, make_quorum_project, make_sealed_quote, make_supplier

PUBLISHED = datetime(2024, 12, 25, 9, 0, tzinfo=BEIJING)
QUOTING = datetime(2024, 12, 31, 10, 0, tzinfo=BEIJING)
BEFORE = datetime(2025, 1, 2, 15, 50, tzinfo=BEIJING)
AT_OPENING = datetime(2025, 1, 2, 16, 2, tzinfo=BEIJING)


@pytest.fixture
def quorum(live_server):
    """A 2-of-3 quorum project (the buyer, 格桑 and 陈静), one supplier's sealed quote."""
    live_server.set_time(PUBLISHED)
    with live_server.app.app_context():
        buyer = make_buyer()
        officials = make_officials(buyer)
        project = make_quorum_project(buyer, officials=officials, code="XZRB-XBJ-2024-009").project
        supplier = make_supplier(company_name="拉萨雪域办公用品有限公司")
        registration = make_accepted_registration(project, supplier)
        make_sealed_quote(registration, supplier, ["25.50", "400", "12.30"], get_clock(), at=QUOTING)  # ¥6,796.00
        info = {
            "project_id": project.id,
            "buyer": buyer.email,
            "officials": [(o.user.email, o.user.name, o.passphrase) for o in officials],
            "supplier": supplier.email,
        }
    return info


def _context(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15000)
    return context, watch_csp(context)


def _enter(page, passphrase: str) -> None:
    page.get_by_label("您的开标口令").fill(passphrase)
    page.get_by_role("button", name="提交开标口令").click()
    page.wait_for_load_state()


def test_two_officials_open_in_two_browsers_and_everyone_sees_the_record(browser, live_server, quorum, page):
    base = live_server.url
    (buyer_email, _, buyer_phrase), (panel_email, panel_name, panel_phrase), _ = quorum["officials"]
    live_server.set_time(BEFORE)
    first_context, first_violations = _context(browser)
    second_context, second_violations = _context(browser)
    try:
        # The panel official finds the project from 个人开标密钥; before the time the page takes no passphrase.
        first = first_context.new_page()
        login(first, base, panel_email, PASSWORD)
        first.get_by_role("link", name="个人开标密钥").click()
        first.get_by_test_id("official-tasks").get_by_role("link").first.click()
        assert "到达后，才能在此输入开标口令" in first.get_by_test_id("too-early").inner_text()
        assert first.get_by_label("您的开标口令").count() == 0

        live_server.set_time(AT_OPENING)
        first.reload()
        _enter(first, "not the right opening phrase 1")
        assert "开标口令不正确。" in first.content()
        _enter(first, panel_phrase)
        assert "还需 1 位开标人输入开标口令" in first.get_by_test_id("quorum-needed").inner_text()
        assert "已提交" in first.get_by_test_id("official-2").inner_text()

        # The buyer, the second official, in a browser of its own: the hub says who and how many more.
        second = second_context.new_page()
        login(second, base, buyer_email, PASSWORD)
        second.goto(f"{base}/buyer/projects/{quorum['project_id']}")
        section = second.get_by_test_id("quotes-section")
        assert "还需 1 位开标人" in section.inner_text() and panel_name in section.inner_text()
        assert section.get_by_role("button", name="开启报价").count() == 0
        section.get_by_role("link", name="前往共同开标页面").click()
        _enter(second, buyer_phrase)
        assert "报价已开启" in second.content()
        record = second.get_by_test_id("opening-record")
        assert "拉萨雪域办公用品有限公司" in record.inner_text() and "¥6,796.00" in record.inner_text()

        # The first official's page now shows the record too.
        first.reload()
        assert "¥6,796.00" in first.get_by_test_id("opening-record").inner_text()
    finally:
        first_context.close()
        second_context.close()
    assert first_violations == [] and second_violations == []

    # The buyer's opening page lists the officials who supplied shares, and the PDF downloads.
    login(page, base, buyer_email, PASSWORD)
    page.goto(f"{base}/buyer/projects/{quorum['project_id']}/opening")
    officials = page.get_by_test_id("quorum-officials").inner_text()
    # The simulated clock runs on from 16:02: a loaded machine takes seconds between the two officials.
    assert re.search(r"已提交 2025年1月2日 16:0[2-9]:\d\d", officials) and "未参与" in officials
    with page.expect_download() as download:
        page.get_by_role("link", name="下载开标记录（PDF）").click()
    assert download.value.suggested_filename.endswith("开标记录.pdf")
    page.get_by_role("button", name="退出").click()

    # The panel (appointed after the opening, as usual) and the supplier see the record.
    with live_server.app.app_context():
        from procurement.extensions import db
        from procurement.models import Project, User
        from procurement.services import evaluation

        project = db.session.get(Project, quorum["project_id"])
        buyer = db.session.query(User).filter_by(email=buyer_email).one()
        member = db.session.query(User).filter_by(email=panel_email).one()
        evaluation.appoint_member(project, member, buyer, chair=True)
        db.session.remove()
    login(page, base, panel_email, PASSWORD)
    page.goto(f"{base}/panel/projects/{quorum['project_id']}/opening")
    assert "¥6,796.00" in page.get_by_test_id("opening-record").inner_text()
    page.get_by_role("button", name="退出").click()
    login(page, base, quorum["supplier"], PASSWORD)
    page.goto(f"{base}/supplier/projects/{quorum['project_id']}")
    section = page.get_by_test_id("opening-section")
    assert "¥6,796.00" in section.get_by_test_id("own-row").inner_text()
