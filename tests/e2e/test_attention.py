"""What needs attention and the feedback on long actions, in a real browser (issue 13), one journey
per role: buyer staff follow a challenge from their home (with its answer deadline) to its answer,
after which the challenger has a message; and an opening due to
the opening, whose record PDF they watch being generated; a panel member follows the pending
signature from its home, signs last (the button says 正在提交…) and watches the report being
generated until its link appears; a supplier on a phone sees that it has not quoted yet, by when,
and goes to its quote sheet. The page fixture fails any test on a CSP violation or a JS error."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from procurement.clock import SimulatedClock
from tests.e2e.conftest import login, logout, watch_csp
from tests.factories import PASSWORD, make_buyer, make_panel, make_supplier
from tests.factories import attention as world
from tests.factories.jobs import manual_jobs, run_jobs

PHONE = {"width": 375, "height": 812}


def build(live_server, builder) -> dict:
    """Run ``builder(buyer, clock)`` in the server's app (its database clock), then look from LOOK_AT."""
    from procurement.extensions import db

    with live_server.app.app_context():
        buyer = make_buyer()
        ids = builder(buyer, SimulatedClock()) | {"buyer": buyer.email}
        db.session.commit()
        db.session.remove()
    live_server.set_time(world.LOOK_AT)
    return ids


def test_buyer_follows_a_challenge_from_the_home_to_its_answer(page, live_server):
    def builder(buyer, clock):
        built = world.challenged(buyer, clock, "甲")
        return {"project": built.project.id, "code": built.project.code, "challenger": built.candidate(2)[0].email}

    ids = build(live_server, builder)
    login(page, live_server.url, ids["buyer"], PASSWORD)
    item = page.get_by_test_id("attention-challenge")
    expect(item).to_contain_text("“甲质候选1商贸有限公司”于2025年1月6日 10:00提出质疑，待书面答复。")
    expect(item.get_by_test_id("attention-due")).to_have_text("答复期限：2025年1月15日（北京时间）")
    # The demo clock runs on from LOOK_AT (10:00) while the test runs: a few seconds or minutes.
    expect(item.get_by_test_id("time-left")).to_have_text(re.compile(r"^剩余 9 天 1[34] 小时$"))
    item.get_by_role("link", name="答复质疑").click()
    page.get_by_label("书面答复").fill("经复核，评审程序和结果符合规定，质疑不成立。")
    page.get_by_role("button", name="提交答复").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="项目管理").first.click()
    expect(page.get_by_test_id("attention-empty")).to_contain_text("暂无待办事项")
    # The challenger is told (issue 13's notifications): its message about the answer waits unread.
    logout(page)
    login(page, live_server.url, ids["challenger"], PASSWORD)
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    page.get_by_test_id("nav-messages").click()
    expect(page.get_by_test_id("messages")).to_contain_text(f"质疑已答复：{ids['code']}")
    page.wait_for_load_state("networkidle")  # no request still running when the server stops


def test_buyer_opens_the_quotes_from_the_home_and_watches_the_record_pdf_being_generated(page, live_server):
    page.on("dialog", lambda dialog: dialog.accept())

    def builder(buyer, clock):
        return {"project": world.opening_due(buyer, clock, "乙").id}

    ids = build(live_server, builder)
    app = live_server.app
    login(page, live_server.url, ids["buyer"], PASSWORD)
    item = page.get_by_test_id("attention-opening")
    expect(item.get_by_test_id("time-left")).to_have_text("已逾期 3 天")
    item.get_by_role("link", name="开启报价").click()
    with manual_jobs(app):
        page.get_by_role("button", name="开启报价").click()
        page.wait_for_load_state()
        card = page.get_by_test_id("job-opening.record")
        expect(card).to_contain_text("正在生成：已完成 0 / 1")
        expect(page.get_by_test_id("opening-record-pdf")).to_have_count(0)
        run_jobs(app)  # the worker issues it; the page's script sees it done and reloads
    expect(page.get_by_test_id("opening-record-pdf")).to_be_visible()
    expect(page.get_by_test_id("job-opening.record")).to_have_count(0)
    page.wait_for_load_state("networkidle")  # no request still running when the server stops


def test_panel_member_signs_last_from_the_home_and_sees_the_report_being_generated_then_its_link(page, live_server):
    from procurement.services import evaluation

    def builder(buyer, clock):
        built = world.seated(buyer, clock, make_panel(name="次仁"), "丙", "signed")
        evaluation.confirm_report(built.members[1], PASSWORD, None, built.panel[1])
        return {"project": built.project.id, "last": built.panel[2].email}

    ids = build(live_server, builder)
    app = live_server.app
    login(page, live_server.url, ids["last"], PASSWORD)
    item = page.get_by_test_id("attention-sign")
    expect(item).to_contain_text("评审结果已汇总排序，请阅读并签署评审报告。")
    item.get_by_role("link", name="签署评审报告").click()
    page.get_by_label("登录密码（确认身份）").fill(PASSWORD)
    # The page's own handlers run first; one added after them stops the navigation here, as a slow
    # server would keep the page on screen, to see the button while the signature is being sent.
    page.evaluate("() => window.addEventListener('submit', (event) => { event.preventDefault(); window.held = event.target; }, {once: true})")
    with manual_jobs(app):
        page.get_by_role("button", name="确认并签署评审报告").click()
        # The button says so and cannot be pressed again (a second press would find the same job anyway).
        expect(page.get_by_role("button", name="正在提交…")).to_be_disabled()
        expect(page.get_by_role("button", name="确认并签署评审报告")).to_have_count(0)
        page.evaluate("() => window.held.submit()")  # the server answers: the signature goes through
        page.wait_for_load_state()
        progress = page.get_by_test_id("report-progress")
        expect(progress).to_contain_text("评审报告PDF")
        expect(progress).to_contain_text("正在生成：已完成 0 / 1")
        expect(page.get_by_test_id("report-pdf")).to_have_count(0)
        run_jobs(app)  # the report is issued; the page's script sees it done and reloads
    expect(page.get_by_test_id("report-pdf")).to_be_visible()
    expect(page.get_by_role("link", name="查看评审报告PDF")).to_be_visible()
    page.get_by_role("link", name="我的评审").first.click()
    expect(page.get_by_test_id("attention-empty")).to_contain_text("暂无待办事项")
    page.wait_for_load_state("networkidle")  # no request still running when the server stops


@pytest.fixture
def phone(browser, live_server):
    """A browser page the size of a phone."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.set_default_timeout(15000)
    violations = watch_csp(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def test_supplier_on_a_phone_sees_it_has_not_quoted_by_when_and_goes_to_its_quote_sheet(phone, live_server):
    page = phone

    def builder(buyer, clock):
        user = make_supplier(company_name="拉萨扎西商贸有限公司")
        return {"project": world.supplier_in(buyer, clock, user, "丁", "quote").id, "supplier": user.email}

    ids = build(live_server, builder)
    login(page, live_server.url, ids["supplier"], PASSWORD)
    item = page.get_by_test_id("attention-quote")
    expect(item.get_by_test_id("attention-what")).to_have_text("尚未提交报价。")
    expect(item.get_by_test_id("attention-due")).to_have_text("报价截止：2025年1月20日 16:00（北京时间）")
    expect(item.get_by_test_id("time-left")).to_have_text(re.compile(r"^剩余 14 天 [56] 小时$"))
    row = page.get_by_test_id(f"registration-{ids['project']}")
    expect(row.get_by_test_id("deadline")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    item.get_by_role("link", name="填写报价").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/supplier/projects/{ids['project']}/quote")
    page.wait_for_load_state("networkidle")  # no request still running when the server stops
