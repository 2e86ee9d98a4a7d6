"""A supplier's 站内消息 in the browser (issue 13): the unread count in the navigation, the message
list, opening a message (it is read) and following its link, and switching one kind's e-mail off
on 消息设置 (the next message of that kind stays in the app)."""
from __future__ import annotations

from datetime import datetime

import pytest
from playwright.sync_api import expect

from procurement.clock import SimulatedClock
from procurement.domain import notifications as kinds
from procurement.domain.schedule import BEIJING
from tests.e2e.conftest import login
from tests.factories import PASSWORD, make_buyer, make_project, make_supplier, register
from tests.notices import mail_rows, told

AMENDED_AT = datetime(2024, 12, 27, 10, 0, tzinfo=BEIJING)


@pytest.fixture
def told_twice(live_server):
    """A supplier registered (accepted: one message) for a project that then published a correction notice (two)."""
    from procurement.extensions import db
    from procurement.services import projects

    with live_server.app.app_context():
        buyer = make_buyer()
        project = make_project(buyer, SimulatedClock())
        supplier = make_supplier(company_name="拉萨雪域办公用品有限公司")
        register(project, supplier, SimulatedClock())
        SimulatedClock().set(AMENDED_AT)
        db.session.commit()
        projects.amend(project, {"contact_phone": "0891-6831234"}, "联系电话变更为0891-6831234", "原电话号码有误", buyer)
        info = {"project_id": project.id, "title": project.title, "email": supplier.email, "buyer": buyer.id}
    return info


def test_a_supplier_reads_its_messages_follows_a_link_and_switches_a_kinds_mail_off(page, live_server, told_twice):
    login(page, live_server.url, told_twice["email"], PASSWORD)
    assert page.get_by_test_id("unread-count").inner_text() == "2"

    page.get_by_test_id("nav-messages").click()
    page.wait_for_load_state()
    messages = page.get_by_test_id("messages")
    assert messages.locator("[data-unread=yes]").count() == 2
    messages.get_by_text("更正公告").click()
    page.wait_for_load_state()
    assert "联系电话变更为0891-6831234" in page.get_by_test_id("message-body").inner_text()
    assert page.get_by_test_id("unread-count").inner_text() == "1"  # opening it read it

    page.get_by_test_id("message-link").click()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/supplier/projects/{told_twice['project_id']}"
    expect(page.locator("body")).to_contain_text(told_twice["title"])

    page.get_by_test_id("nav-messages").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("messages").locator("[data-unread=yes]").count() == 1
    page.get_by_test_id("message-settings").click()
    page.wait_for_load_state()
    switch = page.get_by_label("更正公告")
    assert switch.is_checked() and page.get_by_label("报价截止前24小时提醒").is_checked()
    switch.uncheck()
    page.get_by_role("button", name="保存设置").click()
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("消息设置已保存。")
    assert not page.get_by_label("更正公告").is_checked() and page.get_by_label("质疑答复").is_checked()

    from procurement.extensions import db
    from procurement.models import Project, User
    from procurement.services import projects

    with live_server.app.app_context():
        project = db.session.get(Project, told_twice["project_id"])
        buyer = db.session.get(User, told_twice["buyer"])
        projects.amend(project, {"contact_name": "卓玛女士"}, "联系人变更", "人员调整", buyer)
        supplier = db.session.scalar(db.select(User).where(User.email == told_twice["email"]))
        assert len(told(supplier, kinds.PROJECT_AMENDED)) == 2
        assert len(mail_rows(supplier, kinds.PROJECT_AMENDED)) == 1  # the second one: in the app only
    page.reload()
    assert page.get_by_test_id("unread-count").inner_text() == "2"
