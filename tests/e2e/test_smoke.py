"""Smoke: each demo role signs in in a real browser and sees its home."""
from __future__ import annotations

import pytest

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
