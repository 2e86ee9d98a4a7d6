"""Real-browser tests: Debian's Chromium driven by Playwright against a live server.

Never a downloaded browser: Playwright launches ``/usr/bin/chromium`` (``CHROMIUM`` overrides).
Each test gets a fresh database and a server on a free loopback port; the demo's database-
backed simulated clock is used, so the banner and the buyer's clock page work as in the demo.
"""
from __future__ import annotations

import os
import threading
from datetime import datetime

import pytest
from werkzeug.serving import make_server

from procurement.clock import SimulatedClock
from tests.conftest import make_test_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make setup does)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()
    playwright.stop()


class LiveServer:
    """The app served on a loopback port in a thread."""

    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def set_time(self, at: datetime) -> None:
        """Move the simulated clock (as buyer staff would from the banner)."""
        from procurement.extensions import db

        with self.app.app_context():
            SimulatedClock().set(at)
            db.session.commit()


@pytest.fixture
def live_server(database_template, tmp_path):
    """A live server on a fresh database, with the simulated clock; yields a LiveServer."""
    from procurement.extensions import db

    app = make_test_app(database_template, tmp_path)
    server = LiveServer(app)
    app.config["PUBLIC_BASE_URL"] = server.url
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# Reports every Content-Security-Policy violation of the page (a blocked inline script or style,
# a javascript: URL, a foreign source) to the console, where watch_csp collects it.
CSP_MARKER = "CSP violation:"
_REPORT_VIOLATIONS = (
    "document.addEventListener('securitypolicyviolation', function (e) {"
    f" console.error('{CSP_MARKER} ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' at ' + e.documentURI);"
    " });"
)


def watch_csp(context) -> list[str]:
    """Collect the CSP violations of every page of ``context`` (the list fills as pages run)."""
    violations: list[str] = []
    context.add_init_script(_REPORT_VIOLATIONS)

    def on_console(message) -> None:
        text = message.text
        if message.type == "error" and (text.startswith(CSP_MARKER) or "Content Security Policy" in text):
            violations.append(text)

    context.on("console", on_console)
    return violations


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context and page, sized like a phone-friendly laptop window.

    JavaScript errors and CSP violations (procurement.headers) fail the test.
    """
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(15000)
    violations = watch_csp(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def login(page, base_url: str, email: str, password: str) -> None:
    """Sign in through the login form."""
    page.goto(base_url + "/auth/login")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def logout(page) -> None:
    """Sign out from the navigation bar."""
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()
