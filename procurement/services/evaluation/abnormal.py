"""Abnormally low prices (异常低价): once every member submitted, the chair asks a flagged supplier
for a written explanation by a due time, the supplier answers, and the panel (by its chair)
accepts or rejects it; a rejected quote is invalid.
"""
from __future__ import annotations

from datetime import datetime

from procurement import audit, clock
from procurement.domain import N_
from procurement.extensions import db
from procurement.models import AbnormalLowReview, PanelMember, Registration, User
from procurement.queries.evaluation_votes import abnormal_low_flags, abnormal_low_review, all_submitted
from procurement.services import ServiceError, notify_staff, notify_suppliers, uploads
from procurement.services.evaluation.votes import require_chair, require_reviewing
from procurement.services.unit_of_work import command, lock_project

DECISION_ACCEPT = "accept"
DECISION_REJECT = "reject"


def require_abnormal_stage(chair: PanelMember) -> None:
    """:raise ServiceError: unless the chair may handle abnormal lows now (every member submitted)."""
    require_chair(chair)
    require_reviewing(chair)
    if not all_submitted(chair.project):
        raise ServiceError(N_("全体成员提交评审意见后才能处理异常低价。"), "votes_pending")


@command
def request_explanation(chair: PanelMember, registration: Registration, due_at: datetime | None, actor: User) -> AbnormalLowReview:
    """The chair asks a flagged supplier for a written explanation by ``due_at``."""
    project = lock_project(chair.project_id)
    require_abnormal_stage(chair)
    flags = abnormal_low_flags(project)
    if registration.project_id != project.id or registration.id not in flags:
        raise ServiceError(N_("该供应商的报价未被标记为异常低价。"), "not_flagged")
    if abnormal_low_review(project, registration.id) is not None:
        raise ServiceError(N_("已要求该供应商作出说明。"), "already_requested")
    now = clock.now()
    if due_at is None or due_at <= now:
        raise ServiceError(N_("说明截止时间必须晚于当前时间。"), "due_in_past", field="due_at")
    reasons = [
        {"code": reason.code, "message": reason.message, "params": reason.params} for reason in flags[registration.id]
    ]
    review = AbnormalLowReview(
        project_id=project.id, registration_id=registration.id, reasons=reasons, requested_at=now, due_at=due_at
    )
    db.session.add(review)
    db.session.flush()
    audit.record(
        "abnormal_low.request",
        review,
        details={"registration_id": registration.id, "due_at": due_at.isoformat(), "reasons": [r["code"] for r in reasons]},
        actor=actor,
    )
    notify_suppliers.explanation_requested(review)
    return review


@command
def submit_explanation(review: AbnormalLowReview, text: str, upload, actor: User) -> None:
    """The supplier answers the request in writing (text, optional PDF/image) before the due time;
    until the panel decides it may revise its answer, and each revision is told again."""
    if review.requested_at is None or review.decision is not None:
        raise ServiceError(N_("该说明已不能再修改。"), "closed")
    if clock.now() > review.due_at:
        raise ServiceError(N_("已超过说明的截止时间，不能再提交。"), "past_due")
    text = (text or "").strip()
    if not text:
        raise ServiceError(N_("请填写书面说明。"), "text_required", field="text")
    if upload is not None and getattr(upload, "filename", None):
        checked = uploads.check_upload(upload, uploads.SCAN_TYPES, field="attachment")
        review.explanation_file_id = uploads.save(checked, actor).id
    revised = review.explained_at is not None  # until the decision the supplier may revise it
    review.explanation_text = text
    review.explained_at = clock.now()
    audit.record(
        "abnormal_low.explain",
        review,
        details={"registration_id": review.registration_id, "file": review.explanation_file_id, "revised": revised},
        actor=actor,
    )
    notify_staff.explanation_submitted(review, revised=revised)


@command
def decide_abnormal_low(review: AbnormalLowReview, chair: PanelMember, decision: str, reason: str, actor: User) -> None:
    """The panel (by its chair) accepts or rejects the explanation; a rejected quote is invalid."""
    lock_project(chair.project_id)
    require_abnormal_stage(chair)
    if review.project_id != chair.project_id:
        raise ServiceError(N_("该说明不属于本项目。"), "not_found")
    if review.decision is not None:
        raise ServiceError(N_("已对该异常低价作出决定。"), "already_decided")
    if decision not in (DECISION_ACCEPT, DECISION_REJECT):
        raise ServiceError(N_("请选择接受或不接受。"), "bad_decision", field="decision")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(N_("请填写理由。"), "reason_required", field="reason")
    if review.explained_at is None and clock.now() <= review.due_at:
        raise ServiceError(N_("供应商尚未提交说明，且说明期限未到，暂不能作出决定。"), "awaiting_explanation")
    review.decision = decision
    review.decision_reason = reason
    review.decided_at = clock.now()
    review.decided_by_id = actor.id
    audit.record(
        "abnormal_low.decide",
        review,
        details={"registration_id": review.registration_id, "decision": decision, "reason": reason},
        actor=actor,
    )
