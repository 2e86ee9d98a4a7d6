"""Smoke: each demo role signs in in a real browser and sees its home; then each walks its pages in English."""
from __future__ import annotations

from datetime import datetime

import pytest

from procurement.domain.schedule import BEIJING
from tests.e2e.conftest import login, logout


@pytest.fixture
def demo(live_server):
    from procurement.demo import load_demo

    with live_server.app.app_context():
        return load_demo()


@pytest.mark.parametrize(
    "email, heading, nav",
    [
        ("buyer@example.com", "项目管理", "工作日历"),
        ("panel1@example.com", "我的评审", "我的评审"),
        ("xueyu@example.com", "我的报名", "公司信息"),
    ],
)
def test_each_demo_role_signs_in_and_sees_its_home(page, live_server, demo, email, heading, nav):
    page.goto(live_server.url + "/")
    assert "西藏日报社遴选2025年办公用品供应商项目询比价公告" in page.content()
    assert page.get_by_test_id("clock-banner").is_visible()
    assert "模拟时间" in page.get_by_test_id("clock-banner").inner_text()
    login(page, live_server.url, email, "demo-2024")
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_role("link", name=nav).first.is_visible()
    logout(page)
    assert page.get_by_role("link", name="登录").is_visible()


def test_the_announcement_page_shows_the_notice(page, live_server, demo):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="西藏日报社遴选2025年办公用品供应商项目询比价公告").click()
    notice = page.get_by_test_id("notice")
    text = notice.inner_text()
    assert "一、项目基本情况" in text and "2025年1月2日16点00分（北京时间）" in text
    assert page.get_by_test_id("registration-state").inner_text().startswith("现在可以报名")


def test_pages_fit_a_phone_screen(browser, live_server, demo):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    page.get_by_role("button", name="菜单").click()
    assert page.get_by_role("link", name="供应商注册").is_visible()
    context.close()


# --------------------------------------------------------------------------- the same walk in English
#
# "No Chinese interface string" is checked on every page the walk visits, precisely: take the page's
# body, remove the elements marked as Chinese content, lang="zh..." (what users entered, rendered
# through the ``zh`` filter or a ``lang`` option; the documents' text, such as the notice; the
# language switch's 中文), <textarea> (what a form holds, like an input's value), and <script>,
# <style> and <template>; then no text node and no
# placeholder, aria-label, alt or button value left may hold a CJK character (ideographs, CJK
# and full-width punctuation: U+2E80–U+9FFF, U+F900–U+FAFF, U+FE30–U+FE4F, U+FF00–U+FFEF).
# Tooltips (title) and the tab's <title> may repeat users' data beside interface words and are
# not checked here; every string they take from the catalog is checked by test_translations.py.

CHINESE_LEFT = """() => {
  const cjk = /[\\u2e80-\\u9fff\\uf900-\\ufaff\\ufe30-\\ufe4f\\uff00-\\uffef]/;
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[lang^="zh"], textarea, script, style, template').forEach((el) => el.remove());
  const found = [];
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.nodeValue.trim();
    if (cjk.test(text)) { found.push(text); }
  }
  body.querySelectorAll('[placeholder], [aria-label], [alt], input[type=submit], input[type=button]').forEach((el) => {
    for (const name of ['placeholder', 'aria-label', 'alt', 'value']) {
      const value = el.getAttribute(name);
      if (value && (name !== 'value' || el.matches('input[type=submit], input[type=button]')) && cjk.test(value)) {
        found.push(name + '=' + value);
      }
    }
  });
  return found;
}"""


def assert_english(page, where: str) -> None:
    """The page is in English: <html lang="en">, and no Chinese outside users' data and documents."""
    assert page.evaluate("document.documentElement.lang") == "en", where
    left = page.evaluate(CHINESE_LEFT)
    assert left == [], f"Chinese interface text on {where}: {left}"


def english_login(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/auth/login")
    assert_english(page, "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill("demo-2024")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def walk(page, base_url: str, paths) -> None:
    """Visit each path (or ``(path, status)``) and check it speaks English."""
    for path in paths:
        path, status = path if isinstance(path, tuple) else (path, 200)
        response = page.goto(base_url + path)
        assert response.status == status, f"{path}: {response.status}"
        assert_english(page, path)


@pytest.fixture
def english_page(browser, live_server):
    """A browser whose Accept-Language is English (a first visit: no cookie, no saved choice)."""
    from tests.e2e.conftest import watch_csp

    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-GB")
    context.set_default_timeout(15000)
    violations = watch_csp(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def demo_ids(live_server) -> dict:
    from procurement.extensions import db
    from procurement.models import BlacklistImport, Project, Registration, SealedQuote

    with live_server.app.app_context():
        project = db.session.query(Project).one()
        registrations = db.session.query(Registration).order_by(Registration.id).all()
        quote = db.session.query(SealedQuote).filter_by(registration_id=registrations[0].id).order_by(SealedQuote.version.desc()).first()
        ids = {
            "project": project.id,
            "registration": registrations[0].id,
            "version": quote.version,
            "blacklist": db.session.query(BlacklistImport.id).order_by(BlacklistImport.id).first()[0],
        }
        db.session.remove()
    return ids


def test_the_public_pages_and_the_login_page_speak_english(english_page, live_server, demo):
    page, base = english_page, live_server.url
    ids = demo_ids(live_server)
    walk(page, base, ["/", f"/notices/{ids['project']}", "/results", "/verify", ("/verify?code=NOPE-NOPE", 404), "/auth/login", "/auth/signup"])
    page.goto(f"{base}/notices/{ids['project']}")
    assert "Quote deadline: 2 Jan 2025, 16:00 (Beijing time), time left: 7 d" in page.get_by_test_id("countdown").inner_text()
    assert page.get_by_test_id("issued-in-chinese").is_visible()
    assert "一、项目基本情况" in page.get_by_test_id("notice").inner_text()
    # The switch goes back to Chinese, and is remembered.
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.get_by_test_id("registration-state").inner_text().startswith("现在可以报名")
    page.goto(base + "/")
    assert page.get_by_role("link", name="采购公告").first.is_visible()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert_english(page, "/ after switching back")


def test_buyer_staff_walk_their_pages_in_english(english_page, live_server, demo):
    page, base = english_page, live_server.url
    ids = demo_ids(live_server)
    pid = ids["project"]
    english_login(page, base, "buyer@example.com")
    assert page.get_by_role("heading", name="Projects").is_visible()
    assert_english(page, "buyer home")
    walk(page, base, [
        f"/buyer/projects/{pid}",
        f"/buyer/projects/{pid}/registrations",
        f"/buyer/projects/{pid}/registrations/{ids['registration']}",
        f"/buyer/projects/{pid}/panel",
        f"/buyer/projects/{pid}/opening",
        f"/buyer/projects/{pid}/audit",
        f"/buyer/projects/{pid}/amend",
        "/buyer/projects/new",
        "/buyer/calendar",
        "/buyer/panel-accounts",
        "/buyer/blacklists",
        f"/buyer/blacklists/versions/{ids['blacklist']}",
        "/buyer/sign-in-attempts",
        "/buyer/audit",
        "/buyer/clock",
        "/auth/password",
        f"/notices/{pid}",
    ])
    # A form refused in English: errors beside the fields, in English.
    page.goto(base + "/buyer/projects/new")
    page.get_by_label("Project number").fill("")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("form-errors").is_visible()
    assert_english(page, "the refused new-project form")


def test_a_panel_member_walks_the_evaluation_in_english(english_page, live_server, demo):
    from procurement.extensions import db
    from procurement.models import Project, User
    from procurement.services import evaluation
    from tests.factories.quorum import open_demo

    page, base = english_page, live_server.url
    with live_server.app.app_context():
        live_server.set_time(datetime(2025, 1, 2, 16, 5, tzinfo=BEIJING))
        project = db.session.query(Project).one()
        buyer = db.session.query(User).filter_by(email="buyer@example.com").one()
        open_demo(project)  # the demo opens by its 2-of-3 quorum
        members = [db.session.query(User).filter_by(email=f"panel{i}@example.com").one() for i in (1, 2, 3)]
        seats = [evaluation.appoint_member(project, user, buyer, chair=index == 0) for index, user in enumerate(members)]
        for user, seat in zip(members[1:], seats[1:]):
            evaluation.declare(seat, False, None, user)
        pid = project.id
        db.session.remove()
    english_login(page, base, "panel1@example.com")
    assert page.get_by_role("heading", name="My evaluations").is_visible()
    assert_english(page, "panel home")
    walk(page, base, [f"/panel/projects/{pid}", f"/panel/projects/{pid}/opening", "/auth/password", f"/notices/{pid}"])
    page.goto(f"{base}/panel/projects/{pid}")
    page.get_by_label("I have no conflict of interest with any of the participating suppliers above").check()
    page.get_by_role("button", name="Submit the declaration").click()
    page.wait_for_load_state()
    assert_english(page, "panel project after the declaration")
    with live_server.app.app_context():
        project = db.session.get(Project, pid)
        evaluation.start_evaluation(project, db.session.query(User).filter_by(email="buyer@example.com").one())
        db.session.remove()
    walk(page, base, [f"/panel/projects/{pid}", f"/panel/projects/{pid}/review"])
    page.get_by_test_id("continue-review").click()
    page.wait_for_load_state()
    assert_english(page, "a supplier's review sheet")
    page.get_by_role("button", name="Save and continue later").click()
    page.wait_for_load_state()
    assert_english(page, "the review sheet after saving")


def test_a_supplier_walks_registration_and_quote_in_english(english_page, live_server, demo):
    page, base = english_page, live_server.url
    ids = demo_ids(live_server)
    pid = ids["project"]
    english_login(page, base, "xueyu@example.com")
    assert page.get_by_role("heading", name="My registrations").is_visible()
    assert_english(page, "supplier home")
    walk(page, base, [
        f"/supplier/projects/{pid}",
        "/supplier/profile",
        f"/supplier/projects/{pid}/registration",
        f"/supplier/projects/{pid}/quote",
        f"/supplier/projects/{pid}/quote/receipts/{ids['version']}",
        "/auth/password",
        f"/notices/{pid}",
    ])
    # Fill in the quote sheet and review it: the computed total, in English (amount in words only in Chinese).
    page.goto(f"{base}/supplier/projects/{pid}/quote")
    for field in page.locator("[data-testid='quote-form'] input[type=text]").all():
        field.fill("1.00")
    page.get_by_role("button", name="Next: check the total").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("review-total").inner_text().startswith("¥")
    assert page.get_by_test_id("review-total-words").count() == 0
    assert_english(page, "the quote review")
