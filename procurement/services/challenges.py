"""Challenges (质疑, design.md §2.7): a participant's written challenge and the buyer's written answer.

A participant may file within the challenge period: from the publication of the result until the
challenge deadline stored on the award (N working days from the end of publicity, domain
``challenge_deadline``), inclusive, Beijing dates. A late challenge is refused with the date it
was due. The buyer answers in writing by ``answer_due_on`` (domain ``answer_deadline`` from the
day of filing); a late answer is still recorded, and its audit event says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.calendar import UnknownYearError
from procurement.domain.schedule import answer_deadline, beijing
from procurement.extensions import db
from procurement.models import (
    STATUS_AWARDED,
    STATUS_CLOSED,
    Challenge,
    ChallengeAttachment,
    EvaluationResult,
    Project,
    Registration,
    StoredFile,
)
from procurement.services import ServiceError
from procurement.services.award import published_winners
from procurement.services.calendar import load_calendar

MAX_TEXT_LENGTH = 20000
MAX_ATTACHMENTS = 10


def _cn(day: date) -> str:
    """2025年1月15日."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class ChallengeWindow:
    """Where the challenge period stands at a moment."""

    state: str  # "not_yet" (result not published), "open", "closed"
    opens_on: date | None
    due_on: date | None

    @property
    def is_open(self) -> bool:
        """Whether a challenge may be filed now."""
        return self.state == "open"


def window(project: Project, now: datetime | None = None) -> ChallengeWindow:
    """The challenge period of a project at ``now``."""
    now = now or clock.now()
    published = published_winners(project) if project.status in (STATUS_AWARDED, STATUS_CLOSED) else []
    if not published:
        return ChallengeWindow("not_yet", None, None)
    due = max(award.challenge_deadline for award in published if award.challenge_deadline)
    today = beijing(now).date()
    return ChallengeWindow("open" if today <= due else "closed", None, due)


def is_participant(project: Project, registration: Registration | None) -> bool:
    """Whether ``registration`` took part in the evaluation of ``project`` (and so may challenge)."""
    if registration is None or registration.project_id != project.id:
        return False
    return (
        db.session.scalar(
            sa.select(EvaluationResult.id).where(
                EvaluationResult.project_id == project.id, EvaluationResult.registration_id == registration.id
            )
        )
        is not None
    )


def check_can_file(project: Project, registration: Registration | None, now: datetime | None = None) -> ChallengeWindow:
    """Refuse a challenge that may not be filed now; return the open window.

    :raise ServiceError: ``not_participant``, ``not_published``, ``late`` (names the due date).
    """
    if not is_participant(project, registration):
        raise ServiceError(N_("只有参加本项目评审的供应商可以提出质疑。"), "not_participant")
    current = window(project, now)
    if current.state == "not_yet":
        raise ServiceError(N_("成交结果尚未公布，公布后方可提出质疑。"), "not_published")
    if current.state == "closed":
        raise ServiceError(
            N_("质疑期已于 %(due)s 截止，逾期提出的质疑不予受理。"),
            "late",
            due=_cn(current.due_on),
        )
    return current


def usable_attachments(ids: list[int], actor) -> list[StoredFile]:
    """Files this user uploaded for a challenge that are not yet attached to one.

    Unknown ids, other people's files and files already attached are left out silently: the
    hidden list comes from the browser and is never trusted.
    """
    if not ids:
        return []
    attached = sa.select(ChallengeAttachment.stored_file_id)
    rows = db.session.scalars(
        sa.select(StoredFile)
        .where(StoredFile.id.in_(ids), StoredFile.uploaded_by_id == actor.id, StoredFile.id.not_in(attached))
        .order_by(StoredFile.id)
    ).all()
    return list(rows)[:MAX_ATTACHMENTS]


def file_challenge(
    project: Project, registration: Registration, text: str, attachments: list[StoredFile], actor
) -> Challenge:
    """File a written challenge with its attachments (already stored via ``services.uploads``).

    :raise ServiceError: those of :func:`check_can_file`; ``text_required`` / ``text_too_long``
        (field ``text``); ``too_many_attachments`` (field ``attachments``); ``unknown_year`` when
        the answer deadline falls in a year the working-day calendar does not know.
    """
    check_can_file(project, registration)
    text = (text or "").strip()
    if not text:
        raise ServiceError(N_("请填写质疑事项、理由及请求。"), "text_required", field="text")
    if len(text) > MAX_TEXT_LENGTH:
        raise ServiceError(N_("质疑内容最多 %(max)s 个字，更多内容请作为附件上传。"), "text_too_long", field="text", max=MAX_TEXT_LENGTH)
    if len(attachments) > MAX_ATTACHMENTS:
        raise ServiceError(N_("附件最多 %(max)s 个。"), "too_many_attachments", field="attachments", max=MAX_ATTACHMENTS)
    now = clock.now()
    filed_on = beijing(now).date()
    from procurement.services.projects import settings_of

    try:
        answer_due = answer_deadline(load_calendar(), filed_on, settings_of(project))
    except UnknownYearError as error:
        raise ServiceError(
            N_("工作日历缺少 %(year)s 年的国务院节假日安排，暂时无法计算答复期限，质疑未提交。请联系采购人录入该年度安排后再提交。"),
            "unknown_year",
            year=error.year,
        ) from None
    challenge = Challenge(
        project_id=project.id,
        registration_id=registration.id,
        filed_by_id=actor.id,
        text=text,
        filed_at=now,
        answer_due_on=answer_due,
    )
    for stored in attachments:
        challenge.attachments.append(ChallengeAttachment(stored_file_id=stored.id))
    db.session.add(challenge)
    db.session.flush()
    audit.record(
        "challenge.file",
        challenge,
        details={
            "registration_id": registration.id,
            "answer_due_on": challenge.answer_due_on,
            "attachments": [{"name": s.original_name, "sha256": s.sha256} for s in attachments],
        },
        actor=actor,
    )
    db.session.commit()
    return challenge


def answer_challenge(challenge: Challenge, text: str, actor) -> Challenge:
    """Record the buyer's written answer (once).

    :raise ServiceError: ``already_answered``; ``answer_required`` / ``answer_too_long`` (field ``answer``).
    """
    if challenge.answered_at is not None:
        raise ServiceError(N_("该质疑已经答复。"), "already_answered")
    text = (text or "").strip()
    if not text:
        raise ServiceError(N_("请填写答复内容。"), "answer_required", field="answer")
    if len(text) > MAX_TEXT_LENGTH:
        raise ServiceError(N_("答复最多 %(max)s 个字。"), "answer_too_long", field="answer", max=MAX_TEXT_LENGTH)
    now = clock.now()
    challenge.answer_text = text
    challenge.answered_at = now
    challenge.answered_by_id = actor.id
    audit.record(
        "challenge.answer",
        challenge,
        details={"answer_due_on": challenge.answer_due_on, "late": beijing(now).date() > challenge.answer_due_on},
        actor=actor,
    )
    db.session.commit()
    return challenge


def answer_overdue(challenge: Challenge, now: datetime | None = None) -> bool:
    """Whether the answer is still missing after its due date (Beijing dates)."""
    return challenge.answered_at is None and beijing(now or clock.now()).date() > challenge.answer_due_on


def for_project(project: Project) -> list[Challenge]:
    """Every challenge of a project, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Challenge).where(Challenge.project_id == project.id).order_by(Challenge.filed_at, Challenge.id)
        )
    )


def of_registration(registration: Registration) -> list[Challenge]:
    """A participant's own challenges, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Challenge)
            .where(Challenge.registration_id == registration.id)
            .order_by(Challenge.filed_at, Challenge.id)
        )
    )
