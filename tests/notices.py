"""What people were told, for the tests of notifications: their in-app messages and the mails a
real SMTP server (aiosmtpd on loopback, tests/mailserver.py) received."""
from __future__ import annotations

from contextlib import contextmanager
from email.message import EmailMessage
from typing import Iterator

import sqlalchemy as sa

from procurement.extensions import db
from procurement.models import MailMessage, Notification, User
from tests.mailserver import body_text, smtp_server


def told(user: User, kind: str | None = None) -> list[Notification]:
    """The user's notifications (of ``kind``), oldest first."""
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def kinds_told(user: User) -> list[str]:
    """The kinds of the user's notifications, oldest first."""
    return [notification.kind for notification in told(user)]


def mail_rows(user: User, kind: str | None = None) -> list[MailMessage]:
    """The mail_message rows to the user (of ``kind``)."""
    query = sa.select(MailMessage).where(MailMessage.user_id == user.id)
    if kind is not None:
        query = query.where(MailMessage.kind == kind)
    return list(db.session.scalars(query.order_by(MailMessage.id)))


@contextmanager
def smtp(app) -> Iterator[object]:
    """A real SMTP server for the block, the app sending to it; yields what it received."""
    with smtp_server() as (port, received):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="询比价采购平台 <noreply@example.cn>")
        try:
            yield received
        finally:
            app.config.update(MAIL_SERVER="", MAIL_PORT=0)


def arrived(received, user: User, subject_part: str = "") -> list[EmailMessage]:
    """The messages the server received for the user's address whose subject contains ``subject_part``."""
    return [
        message
        for (_, recipients), message in zip(received.envelopes, received.messages)
        if user.email in recipients and subject_part in message["Subject"]
    ]


def mailed_text(message: EmailMessage) -> str:
    """Both bodies of a received message, for assertions on what it says."""
    return body_text(message) + "\n" + body_text(message, "html")
