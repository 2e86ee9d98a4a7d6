"""Notifications (站内消息): what one person is told, kept in the app; and each person's e-mail switches.

A :class:`Notification` is the record of an occasion for one person (the in-app message, always
kept); each channel that carries it outward points back to it: an e-mail is a ``MailMessage``
(``mail_message_id``). A second channel (SMS) would add its own message table beside the mail,
pointing at the same notification, and its switches as :class:`NotificationPreference` rows of
its own ``channel``: nothing here changes.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procurement.extensions import db
from procurement.models._base import created_at_column, fk, utc

CHANNEL_EMAIL = "email"


class Notification(db.Model):
    """One message to one person: its kind, project, title, text and where to act; read or not."""

    __tablename__ = "notification"
    __table_args__ = (
        # the unread count in the navigation: one index-only count per page
        sa.Index("ix_notification_user_unread", "user_id", "read_at"),
        sa.Index("ix_notification_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One notification per occasion and person: telling the same thing twice finds the first.
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    user_id: Mapped[int] = fk("user.id", index=False)
    #: What it is about: a kind of ``procurement.domain.notifications.KINDS``.
    kind: Mapped[str] = mapped_column(sa.String(48))
    project_id: Mapped[int | None] = fk("project.id", nullable=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: A path inside the service (``/supplier/projects/5``) where the person acts or reads more.
    link: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = created_at_column()
    read_at: Mapped[datetime | None] = utc()
    #: The e-mail that carried it, when the person's switch for its kind was on.
    mail_message_id: Mapped[int | None] = fk("mail_message.id", nullable=True)


class NotificationPreference(db.Model):
    """A person's switch for one kind on one outward channel; no row means on (in-app is always on)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(16), primary_key=True, default=CHANNEL_EMAIL)
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = created_at_column()
