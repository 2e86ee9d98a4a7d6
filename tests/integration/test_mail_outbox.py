"""The 已发送邮件 list (issue 13): buyer staff in development, test and demo see every mail with its
time, recipient, subject and delivery status; a message's text, its HTML sandboxed in a frame and
its .eml; a sign-in link never. Production has no such page."""
from __future__ import annotations

import email
import re
from email.policy import default

import lxml.html
import pytest

from procurement.headers import MAIL_PREVIEW_POLICY
from procurement.services import mail
from procurement.services.unit_of_work import transaction
from tests.conftest import AuthActions, post_form
from tests.factories import make_buyer, make_panel, make_supplier
from tests.factories.jobs import manual_jobs
from tests.mailserver import body_text, smtp_server
from tests.sqlcount import page_statements


def _queue(user, key, subject="报名审核结果通知", **extra):
    with transaction():
        return mail.queue_mail(
            to=user, subject=subject, text="您的报名已通过审核。\n请登录平台查看。",
            html='<p style="color: #333">您的报名已<strong>通过</strong>审核。</p><script>alert(1)</script>',
            key=key, kind="test", **extra,
        )


@pytest.fixture
def buyer_client(app, client):
    AuthActions(client).login(make_buyer().email)
    return client


def _rows(html: str) -> list[list[str]]:
    doc = lxml.html.document_fromstring(html)
    return [[" ".join(cell.text_content().split()) for cell in row.xpath("./td")] for row in doc.xpath('//table[@data-testid="mail-outbox"]/tbody/tr[@data-mail]')]


def test_the_list_shows_time_recipient_subject_and_status_newest_first(app, buyer_client, clock):
    supplier = make_supplier()
    _queue(supplier, "one")
    with smtp_server() as (port, _):
        pass  # nothing answers on that port any more
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    _queue(supplier, "two", subject="成交结果通知")
    with manual_jobs(app):
        _queue(supplier, "three", subject="开标记录已发布")
    html = buyer_client.get("/buyer/mail").get_data(as_text=True)
    rows = _rows(html)
    assert [row[:4] for row in rows] == [
        ["2024年12月20日 10:00", supplier.email, "开标记录已发布", "test"],
        ["2024年12月20日 10:00", supplier.email, "成交结果通知", "test"],
        ["2024年12月20日 10:00", supplier.email, "报名审核结果通知", "test"],
    ]
    assert rows[0][4] == "发送中" and rows[2][4] == "已发送"
    assert rows[1][4].startswith("失败") and ("refused" in rows[1][4] or "Connection" in rows[1][4])
    assert "共 3 封。" in html


def test_the_navigation_leads_buyer_staff_to_the_list(buyer_client):
    assert 'href="/buyer/mail">已发送邮件</a>' in buyer_client.get("/buyer/").get_data(as_text=True)


def test_a_message_shows_its_text_and_its_html_sandboxed_in_a_frame(app, buyer_client):
    message = _queue(make_supplier(), "one")
    html = buyer_client.get(f"/buyer/mail/{message.id}").get_data(as_text=True)
    assert "您的报名已通过审核。\n请登录平台查看。" in html
    doc = lxml.html.document_fromstring(html)
    [frame] = doc.xpath('//iframe[@data-testid="mail-html"]')
    assert frame.get("sandbox") == "" and frame.get("src") == f"/buyer/mail/{message.id}/body.html"
    assert "<script>alert(1)</script>" not in html  # the body is not in the page itself

    body = buyer_client.get(frame.get("src"))
    assert body.status_code == 200 and body.mimetype == "text/html"
    assert body.headers["Content-Security-Policy"] == MAIL_PREVIEW_POLICY
    assert "sandbox" in MAIL_PREVIEW_POLICY and "script-src" not in MAIL_PREVIEW_POLICY
    assert body.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "<strong>通过</strong>" in body.get_data(as_text=True)


def test_a_message_downloads_as_eml(app, buyer_client):
    supplier = make_supplier()
    message = _queue(supplier, "one")
    response = buyer_client.get(f"/buyer/mail/{message.id}/message.eml")
    assert response.status_code == 200 and response.mimetype == "message/rfc822"
    assert "attachment" in response.headers["Content-Disposition"]
    parsed = email.message_from_bytes(response.data, policy=default)
    assert parsed["Subject"] == "报名审核结果通知" and parsed["To"] == supplier.email
    assert "您的报名已通过审核。" in body_text(parsed) and "<strong>通过</strong>" in body_text(parsed, "html")


def test_a_reset_mail_never_shows_its_link(app, buyer_client):
    member = make_panel()
    post_form(buyer_client, f"/buyer/panel-accounts/{member.id}/password-reset", page="/buyer/panel-accounts")
    with manual_jobs(app):  # one not yet sent: its body still exists, and is withheld all the same
        post_form(buyer_client, f"/buyer/panel-accounts/{member.id}/password-reset", page="/buyer/panel-accounts")
    listing = buyer_client.get("/buyer/mail").get_data(as_text=True)
    assert [row[3:] for row in _rows(listing)] == [["重置密码", "发送中"], ["重置密码", "已发送"]]
    ids = [int(value) for value in re.findall(r'data-mail="(\d+)"', listing)]
    pending, sent = ids
    sent_page = buyer_client.get(f"/buyer/mail/{sent}").get_data(as_text=True)
    assert 'data-testid="mail-body-withheld">' in sent_page and "已清除（含登录链接）" in sent_page
    pending_page = buyer_client.get(f"/buyer/mail/{pending}").get_data(as_text=True)
    assert "不予显示（含登录链接，发送后即清除）" in pending_page
    for page in (sent_page, pending_page, listing):
        assert "reset-password" not in page and "<iframe" not in page
    for message_id in ids:
        assert buyer_client.get(f"/buyer/mail/{message_id}/body.html").status_code == 404
        assert buyer_client.get(f"/buyer/mail/{message_id}/message.eml").status_code == 404


def test_unknown_messages_answer_404(buyer_client):
    for url in ("/buyer/mail/999", "/buyer/mail/999/body.html", "/buyer/mail/999/message.eml"):
        assert buyer_client.get(url).status_code == 404


def test_other_roles_cannot_read_the_mail(app):
    message = _queue(make_supplier(), "one")
    for user in (make_panel(), make_supplier()):
        client = app.test_client()
        AuthActions(client).login(user.email)
        for url in ("/buyer/mail", f"/buyer/mail/{message.id}", f"/buyer/mail/{message.id}/body.html", f"/buyer/mail/{message.id}/message.eml"):
            assert client.get(url).status_code == 403, url


def test_the_list_sends_as_many_statements_for_many_mails_as_for_one(app, buyer_client):
    supplier = make_supplier()
    _queue(supplier, "first")
    one = page_statements(buyer_client, "/buyer/mail").count
    for index in range(12):
        _queue(supplier, f"more-{index}")
    assert page_statements(buyer_client, "/buyer/mail").count == one


def test_the_list_pages_fifty_at_a_time(app, buyer_client):
    supplier = make_supplier()
    for index in range(51):
        _queue(supplier, f"m{index}", subject=f"通知 {index}")
    first = _rows(buyer_client.get("/buyer/mail").get_data(as_text=True))
    second = _rows(buyer_client.get("/buyer/mail?page=2").get_data(as_text=True))
    assert len(first) == 50 and [row[2] for row in second] == ["通知 0"]
    assert _rows(buyer_client.get("/buyer/mail?page=99").get_data(as_text=True)) == second


class TestProduction:
    """Without ``MAIL_OUTBOX_PAGE`` (production): no link, and every URL of the page answers 404."""

    @pytest.fixture
    def app_config(self):
        return {"MAIL_OUTBOX_PAGE": False}

    def test_no_page_and_no_link(self, app, buyer_client):
        message = _queue(make_supplier(), "one")
        assert "已发送邮件" not in buyer_client.get("/buyer/").get_data(as_text=True)
        for url in ("/buyer/mail", f"/buyer/mail/{message.id}", f"/buyer/mail/{message.id}/body.html", f"/buyer/mail/{message.id}/message.eml"):
            assert buyer_client.get(url).status_code == 404, url


def test_the_production_configuration_has_no_outbox_page():
    import config

    assert config.ProductionConfig.MAIL_OUTBOX_PAGE is False
    assert config.DevelopmentConfig.MAIL_OUTBOX_PAGE is True and config.TestConfig.MAIL_OUTBOX_PAGE is True
