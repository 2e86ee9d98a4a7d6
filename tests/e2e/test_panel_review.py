"""The evaluation in a real browser, on the demo: the buyer appoints the panel, three members declare, review
the five demo suppliers (one fails the premises check, one is blacklisted after it registered), the chair
ranks, two candidates are named, and all three confirm the report, whose PDF is then issued."""
from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import expect

from procurement.domain.schedule import BEIJING
from tests.e2e.conftest import login, logout

PASSWORD = "demo-2024"  # the demo's logins
CRITERIA = ["article22", "credit", "no_consortium", "lhasa_premises", "documents", "identifiers", "quote_compliance"]


def seed(live_server):
    """The demo itself: the notice's project with its five suppliers' sealed quotes, opened at 16:05.

    In the demo, supplier 4's premises proof shows an address in Shigatse, and supplier 5 was put
    on a credit list after it registered (the review-time re-run of the credit check catches it).
    """
    from procurement.demo import load_demo
    from procurement.extensions import db
    from procurement.models import Project, Registration, User
    from tests.factories import open_demo

    with live_server.app.app_context():
        load_demo()
        live_server.set_time(datetime(2025, 1, 2, 16, 5, tzinfo=BEIJING))
        project = db.session.query(Project).one()
        buyer = db.session.query(User).filter_by(email="buyer@example.com").one()
        open_demo(project)  # the demo opens by quorum: two officials' passphrases
        data = {
            "project_id": project.id,
            "registrations": [r.id for r in db.session.query(Registration).order_by(Registration.id)],
            "members": [f"panel{i}@example.com" for i in (1, 2, 3)],
            "buyer": buyer.email,
        }
        db.session.remove()
    return data


def fill_supplier(page, registration_id: int, fails: dict) -> None:
    """Pass every criterion of one supplier, except ``fails[criterion] = reason``."""
    for criterion in CRITERIA:
        name = f"v-{registration_id}-{criterion}"
        if criterion in fails:
            page.locator(f"#{name}-fail").check()
            page.locator(f"#r-{registration_id}-{criterion}").fill(fails[criterion])
        else:
            page.locator(f"#{name}-pass").check()


def open_supplier(page, registration_id: int) -> None:
    """From the review overview, open one supplier's sheet (the panel reviews one supplier at a time)."""
    page.get_by_test_id(f"review-{registration_id}").click()


def complete_supplier(page) -> None:
    """Complete the open supplier's sheet; the next supplier's opens (the overview after the last)."""
    page.get_by_role("button", name="完成本家，评审下一家").click()


def test_three_members_review_five_suppliers_and_confirm_the_report(page, live_server):
    data = seed(live_server)
    base = live_server.url
    project_id = data["project_id"]
    regs = data["registrations"]
    page.on("dialog", lambda dialog: dialog.accept())

    # Buyer staff appoint the panel, the first as chair.
    login(page, base, data["buyer"], PASSWORD)
    page.goto(f"{base}/buyer/projects/{project_id}")
    page.get_by_role("link", name="管理小组 / 查看评审进度").click()
    for index, (name, email) in enumerate(zip(("格桑", "陈静", "索朗"), data["members"])):
        page.get_by_label("评审人员").select_option(label=f"{name}（{email}）")
        if index == 0:
            page.get_by_label("担任组长").check()
        page.get_by_role("button", name="指定", exact=True).click()
        expect(page.get_by_text(f"已指定{name}为询比价小组成员。")).to_be_visible()
    logout(page)

    # Each member declares before seeing anything of the suppliers.
    for email in data["members"]:
        login(page, base, email, PASSWORD)
        page.get_by_role("link", name="西藏日报社遴选2025年办公用品供应商项目").click()
        expect(page.get_by_test_id("participants")).to_contain_text("拉萨(高原)纸业有限公司")
        expect(page.locator("a[target=doc-viewer]")).to_have_count(0)
        page.get_by_label("本人与以上参加供应商均不存在利害关系").check()
        page.get_by_role("button", name="提交声明").click()
        expect(page.get_by_test_id("waiting-start")).to_be_visible()
        logout(page)

    login(page, base, data["buyer"], PASSWORD)
    page.goto(f"{base}/buyer/projects/{project_id}/panel")
    page.get_by_role("button", name="启动评审").click()
    expect(page.get_by_text("评审已启动")).to_be_visible()
    logout(page)

    # The chair reviews: documents inline, the credit re-run caught supplier 5; saves halfway and comes back.
    chair, second, third = data["members"]
    login(page, base, chair, PASSWORD)
    page.goto(f"{base}/panel/projects/{project_id}")
    page.get_by_test_id("open-review").click()
    open_supplier(page, regs[4])
    credit_cell = page.locator(f'[data-cell="{regs[4]}-credit"]')
    expect(credit_cell).to_contain_text("已被列入以下名单")
    expect(credit_cell).to_contain_text("政府采购严重违法失信行为记录名单-20241226.csv")
    page.get_by_test_id("overview-link").click()
    open_supplier(page, regs[3])
    expect(page.locator(f'[data-cell="{regs[3]}-lhasa_premises"]')).to_contain_text("日喀则")
    page.get_by_test_id("overview-link").click()
    open_supplier(page, regs[0])
    # The demo's scans are PDFs: each opens inline in the viewer beside the matrix, never as a download.
    downloads = []
    page.on("download", lambda download: downloads.append(download.url))
    for kind in ("legal_rep_id", "business_licence"):
        link = page.locator(f'#supplier-{regs[0]} a[data-doc="{kind}"]')
        href = link.get_attribute("href")
        link.click()
        # The viewer frame navigates to the document (it loads after the click returns).
        page.frame(name="doc-viewer").wait_for_url(f"**{href}")
        expect(page.frame_locator("iframe[name=doc-viewer]").locator("embed, iframe, body")).not_to_have_count(0)
    assert downloads == []
    fill_supplier(page, regs[0], {})
    complete_supplier(page)  # on to the next supplier's sheet
    fill_supplier(page, regs[1], {})
    page.get_by_role("button", name="保存，稍后继续").click()
    expect(page.get_by_text("已保存。您可以稍后回来继续评审。")).to_be_visible()
    page.goto(f"{base}/panel/projects/{project_id}")
    expect(page.get_by_test_id("my-status")).to_contain_text("已填写 14 / 35 项")
    page.get_by_test_id("open-review").click()
    open_supplier(page, regs[1])
    expect(page.locator(f"#v-{regs[1]}-quote_compliance-pass")).to_be_checked()
    complete_supplier(page)
    fill_supplier(page, regs[2], {})
    complete_supplier(page)
    fill_supplier(page, regs[3], {"lhasa_premises": "经营场所证明所载地址在日喀则市"})
    complete_supplier(page)
    fill_supplier(page, regs[4], {"credit": "评审时核查已被列入失信被执行人名单"})
    complete_supplier(page)  # the last one: back to the overview, where the whole review is submitted
    page.get_by_role("button", name="提交评审意见").click()
    expect(page.get_by_text("评审意见已提交。")).to_be_visible()
    logout(page)

    # The other two; the third passes supplier 4's premises (a 2-to-1 vote).
    for email, premises in ((second, {"lhasa_premises": "租赁合同所载地址不在拉萨"}), (third, {})):
        login(page, base, email, PASSWORD)
        page.goto(f"{base}/panel/projects/{project_id}/review")
        open_supplier(page, regs[0])
        for index, registration in enumerate(regs):
            if email == third and index in (0, 4):
                # The prefill ticks what the automatic checks decided and leaves the rest to the member.
                page.get_by_role("button", name="按自动核验结果预填未填项").click()
                if index == 0:
                    expect(page.locator(f"#v-{regs[0]}-article22-pass")).to_be_checked()
                else:
                    expect(page.locator(f"#v-{regs[4]}-credit-fail")).to_be_checked()
                    expect(page.locator(f"#r-{regs[4]}-credit")).to_have_value(re.compile("自动核验不通过"))
            fails = premises if index == 3 else {"credit": "已被列入失信名单"} if index == 4 else {}
            fill_supplier(page, registration, fails)
            complete_supplier(page)
        page.get_by_role("button", name="提交评审意见").click()
        expect(page.get_by_text("评审意见已提交。")).to_be_visible()
        logout(page)

    # The chair ranks: two candidates.
    login(page, base, chair, PASSWORD)
    page.goto(f"{base}/panel/projects/{project_id}")
    expect(page.get_by_test_id(f"outcome-{regs[3]}")).to_contain_text("不合格")
    expect(page.get_by_test_id("no-abnormal")).to_be_visible()
    page.get_by_role("button", name="汇总评审结果并排序").click()
    expect(page.get_by_text("已汇总评审结果并排序")).to_be_visible()
    page.goto(f"{base}/panel/projects/{project_id}")
    ranking = page.get_by_test_id("ranking")
    expect(page.get_by_test_id(f"result-{regs[0]}")).to_contain_text("第一成交候选人")
    expect(page.get_by_test_id(f"result-{regs[1]}")).to_contain_text("第二成交候选人")
    expect(ranking.get_by_text("成交候选人")).to_have_count(2)
    expect(page.get_by_test_id(f"result-{regs[3]}")).to_contain_text("无效")
    expect(page.get_by_test_id(f"result-{regs[4]}")).to_contain_text("无效")
    logout(page)

    # All three confirm the report with their passwords; the third with a written dissent.
    for email, dissent in ((chair, ""), (second, ""), (third, "本人认为日喀则珠峰办公设备有限公司在拉萨设有经营场所。")):
        login(page, base, email, PASSWORD)
        page.goto(f"{base}/panel/projects/{project_id}")
        page.get_by_test_id("open-report").click()
        expect(page.get_by_test_id("report-ranking")).to_contain_text("第一成交候选人")
        if dissent:
            page.get_by_label("不同意见").fill(dissent)
        page.get_by_label("登录密码（确认身份）").fill(PASSWORD)
        page.get_by_role("button", name="确认并签署评审报告").click()
        expect(page.get_by_test_id("confirmed")).to_be_visible()
        if email != third:
            logout(page)

    expect(page.get_by_test_id("report-pdf")).to_be_visible()
    expect(page.get_by_test_id("report-dissent").filter(has_text="在拉萨设有经营场所")).to_have_count(1)
    href = page.get_by_role("link", name="查看评审报告PDF").get_attribute("href")
    response = page.request.get(base + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body()[:5] == b"%PDF-"
    logout(page)

    # Buyer staff see the evaluation completed and the same PDF.
    login(page, base, data["buyer"], PASSWORD)
    page.goto(f"{base}/buyer/projects/{project_id}")
    expect(page.get_by_test_id("evaluation-stage")).to_have_text("评审完成")
    expect(page.get_by_test_id("phase")).to_have_text("评审完成")
    page.goto(f"{base}/buyer/projects/{project_id}/panel")
    expect(page.get_by_test_id("evaluation-progress")).to_contain_text("第二成交候选人")
