"""Issue 10 point 11 in a real browser: the deadline sentence with and without JavaScript."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect


@pytest.fixture
def demo(live_server):
    from procurement.demo import load_demo

    with live_server.app.app_context():
        return load_demo()


def _notice(page, base_url: str) -> None:
    page.goto(base_url + "/")
    page.get_by_role("link", name="西藏日报社遴选2025年办公用品供应商项目询比价公告").click()


def test_the_countdown_adds_the_time_left_to_the_deadline_sentence(page, live_server, demo):
    _notice(page, live_server.url)
    countdown = page.get_by_test_id("countdown")
    # Waits for app.js to have run (a loaded machine may read the page before it does).
    expect(countdown).to_have_text(re.compile(r"^报价截止时间：2025年1月2日16:00（北京时间），剩余 (\d+ 天 )?\d+ 小时 \d+ 分 \d+ 秒。$"))


def test_without_javascript_the_deadline_sentence_stands_alone(browser, live_server, demo):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    _notice(page, live_server.url)
    assert page.get_by_test_id("countdown").inner_text() == "报价截止时间：2025年1月2日16:00（北京时间）。"
    context.close()
