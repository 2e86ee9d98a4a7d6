"""A new supplier signs up, fills its profile, registers for the demo project, passes every check and gets the RFQ."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, logout
from tests.factories import blacklist_csv, tiny_pdf, tiny_png, valid_id, valid_uscc

RFQ_PDF = tiny_pdf("RFQ documents")
LIST_LABELS = {
    "dishonest_debtor": "失信被执行人",
    "tax_violation": "重大税收违法失信主体",
    "procurement_violation": "政府采购严重违法失信行为记录名单",
}


@pytest.fixture
def demo(live_server):
    """The demo: the notice's project, published, with the clock at 2024-12-26 10:00 (inside the window)."""
    from procurement.demo import load_demo

    with live_server.app.app_context():
        return load_demo()


def test_new_supplier_registers_passes_every_check_and_downloads_the_rfq(page, live_server, demo, tmp_path):
    base = live_server.url

    # Buyer staff import the three credit lists (none lists our supplier), so the credit check can pass.
    login(page, base, "buyer@example.com", "demo-2024")
    page.goto(base + "/buyer/blacklists")
    for kind, label in LIST_LABELS.items():
        card = page.get_by_test_id(f"blacklist-{kind}")
        csv_bytes = blacklist_csv([{"name": "某地无关商贸有限公司", "list": label, "source": "信用中国", "listed_from": "2024-01-01"}])
        card.get_by_label("CSV 文件").set_input_files({"name": f"{kind}.csv", "mimeType": "text/csv", "buffer": csv_bytes})
        card.get_by_role("button", name="导入新版本").click()
        expect(page.get_by_role("alert").filter(has_text=f"已导入“{label}”新版本")).to_be_visible()
    # ... and publish the RFQ documents (询比价文件) that an accepted registrant may download.
    page.get_by_role("link", name="项目管理").click()
    page.get_by_role("link", name=re.compile("西藏日报社遴选2025年办公用品供应商项目")).click()
    page.get_by_label("文件名称").fill("询比价文件（含报价单格式）")
    page.get_by_label(re.compile("^文件（PDF")).set_input_files({"name": "rfq.pdf", "mimeType": "application/pdf", "buffer": RFQ_PDF})
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_test_id("rfq-files")).to_contain_text("询比价文件（含报价单格式）")
    logout(page)

    # A new supplier signs up ...
    page.goto(base + "/auth/signup")
    page.get_by_label("公司名称（与营业执照一致）").fill("拉萨新华文具有限公司")
    page.get_by_label("联系人姓名").fill("达瓦")
    page.get_by_label("邮箱").fill("dawa@example.com")
    page.get_by_label("密码（至少8位）").fill("longenough1")
    page.get_by_label("再次输入密码").fill("longenough1")
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", name="公司信息")).to_be_visible()

    # ... fills its profile ...
    page.get_by_label("统一社会信用代码").fill(valid_uscc("540102"))
    page.get_by_label("注册地址（营业执照所载）").fill("西藏自治区拉萨市城关区江苏路 3 号")
    page.get_by_label("拉萨经营场所所在区县").select_option("540102")
    page.get_by_label("经营场所详细地址").fill("城关区江苏路 3 号一楼")
    page.get_by_label("法定代表人姓名").fill("达瓦次仁")
    page.get_by_label("法定代表人身份证号码").fill(valid_id(birth="19860315"))
    page.get_by_label("联系人", exact=True).fill("达瓦")
    page.get_by_label("联系人手机号码").fill("13908910099")
    page.get_by_role("button", name="保存公司信息").click()
    expect(page.get_by_role("alert").filter(has_text="公司信息已保存")).to_be_visible()

    # ... finds the demo project and opens the registration form inside the window ...
    page.get_by_role("link", name="我的报名").click()
    page.get_by_test_id("open-for-me").get_by_role("link", name=re.compile("西藏日报社遴选2025年办公用品供应商项目")).click()
    section = page.get_by_test_id("registration-section")
    expect(section.get_by_test_id("registration-window")).to_contain_text("报名进行中")
    section.get_by_role("link", name="填写报名表").click()

    # ... answers, declares and uploads small real scans (PDF and PNG) ...
    page.get_by_label("法定代表人本人报名").check()
    page.get_by_label("单一法人主体").check()
    for n in range(1, 7):
        page.get_by_label(re.compile(rf"^（{n}）")).check()
    scans = {
        "营业执照副本复印件": ("licence.pdf", "application/pdf", tiny_pdf("licence")),
        "开户许可证复印件": ("permit.png", "image/png", tiny_png()),
        "法定代表人身份证复印件": ("id.png", "image/png", tiny_png(6, 4)),
        "经营场所证明（租赁合同或房产证）": ("lease.pdf", "application/pdf", tiny_pdf("lease")),
    }
    for label, (name, mime, data) in scans.items():
        page.get_by_label(label, exact=True).set_input_files({"name": name, "mimeType": mime, "buffer": data})
    page.get_by_role("button", name="提交报名并进行资格审核").click()

    # ... and sees every check pass.
    expect(page.get_by_role("alert").filter(has_text="报名成功：各项自动审核均已通过。")).to_be_visible()
    section = page.get_by_test_id("registration-section")
    expect(section.get_by_test_id("registration-status")).to_have_text("报名成功")
    rows = section.get_by_test_id("check-results").locator("tbody tr")
    expect(rows).to_have_count(6)
    for index in range(6):
        expect(rows.nth(index)).to_have_attribute("data-status", "pass")
        expect(rows.nth(index)).to_contain_text("✔ 通过")
    expect(section).to_contain_text("经营场所位于拉萨市城关区。")
    expect(section).to_contain_text("未被列入任何失信名单。")
    expect(section.get_by_test_id("my-documents").get_by_role("link")).to_have_count(4)
    # The supplier learns nothing about other registrants.
    expect(page.locator("body")).not_to_contain_text("拉萨雪域办公用品有限公司")

    # Its own scan opens inline in the browser.
    with page.context.expect_page() as popup:
        section.get_by_test_id("my-documents").get_by_role("link", name="permit.png").click()
    scan = popup.value
    scan.wait_for_load_state()
    assert scan.evaluate("document.contentType") == "image/png"
    scan.close()

    # The RFQ documents are now unlocked: download them (the online "bring a USB stick").
    downloads = section.get_by_test_id("rfq-downloads")
    expect(downloads).to_contain_text("询比价文件（含报价单格式）")
    with page.expect_download() as download_info:
        downloads.locator("li", has_text="询比价文件（含报价单格式）").get_by_role("link", name="下载").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes() == RFQ_PDF

    # Buyer staff see the registration with its checks, and the scans inline.
    logout(page)
    login(page, base, "buyer@example.com", "demo-2024")
    page.get_by_role("link", name=re.compile("西藏日报社遴选2025年办公用品供应商项目")).click()
    registrations = page.get_by_test_id("registrations")
    row = registrations.locator("tr", has_text="拉萨新华文具有限公司")
    expect(row).to_contain_text("报名成功")
    expect(row.locator("td[data-criterion] .check-pass")).to_have_count(6)
    row.get_by_role("link", name="详情").click()
    documents = page.get_by_test_id("registration-documents")
    expect(documents.get_by_role("link")).to_have_count(4)
    expect(page.get_by_test_id("registration-company")).to_contain_text("5401**********")
    response = page.request.get(base + documents.get_by_role("link", name="licence.pdf").get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.body() == tiny_pdf("licence")
    page.wait_for_load_state("networkidle")  # no request still running when the server stops
