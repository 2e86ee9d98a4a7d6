"""A mail whose delivery failed every attempt is shown on the buyer's home with its recipient,
subject and error, and 重新发送 queues the same message again (POST, CSRF, audited): against a
real SMTP server (tests/mailserver.py) it then arrives exactly once, and a delivered message is
never sent twice. A message holding a sign-in link is listed but not resent."""
from __future__ import annotations

import lxml.html
import sqlalchemy as sa

from procurement.extensions import db
from procurement.models import JOB_DONE, JOB_FAILED, AuditEvent, Job, MailMessage, User
from procurement.services import mail
from procurement.services.unit_of_work import transaction
from tests.conftest import AuthActions, post_form
from tests.factories import make_buyer, make_project, make_supplier
from tests.factories.jobs import quick_renders
from tests.mailserver import smtp_server
from tests.sqlcount import page_statements


def _signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def _closed_port() -> int:
    with smtp_server() as (port, _):
        pass  # the port is free again: nothing answers there
    return port


def _failing_smtp(app) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_TIMEOUT=2)


def _queue(user, key, project=None, **extra):
    with transaction():
        return mail.queue_mail(
            to=user, subject=f"报名审核结果通知 {key}", text="您的报名已通过审核。", key=key, kind="test", project=project, **extra
        )


def _failed_rows(html: str) -> list[lxml.html.HtmlElement]:
    return lxml.html.document_fromstring(html).xpath('//*[@data-testid="failed-mails"]//tbody/tr')


def test_a_failed_mail_is_shown_with_its_error_and_resent_once_to_a_running_server(app, clock):
    buyer, supplier = make_buyer(), make_supplier()
    with quick_renders():
        project = make_project(buyer, clock, code="MAIL-1")
    _failing_smtp(app)
    message = _queue(supplier, "resend:1", project=project)
    message_id, job_id = message.id, message.job_id
    assert db.session.get(Job, job_id).status == JOB_FAILED
    client = _signed_in(app, buyer)
    html = client.get("/buyer/").get_data(as_text=True)
    (row,) = _failed_rows(html)
    shown = row.text_content()
    assert "邮件发送失败" in html
    assert supplier.email in shown and "报名审核结果通知 resend:1" in shown and "MAIL-1" in shown
    assert "refused" in shown or "Connection" in shown
    action = f"/buyer/mail/{message_id}/resend"
    assert row.xpath(f'.//form[@action="{action}"]//input[@name="csrf_token"]')

    with smtp_server() as (port, received):
        app.config["MAIL_PORT"] = port
        response = post_form(client, action, page="/buyer/")
        assert response.status_code == 302 and response.location.endswith("/buyer/#failed-mails")
        assert len(received.messages) == 1
        assert received.envelopes[0][1] == [supplier.email]
        assert received.messages[0]["Subject"] == "报名审核结果通知 resend:1"
        # Once delivered, another 重新发送 is refused and sends nothing.
        again = post_form(client, action, page="/buyer/", follow_redirects=True)
        assert "该邮件已发送，不会重复发送。" in again.get_data(as_text=True)
        assert len(received.messages) == 1
    db.session.expire_all()
    assert db.session.get(MailMessage, message_id).sent_at is not None
    assert db.session.get(Job, job_id).status == JOB_DONE
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 1  # the same row, no new message
    assert _failed_rows(client.get("/buyer/").get_data(as_text=True)) == []
    (event,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mail.resend")).all()
    assert event.object_id == str(message_id) or event.object_id == message_id
    assert event.project_id == project.id and event.details["to"] == supplier.email


def test_a_mail_without_a_project_is_resent_too(app):
    buyer, supplier = make_buyer(), make_supplier()
    _failing_smtp(app)
    message = _queue(supplier, "resend:site")
    client = _signed_in(app, buyer)
    (row,) = _failed_rows(client.get("/buyer/").get_data(as_text=True))
    assert "无" in row.text_content()
    with smtp_server() as (port, received):
        app.config["MAIL_PORT"] = port
        post_form(client, f"/buyer/mail/{message.id}/resend", page="/buyer/")
        assert len(received.messages) == 1


def test_a_failed_password_reset_mail_is_listed_but_not_resent(app, client):
    buyer, supplier = make_buyer(), make_supplier()
    _failing_smtp(app)
    post_form(client, "/auth/forgot-password", {"email": supplier.email})
    message = db.session.scalar(sa.select(MailMessage).where(MailMessage.kind == "password_reset"))
    assert db.session.get(Job, message.job_id).status == JOB_FAILED
    staff = _signed_in(app, buyer)
    (row,) = _failed_rows(staff.get("/buyer/").get_data(as_text=True))
    assert not row.xpath(".//form")
    assert "该邮件含登录链接，不能重新发送" in row.text_content()
    assert "/auth/reset" not in staff.get("/buyer/").get_data(as_text=True)  # the link is not shown
    with smtp_server() as (port, received):
        app.config["MAIL_PORT"] = port
        refused = post_form(staff, f"/buyer/mail/{message.id}/resend", page="/buyer/", follow_redirects=True)
        assert "该邮件含登录链接，不能重新发送" in refused.get_data(as_text=True)
        assert received.messages == []
    db.session.expire_all()
    assert db.session.get(Job, message.job_id).status == JOB_FAILED
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "mail.resend")) == 0


def test_the_resend_needs_buyer_staff_csrf_and_an_existing_message(app):
    buyer, supplier = make_buyer(), make_supplier(email="s2@example.com")
    _failing_smtp(app)
    message = _queue(supplier, "resend:guard")
    url = f"/buyer/mail/{message.id}/resend"
    assert _signed_in(app, supplier).post(url).status_code in (400, 403)
    staff = _signed_in(app, buyer)
    assert staff.post(url).status_code == 400  # no CSRF token
    assert post_form(staff, "/buyer/mail/999999/resend", page="/buyer/").status_code == 404
    assert post_form(_signed_in(app, supplier), url, page="/supplier/").status_code == 403
    db.session.expire_all()
    assert db.session.get(Job, message.job_id).status == JOB_FAILED


def test_the_home_reads_failed_mails_in_the_same_statements_for_1_and_6(app):
    buyer, supplier = make_buyer(), make_supplier()
    supplier_id = supplier.id
    _failing_smtp(app)
    _queue(supplier, "count:0")
    client = _signed_in(app, buyer)
    db.session.remove()
    small = page_statements(client, "/buyer/")
    for n in range(1, 6):
        _queue(db.session.get(User, supplier_id), f"count:{n}")
    db.session.remove()
    large = page_statements(client, "/buyer/")
    assert len(_failed_rows(client.get("/buyer/").get_data(as_text=True))) == 6
    assert small.count == large.count, f"1:\n{small}\n\n6:\n{large}"
