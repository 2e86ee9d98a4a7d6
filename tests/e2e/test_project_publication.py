"""A buyer creates and publishes a project in the browser; the public reads it and its PDF."""
from __future__ import annotations

import subprocess
from datetime import datetime

from playwright.sync_api import expect

from procurement.domain.schedule import BEIJING
from tests.e2e.conftest import login, logout

LINES = [
    ("复印纸", "A4 70g 500张/包", "包", "1200", "28.00"),
    ("激光打印机硒鼓", "HP CF228A", "个", "80", "420.00"),
    ("中性笔", "0.5mm 黑色", "盒", "300", ""),
]


def test_buyer_publishes_and_a_visitor_downloads_the_pdf(page, live_server, tmp_path):
    with live_server.app.app_context():
        from tests.factories import make_buyer

        make_buyer()
    live_server.set_time(datetime(2024, 12, 25, 9, 0, tzinfo=BEIJING))
    login(page, live_server.url, "buyer@example.com", "tashi-delek-2025")
    page.get_by_role("link", name="新建项目").click()
    page.get_by_label("项目编号").fill("XZRB-E2E-001")
    page.get_by_label("项目名称").fill("西藏日报社遴选2025年办公用品供应商项目")
    page.get_by_label("询比价（开启）时间，北京时间").fill("2025-01-02T16:00")
    page.get_by_label("联系人", exact=True).fill("措姆女士")
    page.get_by_label("联系电话").fill("13618906639")
    for index, line in enumerate(LINES):
        if index > 0:
            page.get_by_role("button", name="增加一行").click()
        row = page.locator("[data-testid=boq-table] tbody tr").nth(index)
        for cell, value in zip(row.locator("input").all(), line):
            cell.fill(value)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("body")).to_contain_text("草稿已保存")

    page.get_by_role("link", name="预览日程并发布").click()
    preview = page.get_by_test_id("schedule-preview").inner_text()
    assert "2024年12月31日" in preview
    page.get_by_label("我已核对公告内容和日程").check()
    page.get_by_role("button", name="发布公告").click()
    expect(page.locator("body")).to_contain_text("公告已发布")
    logout(page)

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="西藏日报社遴选2025年办公用品供应商项目询比价公告").click()
    notice = page.get_by_test_id("notice").inner_text()
    assert "激光打印机硒鼓" in notice and "中性笔" in notice
    with page.expect_download() as info:
        page.get_by_test_id("pdf-link").click()
    path = tmp_path / "notice.pdf"
    info.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "西藏日报社遴选2025年办公用品供应商项目询比价公告" in text.replace(" ", "").replace("\n", "")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert any("CJK" in line and " yes " in line for line in fonts.splitlines()), fonts
