"""Challenges (质疑, design.md §2.7): a participant's written challenge and the buyer's written answer.

A participant may file within the challenge period: from the publication of the result until the
challenge deadline stored on the award (N working days from the end of publicity, domain
``challenge_deadline``), inclusive, Beijing dates. A late challenge is refused with the date it
was due. The buyer answers in writing by ``answer_due_on`` (domain ``answer_deadline`` from the
day of filing); a late answer is still recorded, and its audit event says so.
"""
from __future__ import annotations

from datetime import datetime

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.calendar import UnknownYearError
from procurement.domain.schedule import answer_deadline, beijing
from procurement.extensions import db
from procurement.models import Challenge, ChallengeAttachment, Project, Registration, StoredFile
from procurement.queries.challenges import (
    MAX_ATTACHMENTS,
    ChallengeWindow,
    answer_overdue,
    for_project,
    is_participant,
    of_registration,
    usable_attachments,
    window,
)
from procurement.queries.lookups import load_calendar, settings_of
from procurement.services import ServiceError, notify_staff, notify_suppliers
from procurement.services.unit_of_work import command, lock_project

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_TEXT_LENGTH",
    "ChallengeWindow",
    "answer_challenge",
    "answer_overdue",
    "check_can_file",
    "file_challenge",
    "for_project",
    "is_participant",
    "of_registration",
    "usable_attachments",
    "window",
]

MAX_TEXT_LENGTH = 20000


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
            due=current.due_on,
        )
    return current


@command
def file_challenge(
    project: Project, registration: Registration, text: str, attachments: list[StoredFile], actor
) -> Challenge:
    """File a written challenge with its attachments (already stored via ``services.uploads``).

    :raise ServiceError: those of :func:`check_can_file`; ``text_required`` / ``text_too_long``
        (field ``text``); ``too_many_attachments`` (field ``attachments``); ``unknown_year`` when
        the answer deadline falls in a year the working-day calendar does not know.
    """
    project = lock_project(project)  # the window is checked against committed awards
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
    notify_staff.challenge_filed(challenge)
    return challenge


@command
def answer_challenge(challenge: Challenge, text: str, actor) -> Challenge:
    """Record the buyer's written answer (once).

    :raise ServiceError: ``already_answered``; ``answer_required`` / ``answer_too_long`` (field ``answer``).
    """
    lock_project(challenge.project_id)  # two answers at once: the second sees the first
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
    notify_suppliers.challenge_answered(challenge)
    return challenge
