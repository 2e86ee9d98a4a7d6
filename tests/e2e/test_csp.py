"""The pages work under their Content-Security-Policy in Chromium: no violation, and the scripts moved
out of the templates (the verify page's file check, the back link) still run."""
from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, watch_csp


@pytest.fixture
def demo(live_server):
    from procurement.demo import load_demo

    with live_server.app.app_context():
        return load_demo()


def test_the_watch_catches_a_violation(browser, live_server):
    """The check the other tests rely on can fail: an inline script added to a page is blocked and reported."""
    context = browser.new_context(locale="zh-CN")
    violations = watch_csp(context)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.appendChild(s); }")
    page.evaluate("() => { const d = document.createElement('div'); d.setAttribute('style', 'color: red'); document.body.appendChild(d); }")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.ran") is None
    context.close()
    assert any("script-src" in text for text in violations), violations
    assert any("style-src" in text for text in violations), violations


def test_every_buyer_page_of_the_demo_runs_without_a_violation(page, live_server, demo):
    base = live_server.url
    login(page, base, "buyer@example.com", "demo-2024")
    project_link = page.get_by_role("link", name="西藏日报社遴选2025年办公用品供应商项目").first
    project_link.click()
    page.wait_for_load_state()
    for path in ("/buyer/panel-accounts", "/buyer/calendar", "/buyer/blacklists", "/buyer/sign-in-attempts", "/buyer/audit", "/auth/password"):
        response = page.goto(base + path)
        assert response.status == 200 and page.locator("h1").first.is_visible(), path
    # The page fixture fails the test on any CSP violation or JavaScript error.


def test_the_verify_page_checks_the_held_file_in_the_browser(page, live_server, demo, tmp_path):
    from procurement.extensions import db
    from procurement.models import GeneratedDocument

    with live_server.app.app_context():
        document = db.session.query(GeneratedDocument).filter_by(kind="announcement").first()
        code, project_id = document.verification_code, document.project_id
    pdf = page.request.get(f"{live_server.url}/notices/{project_id}/notice.pdf")
    held = tmp_path / "held.pdf"
    held.write_bytes(pdf.body())
    altered = tmp_path / "altered.pdf"
    altered.write_bytes(pdf.body() + b"\n%")
    assert hashlib.sha256(held.read_bytes()).hexdigest() == pdf.headers["x-document-sha256"]
    page.goto(f"{live_server.url}/verify?code={code}")
    result = page.locator("[data-hash-result]")
    page.locator("#held-file").set_input_files(str(held))
    expect(result).to_have_attribute("data-same", "yes")
    assert result.inner_text() == "一致：您持有的文件与平台出具的原件完全相同。"
    page.locator("#held-file").set_input_files(str(altered))
    expect(result).to_have_attribute("data-same", "no")


def test_a_locked_account_is_told_until_when_in_the_browser(page, live_server, demo):
    for _ in range(5):
        login(page, live_server.url, "xueyu@example.com", "not-the-password-1")
    login(page, live_server.url, "xueyu@example.com", "demo-2024")
    message = page.locator('[data-field-error="password"]').inner_text()
    assert message.startswith("该账户因连续多次密码错误已被暂时锁定，请于北京时间 2024年12月26日")
