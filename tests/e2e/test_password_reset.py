"""Issue 13 points 1 and 2 in a real browser: a supplier who forgot her password asks for a link, the
mail arrives (at a real SMTP server, or in the outbox folder when none is configured), she follows
it, sets a new password and is signed in; the old password and the used link no longer work. Then
buyer staff, in the demo, find the mails under 已发送邮件 and read one."""
from __future__ import annotations

import email
import re
from email.policy import default

import pytest
from playwright.sync_api import expect

from procurement.mail import transport
from tests.e2e.conftest import login, logout
from tests.mailserver import body_text, smtp_server

NEW_PASSWORD = "Yamdrok-turquoise-lake-42"


def _reset_link(message, base_url: str) -> str:
    match = re.search(re.escape(base_url) + r"/auth/reset-password/[A-Za-z0-9._-]+", body_text(message))
    assert match, body_text(message)
    return match.group(0)


def _outbox_messages(app):
    folder = transport.outbox_folder(app)
    return [email.message_from_bytes(path.read_bytes(), policy=default) for path in sorted(folder.glob("*.eml"))] if folder.exists() else []


@pytest.mark.parametrize("delivery", ["smtp", "outbox"])
def test_a_supplier_who_forgot_her_password_sets_a_new_one_from_the_mail(page, live_server, delivery):
    from procurement.extensions import db
    from tests.factories import PASSWORD, make_supplier

    with live_server.app.app_context():
        supplier = make_supplier(email="dolma@example.com")
        name = supplier.name
        db.session.commit()
    base = live_server.url

    def ask_for_link():
        page.goto(base + "/auth/login")
        page.get_by_role("link", name="忘记密码？").click()
        page.get_by_label("注册时使用的邮箱").fill("dolma@example.com")
        page.get_by_role("button", name="发送重置密码邮件").click()
        expect(page.get_by_test_id("reset-requested")).to_contain_text("如果 dolma@example.com 是本平台某个账户的邮箱")

    if delivery == "smtp":
        with smtp_server() as (port, received):
            live_server.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="询比价采购平台 <noreply@example.cn>")
            ask_for_link()
        assert [envelope[1] for envelope in received.envelopes] == [["dolma@example.com"]]
        [message] = received.messages
        assert _outbox_messages(live_server.app) == []
    else:
        ask_for_link()
        [message] = _outbox_messages(live_server.app)
    assert message["Subject"] == "重置登录密码 · 询比价采购平台"
    link = _reset_link(message, base)

    page.goto(link)
    expect(page.get_by_test_id("reset-account")).to_have_text("dolma@example.com")
    assert page.url == base + "/auth/reset-password/set"  # the token left the address bar (and the history)
    page.get_by_label("新密码（至少8位）").fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()
    expect(page.get_by_text("新密码已设置，您已登录。")).to_be_visible()
    assert page.url == base + "/supplier/"
    expect(page.get_by_test_id("whoami")).to_contain_text(name)

    logout(page)
    login(page, base, "dolma@example.com", PASSWORD)
    expect(page.get_by_text("邮箱或密码不正确。")).to_be_visible()
    page.goto(link)
    expect(page.get_by_test_id("reset-link-refused")).to_contain_text("该链接已失效")
    page.get_by_role("link", name="重新申请重置密码").click()
    expect(page.get_by_label("注册时使用的邮箱")).to_be_visible()
    login(page, base, "dolma@example.com", NEW_PASSWORD)
    assert page.url == base + "/supplier/"


def test_buyer_staff_send_a_link_and_read_the_sent_mail_in_the_demo(page, live_server):
    from procurement.demo import DEMO_PASSWORD, load_demo
    from procurement.extensions import db
    from procurement.services.mail import queue_mail
    from procurement.services.unit_of_work import transaction

    with live_server.app.app_context():
        load_demo()
        with transaction():
            queue_mail(to="xueyu@example.com", subject="演示邮件：报名审核结果", text="您的报名已通过审核。",
                       html='<p style="color: #1f2933">您的报名已<strong>通过</strong>审核。</p>', key="e2e:1", kind="test")
        db.session.commit()
    base = live_server.url
    login(page, base, "buyer@example.com", DEMO_PASSWORD)
    page.get_by_role("link", name="评审人员").click()
    page.locator('tr[data-account="panel1@example.com"]').get_by_role("button", name="发送重置密码邮件").click()
    expect(page.get_by_text("已向 格桑 的邮箱 panel1@example.com 发送重置密码邮件")).to_be_visible()

    page.get_by_role("link", name="已发送邮件").click()
    rows = page.get_by_test_id("mail-outbox").locator("tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2  # ours and the reset link, besides the demo's own notifications
    expect(rows.nth(0)).to_contain_text("panel1@example.com")
    expect(rows.nth(0)).to_contain_text("已发送")
    rows.nth(0).get_by_role("link").click()
    expect(page.get_by_test_id("mail-body-withheld")).to_have_text("已清除（含登录链接）")

    page.go_back()
    page.get_by_role("link", name="演示邮件：报名审核结果").click()
    expect(page.get_by_test_id("mail-text")).to_have_text("您的报名已通过审核。\n")
    frame = page.frame_locator('iframe[data-testid="mail-html"]')
    expect(frame.locator("strong")).to_have_text("通过")
