"""The 已发送邮件 list (development, test and demo only): every mail_message row with its delivery
status from its job, and one message as sent. A message holding a sign-in link (``sensitive``)
never shows its body here, erased or not: buyer staff must not be able to use someone's link.
Two statements per list page whatever the number of rows; one per message.

Failed mails (:func:`failed_mails`, on the buyer's home in every configuration): each message
whose delivery job failed every attempt, with its error and whether buyer staff may send it
again (:func:`resend_refusal`). Buyer staff are one office: they see every failed mail, of every
project and to every account (the app has one buyer).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import defer

from procurement.domain import N_
from procurement.extensions import db
from procurement.models import JOB_DONE, JOB_FAILED, Job, MailMessage, Project
from procurement.queries.jobs import is_stale

PER_PAGE = 50

STATUS_SENT = "sent"
STATUS_SENDING = "sending"
STATUS_FAILED = "failed"
STATUS_LABELS = {STATUS_SENT: N_("已发送"), STATUS_SENDING: N_("发送中"), STATUS_FAILED: N_("失败")}

#: What each kind of mail is about, as the list names it; a kind without a label shows as recorded.
KIND_LABELS = {"password_reset": N_("重置密码")}


def delivery_status(message: MailMessage, job: Job | None) -> str:
    """已发送 once delivered; 失败 when every attempt of its job failed; 发送中 otherwise."""
    if message.sent_at is not None or (job is not None and job.status == JOB_DONE):
        return STATUS_SENT
    if job is not None and job.status == JOB_FAILED:
        return STATUS_FAILED
    return STATUS_SENDING


@dataclass(frozen=True)
class MailRow:
    """One message as the list shows it (no body)."""

    id: int
    created_at: datetime
    sent_at: datetime | None
    to_address: str
    subject: str
    kind: str
    status: str
    error: str | None
    attempts: int
    sensitive: bool

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class OutboxPage:
    """The page model: a page of messages, newest first, and where it is among the pages."""

    rows: list[MailRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class MailView:
    """One message: its row, and its bodies unless they hold a sign-in link or were erased."""

    row: MailRow
    text: str | None
    html: str | None

    @property
    def withheld(self) -> bool:
        """A sensitive message: its body is not shown (erased once delivered, withheld until then)."""
        return self.row.sensitive

    @property
    def erased(self) -> bool:
        return self.row.sensitive and self.row.sent_at is not None


def _row(message: MailMessage, job: Job | None) -> MailRow:
    status = delivery_status(message, job)
    return MailRow(
        id=message.id,
        created_at=message.created_at,
        sent_at=message.sent_at,
        to_address=message.to_address,
        subject=message.subject,
        kind=message.kind,
        status=status,
        error=job.last_error if job is not None and status == STATUS_FAILED else None,
        attempts=job.attempts if job is not None else 0,
        sensitive=message.sensitive,
    )


def _with_job():
    return sa.select(MailMessage, Job).outerjoin(Job, Job.id == MailMessage.job_id)


def outbox_page(page: int = 1, per_page: int = PER_PAGE) -> OutboxPage:
    """A page of the list (a page past the last shows the last): two statements."""
    total = db.session.scalar(sa.select(sa.func.count(MailMessage.id))) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        _with_job()
        .options(defer(MailMessage.text_body), defer(MailMessage.html_body))
        .order_by(MailMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return OutboxPage([_row(message, job) for message, job in rows], total, page, pages)


def mail_view(message_id: int) -> MailView | None:
    """One message with its job (``None`` when there is no such message): one statement."""
    found = db.session.execute(_with_job().where(MailMessage.id == message_id)).first()
    if found is None:
        return None
    message, job = found
    if message.sensitive:
        return MailView(_row(message, job), None, None)
    return MailView(_row(message, job), message.text_body, message.html_body)


#: Why a message cannot be sent again (untranslated), by refusal code.
REFUSALS = {
    "mail_already_sent": N_("该邮件已发送，不会重复发送。"),
    "mail_sensitive": N_("该邮件含登录链接，不能重新发送：请重新发送重置密码邮件，或请收件人在登录页“找回密码”。"),
    "mail_not_failed": N_("该邮件正在发送，无需重新发送。"),
}


def resend_refusal(message: MailMessage, job: Job | None, now: datetime | None = None) -> str | None:
    """Why buyer staff may not send ``message`` again (a :data:`REFUSALS` code), or ``None`` when they may.

    A delivered message is never sent twice. A message holding a sign-in link is not resent: its
    link was made for a short while (and its body is erased once delivered); a fresh reset mail
    is the way. Otherwise its job must have failed every attempt, or stalled.
    """
    if message.sent_at is not None or (job is not None and job.status == JOB_DONE):
        return "mail_already_sent"
    if message.sensitive:
        return "mail_sensitive"
    if job is None or not (job.status == JOB_FAILED or is_stale(job, now)):
        return "mail_not_failed"
    return None


#: How many failed mails the buyer's home lists (the newest first; the total is shown).
FAILED_SHOWN = 20


@dataclass(frozen=True)
class FailedMail:
    """One message whose delivery failed, as the buyer's home lists it (no body)."""

    id: int
    to_address: str
    subject: str
    kind: str
    project_id: int | None
    project_code: str | None
    error: str | None
    attempts: int
    failed_at: datetime | None
    refusal: str | None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def can_resend(self) -> bool:
        return self.refusal is None

    @property
    def refusal_text(self) -> str:
        """Why it cannot be sent again (untranslated), or empty."""
        return REFUSALS.get(self.refusal, "") if self.refusal else ""


@dataclass(frozen=True)
class FailedMails:
    """The newest failed mails (at most :data:`FAILED_SHOWN`) and how many there are in all."""

    rows: list[FailedMail]
    total: int


def _failed():
    return sa.and_(Job.status == JOB_FAILED, MailMessage.sent_at.is_(None))


def failed_mails(limit: int = FAILED_SHOWN, now: datetime | None = None) -> FailedMails:
    """Messages whose job failed every attempt and that were not delivered: two statements."""
    total = db.session.scalar(
        sa.select(sa.func.count(MailMessage.id)).join(Job, Job.id == MailMessage.job_id).where(_failed())
    ) or 0
    if not total:
        return FailedMails([], 0)
    found = db.session.execute(
        sa.select(MailMessage, Job, Project.code)
        .join(Job, Job.id == MailMessage.job_id)
        .outerjoin(Project, Project.id == MailMessage.project_id)
        .where(_failed())
        .options(defer(MailMessage.text_body), defer(MailMessage.html_body))
        .order_by(Job.finished_at.desc(), MailMessage.id.desc())
        .limit(limit)
    ).all()
    rows = [
        FailedMail(
            id=message.id,
            to_address=message.to_address,
            subject=message.subject,
            kind=message.kind,
            project_id=message.project_id,
            project_code=code,
            error=job.last_error,
            attempts=job.attempts,
            failed_at=job.finished_at or job.updated_at,
            refusal=resend_refusal(message, job, now),
        )
        for message, job, code in found
    ]
    return FailedMails(rows, total)
