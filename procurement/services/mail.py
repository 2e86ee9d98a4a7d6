"""Queueing e-mail (design.md §9): a command records the message and a ``mail.send`` job; the job
delivers it once the command has committed, outside any transaction, with the job's retries.

Call :func:`queue_mail` inside a command, beside the change the mail is about: the message exists
exactly when the change does. Delivery is at least once: a run that sent the message but died
before recording it sends it again.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from procurement import audit, clock
from procurement.extensions import db
from procurement.mail import transport
from procurement.models import Job, MailMessage, User
from procurement.queries.jobs import KIND_MAIL
from procurement.queries.mail import REFUSALS, resend_refusal
from procurement.services import ServiceError, jobs
from procurement.services.unit_of_work import command, end_reading, in_command, transaction

MAX_SUBJECT = 300


def queue_mail(
    *,
    to: User | str,
    subject: str,
    text: str,
    html: str | None = None,
    key: str,
    kind: str,
    project=None,
    sensitive: bool = False,
) -> MailMessage:
    """Record a message to ``to`` (a user, or an address) and its delivery job, in the current command.

    ``key`` names the occasion (``reset:17:…``, ``notice:award:5:12``): the same key again returns the
    first message and sends nothing more. A ``sensitive`` message (it holds a sign-in link) loses
    its body once delivered.
    :raise RuntimeError: outside a command (the message must commit with what it is about).
    """
    if not in_command():
        raise RuntimeError("queue_mail() outside a command")
    existing = db.session.scalar(sa.select(MailMessage).where(MailMessage.key == key))
    if existing is not None:
        return existing
    user = to if isinstance(to, User) else None
    message = MailMessage(
        key=key,
        kind=kind,
        user_id=user.id if user is not None else None,
        project_id=getattr(project, "id", None),
        to_address=user.email if user is not None else str(to),
        subject=subject[:MAX_SUBJECT],
        text_body=text,
        html_body=html,
        sensitive=sensitive,
        created_at=clock.now(),
    )
    db.session.add(message)
    db.session.flush()
    job = jobs.create(KIND_MAIL, None, f"mail:{message.id}", {"mail_id": message.id}, total=1)
    message.job_id = job.id
    return message


@dataclass(frozen=True)
class MailToUser:
    """One message of :func:`queue_mails`: to a person's address on file."""

    to: User
    subject: str
    text: str
    html: str | None
    key: str
    kind: str
    project_id: int | None = None


def queue_mails(mails: list[MailToUser]) -> dict[str, int]:
    """Record many messages and their delivery jobs in the current command: key → message id.

    As :func:`queue_mail` for each (a key already used keeps its first message and sends nothing
    more), in a number of statements that does not grow with the messages (the reminders send
    one to every registrant of every project due).
    :raise RuntimeError: outside a command.
    """
    if not in_command():
        raise RuntimeError("queue_mails() outside a command")
    keys = [mail.key for mail in mails]
    if not keys:
        return {}
    found = dict(db.session.execute(sa.select(MailMessage.key, MailMessage.id).where(MailMessage.key.in_(keys))).tuples().all())
    now = clock.now()
    rows, seen = [], set(found)
    for mail in mails:
        if mail.key in seen:
            continue
        seen.add(mail.key)
        rows.append(
            {
                "key": mail.key,
                "kind": mail.kind,
                "user_id": mail.to.id,
                "project_id": mail.project_id,
                "to_address": mail.to.email,
                "subject": mail.subject[:MAX_SUBJECT],
                "text_body": mail.text,
                "html_body": mail.html,
                "sensitive": False,
                "created_at": now,
            }
        )
    if not rows:
        return found
    made = db.session.execute(
        sa.insert(MailMessage).returning(MailMessage.key, MailMessage.id), rows
    ).tuples().all()
    job_ids = jobs.create_many(KIND_MAIL, [(f"mail:{mail_id}", {"mail_id": mail_id}) for _, mail_id in made], total=1)
    db.session.execute(
        sa.update(MailMessage), [{"id": mail_id, "job_id": job_ids[f"mail:{mail_id}"]} for _, mail_id in made]
    )
    found.update(made)
    return found


@command
def resend(message: MailMessage, actor) -> MailMessage:
    """Buyer staff send a message whose delivery failed again: its job (the same message row) is
    queued again with fresh attempts, audited. A delivered message is never sent twice (the job
    checks ``sent_at`` before sending).

    :raise ServiceError: ``mail_already_sent``, ``mail_sensitive`` (it holds a sign-in link) or
        ``mail_not_failed`` (still being sent), see ``queries.mail.resend_refusal``.
    """
    job = jobs.lock(message.job_id) if message.job_id is not None else None
    message = db.session.execute(
        sa.select(MailMessage).where(MailMessage.id == message.id).execution_options(populate_existing=True)
    ).scalar_one()
    refusal = resend_refusal(message, job)
    if refusal is not None:
        raise ServiceError(REFUSALS[refusal], refusal)
    was = jobs.requeue(job)
    audit.record(
        "mail.resend",
        object_type="mail_message",
        object_id=message.id,
        project_id=message.project_id,
        details={"to": message.to_address, "kind": message.kind, "job_id": job.id, "was": was, "error": job.last_error},
        actor=actor,
    )
    return message


# The ``mail.send`` job kind: no document to stage; it delivers, then finishes with no change.

def steps(job: Job) -> list[str]:
    return []


def prepare(job: Job, step: str):  # pragma: no cover - a mail job has no step
    raise RuntimeError("a mail job renders no document")


def deliver(job: Job) -> None:
    """Send the job's message (outside any transaction) unless an earlier run already did."""
    message = db.session.get(MailMessage, job.payload["mail_id"])
    if message is None or message.sent_at is not None:
        return
    user = db.session.get(User, message.user_id) if message.user_id else None
    outgoing = transport.Outgoing(
        message_id=message.id,
        to_address=message.to_address,
        to_name=user.name if user is not None else None,
        subject=message.subject,
        text=message.text_body or "",
        html=message.html_body,
    )
    end_reading()  # nothing is held while the mail server answers
    transport.send(outgoing, current_app._get_current_object())
    with transaction():
        db.session.execute(
            sa.update(MailMessage)
            .where(MailMessage.id == message.id)
            .values(
                sent_at=clock.now(),
                **({"text_body": None, "html_body": None} if message.sensitive else {}),
            )
        )


def apply(job: Job, staged: dict, actor) -> None:
    """Nothing changes when a mail job finishes: :func:`deliver` recorded the sending."""
