"""The evaluation report (评审报告): every active member signs it with its password (a written
dissent optional); the last signature issues the PDF and completes the evaluation: the project
becomes ``evaluated``, or ``failed`` (流标) with its termination notice when too few quotes
were valid.
"""
from __future__ import annotations

from procurement import audit, clock
from procurement.domain import N_
from procurement.extensions import db
from procurement.models import STATUS_EVALUATED, STATUS_FAILED, STATUS_OPENED, PanelMember, User
from procurement.queries.evaluation import REPORT_KIND, active_members, can_review
from procurement.queries.evaluation_report import report_context
from procurement.queries.lookups import evaluation_of
from procurement.services import ServiceError, accounts, termination
from procurement.services import documents as document_service
from procurement.services.unit_of_work import change_status, command, lock_project


@command
def confirm_report(member: PanelMember, password: str, dissent: str | None, actor: User) -> None:
    """The member confirms (signs) the report by re-entering its password, with an optional dissent.

    The project's row lock is taken first, so two members signing last at the same moment
    queue: the second sees the first's signature and completes the evaluation (without the
    lock, each could see the other unsigned and neither would complete it).
    """
    project = lock_project(member.project_id)
    evaluation = evaluation_of(project)
    if not can_review(member, evaluation):
        raise ServiceError(N_("只有参加评审的成员才能确认评审报告。"), "cannot_review")
    if evaluation.ranked_at is None:
        raise ServiceError(N_("评审结果尚未汇总，暂不能确认评审报告。"), "not_ranked")
    if member.report_confirmed_at is not None:
        raise ServiceError(N_("您已确认评审报告。"), "already_confirmed")
    if not password or not accounts.verify_password(member.user, password):
        raise ServiceError(N_("密码不正确，请重新输入。"), "wrong_password", field="password")
    dissent = (dissent or "").strip()
    now = clock.now()
    member.report_confirmed_at = now
    member.report_dissent = dissent or None
    audit.record(
        "evaluation.report_confirm", member, details={"user_id": member.user_id, "dissent": dissent}, actor=actor
    )
    db.session.flush()
    if not all(other.report_confirmed_at is not None for other in active_members(project)):
        return
    document = document_service.issue(
        REPORT_KIND,
        "documents/evaluation_report.html",
        title=f"{project.title}评审报告",
        subject=f"{project.code} 评审报告",
        project=project,
        actor=actor,
        report=report_context(project),
    )
    evaluation.report_document_id = document.id
    evaluation.completed_at = now
    audit.record(
        "evaluation.complete", evaluation, details={"report_sha256": document.sha256, "failed": evaluation.failed}, actor=actor
    )
    if project.status != STATUS_OPENED:
        return
    if evaluation.failed:
        reason = evaluation.failure_reason
        change_status(project, STATUS_FAILED, actor, reason=reason, at=now)
        audit.record("project.fail", project, details={"reason": reason}, actor=actor)
        db.session.flush()
        termination.issue_notice(project, reason, now, actor=actor)
    else:
        change_status(project, STATUS_EVALUATED, actor, at=now)
