"""Telling people (站内消息 and e-mail): :func:`notify`, called inside the command that causes the
event, records one notification per person in the same transaction (so it exists exactly when
the change does) and queues its e-mail when the person's switch for that kind is on.

The notification is the record; each outward channel carries it. Today that is e-mail (a
``mail_message`` and its ``mail.send`` job, see :mod:`procurement.services.mail`); a channel is a
function of the notifications to send, so an SMS channel (a provider's HTTP API, through a job
of its own) would be one more entry of :data:`CHANNELS` with its own switches
(``NotificationPreference.channel``), behind the same records.

Whatever the number of people told, :func:`deliver` sends a fixed number of statements.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from procurement import clock
from procurement.domain.notifications import KINDS, kinds_for
from procurement.extensions import db
from procurement.mail.compose import base_url, compose
from procurement.models import CHANNEL_EMAIL, Notification, NotificationPreference, User
from procurement.queries import notifications as reads
from procurement.services import mail
from procurement.services.unit_of_work import command, in_command

MAX_TITLE = 200
MAX_LINK = 500


@dataclass(frozen=True)
class Message:
    """What one occasion tells each person: the same title, text and link for all of them."""

    kind: str
    title: str
    body: str
    key: str
    link: str | None = None
    project_id: int | None = None
    #: Extra values for the mail's template (``template`` picks another than ``mail/notification``).
    mail_context: Mapping[str, object] = field(default_factory=dict)
    #: ``False``: in the app only, never by mail (a failed mail's own alert: no loops).
    by_mail: bool = True


@dataclass(frozen=True)
class Delivery:
    """One notification to make: a person and what they are told."""

    user: User
    message: Message

    @property
    def key(self) -> str:
        """The notification's own key: the occasion's key and the person."""
        return reads.person_key(self.message.key, self.user.id)


def link_to(endpoint: str, **values) -> str:
    """The path of ``endpoint`` (works outside a request: a job, the reminder clock)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def notify(
    user: User | Iterable[User],
    kind: str,
    *,
    project=None,
    title: str,
    body: str,
    link: str | None = None,
    key: str,
    mail_context: Mapping[str, object] | None = None,
    by_mail: bool = True,
) -> int:
    """Tell ``user`` (one person or several) of an occasion, in the current command; how many were new.

    ``key`` names the occasion (``amend:12``): each person's notification is keyed by it and the
    person, so the same occasion again tells nobody twice. The mail follows the person's switch
    for ``kind`` (default on). :raise RuntimeError: outside a command.
    """
    users = [user] if isinstance(user, User) else list(user)
    message = Message(
        kind=kind,
        title=title,
        body=body,
        key=key,
        link=link,
        project_id=getattr(project, "id", project),
        mail_context=dict(mail_context or {}),
        by_mail=by_mail,
    )
    return deliver([Delivery(person, message) for person in users])


def deliver(deliveries: Iterable[Delivery]) -> int:
    """Record every delivery not made before and send it through its channels; how many were new.

    :raise RuntimeError: outside a command; ``KeyError`` for an unknown kind.
    """
    if not in_command():
        raise RuntimeError("notify() outside a command")
    unique: dict[str, Delivery] = {}
    for delivery in deliveries:
        KINDS[delivery.message.kind]  # an unknown kind is a bug
        if delivery.user.active:
            unique.setdefault(delivery.key, delivery)
    made = reads.existing_keys(unique)
    new = [delivery for key, delivery in unique.items() if key not in made]
    if not new:
        return 0
    carried: dict[str, dict[str, object]] = {delivery.key: {} for delivery in new}
    for channel in CHANNELS:
        for key, columns in channel(new).items():
            carried[key].update(columns)
    now = clock.now()
    db.session.execute(
        sa.insert(Notification),
        [
            {
                "key": delivery.key,
                "user_id": delivery.user.id,
                "kind": delivery.message.kind,
                "project_id": delivery.message.project_id,
                "title": delivery.message.title[:MAX_TITLE],
                "body": delivery.message.body,
                "link": (delivery.message.link or None) and delivery.message.link[:MAX_LINK],
                "created_at": now,
                **carried[delivery.key],
            }
            for delivery in new
        ],
    )
    return len(new)


def _by_email(deliveries: list[Delivery]) -> dict[str, dict[str, object]]:
    """The e-mail channel: a mail to each person whose switch for the kind is on; its id on the record."""
    wanted = [delivery for delivery in deliveries if delivery.message.by_mail and delivery.user.email]
    off = reads.email_switched_off((delivery.user.id, delivery.message.kind) for delivery in wanted)
    mails = []
    for delivery in wanted:
        if (delivery.user.id, delivery.message.kind) in off:
            continue
        mails.append(_mail(delivery))
    ids = mail.queue_mails(mails)
    return {delivery.key: {"mail_message_id": ids.get(f"notify:{delivery.key}")} for delivery in deliveries}


def _mail(delivery: Delivery) -> mail.MailToUser:
    message = delivery.message
    context = dict(message.mail_context)
    template = str(context.pop("template", "notification"))
    link_url = base_url() + message.link.lstrip("/") if message.link else None
    composed = compose(
        template,
        message.title,
        can_opt_out=KINDS[message.kind].can_opt_out,
        user=delivery.user,
        body=message.body,
        link_url=link_url,
        **context,
    )
    return mail.MailToUser(
        to=delivery.user,
        subject=composed.subject,
        text=composed.text,
        html=composed.html,
        key=f"notify:{delivery.key}",
        kind=message.kind,
        project_id=message.project_id,
    )


#: The outward channels, each a function of the new deliveries → the columns it sets on every
#: record (the same columns for each, so the records go in as one multi-row INSERT).
CHANNELS = (_by_email,)


# --- the person's own actions ----------------------------------------------------------------


@command
def mark_read(notification: Notification, user: User) -> None:
    """Mark one of the person's notifications read (opening it does); already read stays as it was."""
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification.id, Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )


@command
def mark_all_read(user: User) -> int:
    """Mark every unread notification of the person read; how many were."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    return result.rowcount or 0


@command
def set_email_switches(user: User, enabled: Mapping[str, bool]) -> None:
    """Keep the person's e-mail switch for every kind of its role (a kind not in ``enabled`` is off)."""
    codes = [kind.code for kind in kinds_for(user.role)]
    db.session.execute(
        sa.delete(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.channel == CHANNEL_EMAIL
        )
    )
    now = clock.now()
    db.session.execute(
        sa.insert(NotificationPreference),
        [
            {"user_id": user.id, "kind": code, "channel": CHANNEL_EMAIL, "enabled": bool(enabled.get(code)), "updated_at": now}
            for code in codes
        ],
    )
