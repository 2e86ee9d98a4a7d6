"""The buyer's decisions on the candidates (design.md §2.6): award the next one, or record why it
declined (放弃成交) or was found ineligible (不符合条件).

Candidates are decided strictly in candidate order. A normal project has one winner; a framework
project (``project.framework_award``) awards every candidate that does not drop out. A winner may
still drop out after the award (or after publication): its award notice and the announcement
naming it are then withdrawn, and the next candidate may be awarded.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from procurement import audit, clock
from procurement.domain import N_
from procurement.extensions import db
from procurement.models import Award, GeneratedDocument, Project
from procurement.queries.award import (
    AWARD_STEP,
    AWARDED,
    DROP_OUT_STATUSES,
    KIND_ANNOUNCEMENT,
    KIND_AWARD_NOTICE,
    CandidateRow,
    candidates,
    current_document,
    next_candidate,
    state,
)
from procurement.queries.jobs import KIND_AWARD_PUBLICATION, unfinished
from procurement.services import ServiceError, open_data
from procurement.services.unit_of_work import command, lock_project

MAX_REASON_LENGTH = 2000


def require_award_step(project: Project) -> None:
    """Refuse a decision before the evaluation is complete or after the project ended.

    :raise ServiceError: ``not_evaluated``.
    """
    if project.status not in AWARD_STEP:
        raise ServiceError(N_("评审尚未完成，不能确定成交供应商。"), "not_evaluated")


def require_not_publishing(project: Project) -> None:
    """Refuse a change to the award while its publication is still being issued (or failed).

    :raise ServiceError: ``publishing``.
    """
    if unfinished(project.id, KIND_AWARD_PUBLICATION) is not None:
        raise ServiceError(N_("成交结果正在发布（正在出具公告和通知书），请等待发布完成后再操作。"), "publishing")


def _candidate(rows: list[CandidateRow], registration_id: int) -> CandidateRow:
    for row in rows:
        if row.result.registration_id == registration_id:
            return row
    raise ServiceError(N_("该供应商不是本项目的成交候选人。"), "not_a_candidate")


def _require_next(project: Project, rows: list[CandidateRow], row: CandidateRow) -> None:
    """Candidates are decided strictly in order (design.md §2.6)."""
    expected = next_candidate(project, rows)
    if expected is None:
        raise ServiceError(N_("成交供应商已经确定，不能再确定其他候选人。"), "already_awarded")
    if expected.result.registration_id != row.result.registration_id:
        raise ServiceError(
            N_("请按候选人顺序确定：应先处理第 %(place)s 名候选人“%(name)s”。"),
            "out_of_order",
            place=expected.place,
            name=expected.name,
        )


@command
def confirm(project: Project, registration_id: int, actor) -> Award:
    """Award the next candidate in order.

    After the confirmation deadline the award is still recorded (a project must not be left
    without a result), but the audit event says it was late.

    :raise ServiceError: ``not_evaluated``, ``not_a_candidate``, ``already_confirmed`` (this
        candidate is already awarded, e.g. a double click), ``already_decided`` (it dropped out),
        ``already_awarded``, ``out_of_order``, ``publishing`` (a publication is being issued).
    """
    project = lock_project(project)
    require_award_step(project)
    require_not_publishing(project)
    now = clock.now()
    current = state(project, now, with_notices=False)
    row = _candidate(current.candidates, registration_id)
    if row.status == AWARDED:
        raise ServiceError(
            N_("“%(name)s”已被确定为成交供应商，无需重复确定。"), "already_confirmed", name=row.name
        )
    if row.decision is not None:
        raise ServiceError(
            N_("已记录“%(name)s”放弃成交或不符合条件，不能再确定为成交供应商。"), "already_decided", name=row.name
        )
    _require_next(project, current.candidates, row)
    award = Award(
        project_id=project.id,
        registration_id=registration_id,
        candidate_place=row.place,
        status=AWARDED,
        amount=row.total,
        decided_at=now,
        decided_by_id=actor.id,
    )
    name = row.name
    db.session.add(award)
    try:
        db.session.flush()
    except IntegrityError:  # pragma: no cover - the row lock above queues concurrent confirmations
        raise ServiceError(N_("“%(name)s”已被确定为成交供应商，无需重复确定。"), "already_confirmed", name=name) from None
    audit.record(
        "award.confirm",
        award,
        details={
            "registration_id": registration_id,
            "candidate_place": row.place,
            "supplier": row.name,
            "amount": str(row.total) if row.total is not None else None,
            "confirmation_due": current.confirmation_due,
            "late": current.overdue,
            "calendar_missing_year": current.missing_year,
        },
        actor=actor,
    )
    return award


def _check_reason(status: str, reason: str | None) -> str:
    if status not in DROP_OUT_STATUSES:
        raise ServiceError(N_("请选择放弃成交或不符合条件。"), "bad_status", field="status")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("请填写原因。"), "reason_required", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ServiceError(N_("原因最多 %(max)s 个字。"), "reason_too_long", field="reason", max=MAX_REASON_LENGTH)
    return reason


@command
def drop_out(project: Project, registration_id: int, status: str, reason: str, actor) -> Award:
    """Record that a candidate declined (放弃成交) or was found ineligible, with the reason.

    Applies to the next undecided candidate, or to a standing winner (who may decline after the
    award); a published winner's award notice is then withdrawn (superseded) and the next
    candidate may be awarded and the result published again.

    :raise ServiceError: ``bad_status``, ``reason_required`` (field ``reason``), ``reason_too_long``,
        ``publishing``, and those of :func:`confirm` for an undecided candidate out of order.
    """
    project = lock_project(project)
    require_award_step(project)
    require_not_publishing(project)
    reason = _check_reason(status, reason)
    rows = candidates(project)
    row = _candidate(rows, registration_id)
    now = clock.now()
    award = row.decision
    was = award.status if award else "pending"
    withdrawn = None
    published = False
    if award is None:
        _require_next(project, rows, row)
        award = Award(
            project_id=project.id,
            registration_id=registration_id,
            candidate_place=row.place,
            status=status,
            reason=reason,
            amount=row.total,
            decided_at=now,
            decided_by_id=actor.id,
        )
        db.session.add(award)
    elif award.status == AWARDED:
        award.status = status
        award.reason = reason
        award.decided_at = now
        award.decided_by_id = actor.id
        db.session.execute(
            sa.update(GeneratedDocument)
            .where(
                GeneratedDocument.kind == KIND_AWARD_NOTICE,
                GeneratedDocument.registration_id == registration_id,
                GeneratedDocument.superseded_at.is_(None),
            )
            .values(superseded_at=now)
        )
        # The announcement names this winner: withdraw it until the result is published again.
        announcement = current_document(KIND_ANNOUNCEMENT, project)
        if announcement is not None:
            announcement.superseded_at = now
            withdrawn = announcement.id
        published = award.publicity_ends is not None
    else:
        raise ServiceError(N_("已记录该候选人的情况，不能重复记录。"), "already_decided")
    db.session.flush()
    audit.record(
        "award.drop_out",
        award,
        details={
            "registration_id": registration_id,
            "candidate_place": row.place,
            "supplier": row.name,
            "status": status,
            "was": was,
            "reason": reason,
            "announcement_withdrawn": withdrawn,
        },
        actor=actor,
    )
    if published:  # a published award is withdrawn: the public record says so
        open_data.record_release(project, open_data.AWARD_CANCELLATION, f"award_cancellation:{award.id}")
    return award
