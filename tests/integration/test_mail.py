"""Mail (issue 13): a command queues a message beside its change; a job delivers it after the
commit, over SMTP when a server is configured, as an .eml file in the outbox otherwise; a rolled
back command sends nothing; a failing server leaves the job retried and then failed with its error."""
from __future__ import annotations

import email
from email.policy import default

import pytest
import sqlalchemy as sa

from procurement.extensions import db
from procurement.models import JOB_DONE, JOB_FAILED, Job, MailMessage
from procurement.mail import transport
from procurement.services import mail
from procurement.services.unit_of_work import transaction
from tests.factories import make_supplier
from tests.mailserver import body_text, smtp_server


def _queue(user, key="test:1", **extra):
    with transaction():
        return mail.queue_mail(
            to=user,
            subject="报名审核结果通知",
            text="您的报名已通过审核。",
            html="<p>您的报名已<strong>通过</strong>审核。</p>",
            key=key,
            kind="test",
            **extra,
        )


def _outbox(app):
    folder = transport.outbox_folder(app)
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def test_outbox_by_default_holds_the_message_in_chinese_with_both_parts(app):
    user = make_supplier()
    message = _queue(user)
    files = _outbox(app)
    assert len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert parsed["Subject"] == "报名审核结果通知"
    assert user.email in parsed["To"]
    assert "您的报名已通过审核。" in body_text(parsed)
    assert "<strong>通过</strong>" in body_text(parsed, "html")
    db.session.expire_all()
    assert db.session.get(MailMessage, message.id).sent_at is not None
    assert db.session.get(Job, message.job_id).status == JOB_DONE


def test_the_same_occasion_twice_sends_one_message(app):
    user = make_supplier()
    first = _queue(user, key="same")
    second = _queue(user, key="same")
    assert first.id == second.id
    assert len(_outbox(app)) == 1


def test_a_rolled_back_command_sends_nothing(app):
    user = make_supplier()
    with pytest.raises(ZeroDivisionError):
        with transaction():
            mail.queue_mail(to=user, subject="s", text="t", key="gone", kind="test")
            1 / 0
    assert _outbox(app) == []
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 0


def test_queue_mail_outside_a_command_is_refused(app):
    with pytest.raises(RuntimeError):
        mail.queue_mail(to="a@example.com", subject="s", text="t", key="k", kind="test")


def test_a_sensitive_message_loses_its_body_once_delivered(app):
    user = make_supplier()
    message = _queue(user, key="secret", sensitive=True)
    db.session.expire_all()
    kept = db.session.get(MailMessage, message.id)
    assert kept.sent_at is not None and kept.text_body is None and kept.html_body is None
    assert "您的报名已通过审核。" in body_text(email.message_from_bytes(_outbox(app)[0].read_bytes(), policy=default))


def test_smtp_delivers_to_a_real_server(app):
    user = make_supplier()
    with smtp_server() as (port, received):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="平台 <noreply@example.cn>")
        _queue(user)
    assert received.envelopes == [("noreply@example.cn", [user.email])]
    arrived = received.messages[0]
    assert arrived["Subject"] == "报名审核结果通知"
    assert "您的报名已通过审核。" in body_text(arrived)
    assert _outbox(app) == []


def test_an_unreachable_server_fails_the_job_with_its_error_after_the_retries(app):
    user = make_supplier()
    with smtp_server() as (port, _):
        pass  # the port is free again: nothing answers there
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    message = _queue(user)
    db.session.expire_all()
    job = db.session.get(Job, message.job_id)
    assert job.status == JOB_FAILED and job.attempts == 3
    assert "Connection" in job.last_error or "refused" in job.last_error
    assert db.session.get(MailMessage, message.id).sent_at is None


def test_compose_renders_both_bodies_with_links_from_the_public_address(app, tmp_path):
    from procurement.mail.compose import absolute_url, compose

    (tmp_path / "mail").mkdir()
    app.config["PUBLIC_BASE_URL"] = "https://caigou.example.cn"
    with app.test_request_context("/"):
        url = absolute_url("auth.login")
    assert url == "https://caigou.example.cn/auth/login"
    app.jinja_loader.searchpath.append(str(tmp_path))
    (tmp_path / "mail" / "probe.txt").write_text("请点击 {{ link }}\n{% include 'mail/_footer.txt' %}", encoding="utf-8")
    (tmp_path / "mail" / "probe.html").write_text(
        "{% extends 'mail/_layout.html' %}{% block body %}<a href=\"{{ link }}\">{{ who }}</a>{% endblock %}", encoding="utf-8"
    )
    with app.app_context():
        composed = compose("probe", "测试", link=url, who="<b>某公司</b>", can_opt_out=True)
    assert "请点击 https://caigou.example.cn/auth/login" in composed.text
    assert "消息设置" in composed.text and "https://caigou.example.cn/" in composed.text
    assert "&lt;b&gt;某公司&lt;/b&gt;" in composed.html
