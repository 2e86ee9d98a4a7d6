"""After the evaluation: the buyer confirms the award, the public reads the result, suppliers download notices."""
from __future__ import annotations

import logging
import re
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from procurement.clock import SimulatedClock
from procurement.domain.schedule import BEIJING
from tests.e2e.conftest import login, logout
from tests.factories import PASSWORD, make_buyer, make_evaluated_project
from tests.integration.test_documents import pdf_fonts, pdf_text

RESULT_DAY = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)


class _WeasyPrintLog(logging.Handler):
    """Every message WeasyPrint logs while the test runs (the server renders in this process)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def weasyprint_log():
    handler = _WeasyPrintLog()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def evaluated(live_server):
    """The notice's project after its evaluation (report 2025-01-03), the clock on Monday 2025-01-06."""
    with live_server.app.app_context():
        buyer = make_buyer()
        built = make_evaluated_project(buyer, SimulatedClock(), code="XZRB-XBJ-2024-001")
        info = {
            "project_id": built.project.id,
            "buyer": buyer.email,
            "winner": built.candidate(1)[0].email,
            "second": built.candidate(2)[0].email,
        }
    live_server.set_time(RESULT_DAY)
    return info


def _download(page, link_name: str, target: Path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    info.value.save_as(target)
    return target.read_bytes()


def test_award_result_announcement_and_notices(page, live_server, evaluated, weasyprint_log, tmp_path):
    page.on("dialog", lambda dialog: dialog.accept())
    project_id = evaluated["project_id"]

    # Buyer staff confirm the first candidate and publish the result.
    login(page, live_server.url, evaluated["buyer"], PASSWORD)
    page.goto(f"{live_server.url}/buyer/projects/{project_id}")
    section = page.get_by_test_id("award-section")
    assert "确认期限：2025年1月10日" in section.inner_text()
    page.get_by_test_id("candidate-1").get_by_role("button", name="确定为成交供应商").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("已确定“拉萨雪域办公用品有限公司”为成交供应商")
    page.get_by_role("button", name="发布成交结果").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("成交结果已发布")
    dates = page.get_by_test_id("award-dates").inner_text()
    assert "2025年1月15日" in dates and "2025年2月5日" in dates
    logout(page)

    # The public reads the result announcement from the notice page.
    page.goto(f"{live_server.url}/notices/{project_id}")
    page.get_by_test_id("result-link").click()
    announcement = page.get_by_test_id("result-announcement").inner_text()
    assert "成交结果公告" in announcement
    assert "拉萨雪域办公用品有限公司" in announcement
    assert "¥7,037.50" in announcement and "人民币柒仟零叁拾柒元伍角" in announcement
    assert "扎西次仁、卓玛、王建国" in announcement

    # The winner downloads its award notice.
    login(page, live_server.url, evaluated["winner"], PASSWORD)
    page.goto(f"{live_server.url}/supplier/projects/{project_id}")
    assert "贵单位被确定为成交供应商" in page.get_by_test_id("own-outcome").inner_text()
    award_pdf = _download(page, "下载成交通知书（PDF）", tmp_path / "award.pdf")
    text = pdf_text(award_pdf, tmp_path)
    assert "成交通知书" in text
    assert "拉萨雪域办公用品有限公司" in text
    assert "人民币柒仟零叁拾柒元伍角" in text
    fonts = pdf_fonts(award_pdf, tmp_path)
    assert any("CJK" in row["name"] and row["emb"] == "yes" for row in fonts), fonts
    logout(page)

    # Another supplier downloads its result notice.
    login(page, live_server.url, evaluated["second"], PASSWORD)
    page.goto(f"{live_server.url}/supplier/projects/{project_id}")
    result_pdf = _download(page, "下载成交结果通知书（PDF）", tmp_path / "result.pdf")
    text = pdf_text(result_pdf, tmp_path)
    assert "成交结果通知书" in text and "西藏圣地商贸有限公司" in text
    assert "在3家有效报价中排名第2名" in text
    assert "人民币柒仟零叁拾柒元伍角" in text  # the winner's amount
    assert any("CJK" in row["name"] and row["emb"] == "yes" for row in pdf_fonts(result_pdf, tmp_path))

    # Both notices carry a verification code that the public verify page confirms.
    printed = re.search(r"验证码：([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})", text).group(1)
    page.goto(f"{live_server.url}/verify")
    page.get_by_label("验证码").fill(printed)  # typed as printed, dashes and all
    page.get_by_role("button", name="查询").click()
    assert page.get_by_test_id("verify-ok").is_visible()
    # The reader checks the file it holds against the archive, in the browser.
    page.get_by_label("选择您持有的文件").set_input_files({"name": "result.pdf", "mimeType": "application/pdf", "buffer": result_pdf})
    expect(page.locator("[data-hash-result]")).to_have_attribute("data-same", "yes")
    tampered = {"name": "result.pdf", "mimeType": "application/pdf", "buffer": result_pdf + b"\n%tampered"}
    page.get_by_label("选择您持有的文件").set_input_files(tampered)
    expect(page.locator("[data-hash-result]")).to_have_attribute("data-same", "no")

    # WeasyPrint rendered every document without a missing glyph.
    assert not [m for m in weasyprint_log.messages if ".notdef" in m], weasyprint_log.messages
