"""The evaluation report (评审报告): every active member signs it with its password (a written
dissent optional); the last signature completes the evaluation: the project becomes
``evaluated``, or ``failed`` (流标) with its termination notice when too few quotes were valid.

The last signature only records itself and a job (kind ``evaluation.report``); the job renders
the report PDF (and, for a failed evaluation, the termination notice) outside any transaction,
and its final transaction (:func:`apply`) records them, completes the evaluation and moves the
project. Until then the project stays ``opened``: the buyer cannot award and the public sees no
failure before the report and the notice it refers to exist.
"""
from __future__ import annotations

from datetime import datetime

from procurement import audit, clock
from procurement.domain import N_
from procurement.extensions import db
from procurement.models import STATUS_EVALUATED, STATUS_FAILED, STATUS_OPENED, Job, JobDocument, PanelMember, Project, User
from procurement.queries.evaluation import REPORT_KIND, active_members, can_review
from procurement.queries.evaluation_report import report_context
from procurement.queries.jobs import KIND_EVALUATION_REPORT
from procurement.queries.lookups import evaluation_of
from procurement.services import ServiceError, accounts, notify_staff, notify_suppliers, open_data, termination
from procurement.services import documents as document_service
from procurement.services import jobs as job_service
from procurement.services.unit_of_work import change_status, command, lock_project

KIND = KIND_EVALUATION_REPORT
REPORT_STEP = "report"
TERMINATION_STEP = "termination"


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
    fails = bool(evaluation.failed) and project.status == STATUS_OPENED
    job_service.create(
        KIND,
        project,
        f"{KIND}:{evaluation.id}",
        {"evaluation_id": evaluation.id, "completed_at": now.isoformat(), "fails": fails},
        total=2 if fails else 1,
        actor=actor,
    )


def steps(job: Job) -> list[str]:
    """The report, and the termination notice when the evaluation fails the project."""
    return [REPORT_STEP, TERMINATION_STEP] if job.payload["fails"] else [REPORT_STEP]


def prepare(job: Job, step: str) -> document_service.DocumentSpec:
    """The report as signed, or the failure's termination notice."""
    project = db.session.get(Project, job.project_id)
    if step == REPORT_STEP:
        return document_service.DocumentSpec(
            REPORT_KIND,
            "documents/evaluation_report.html",
            title=f"{project.title}评审报告",
            subject=f"{project.code} 评审报告",
            project=project,
            context={"report": report_context(project)},
        )
    evaluation = evaluation_of(project)
    completed = datetime.fromisoformat(job.payload["completed_at"])
    return termination.notice_spec(project, evaluation.failure_reason, completed, ended_as=STATUS_FAILED)


def apply(job: Job, staged: dict[str, JobDocument], actor) -> None:
    """The final transaction: the report on record, the evaluation complete, the project moved."""
    project = db.session.get(Project, job.project_id)
    evaluation = evaluation_of(project)
    completed = datetime.fromisoformat(job.payload["completed_at"])
    document = job_service.publish_staged(staged[REPORT_STEP], actor=actor)
    evaluation.report_document_id = document.id
    evaluation.completed_at = completed
    audit.record(
        "evaluation.complete", evaluation, details={"report_sha256": document.sha256, "failed": evaluation.failed}, actor=actor
    )
    if project.status != STATUS_OPENED:
        return
    if job.payload["fails"]:
        reason = evaluation.failure_reason
        change_status(project, STATUS_FAILED, actor, reason=reason, at=completed)
        audit.record("project.fail", project, details={"reason": reason}, actor=actor)
        db.session.flush()
        job_service.publish_staged(staged[TERMINATION_STEP], actor=actor)
        open_data.record_release(project, open_data.TENDER_UPDATE, "fail")
        notify_suppliers.project_ended(project, failed=True)
    else:
        change_status(project, STATUS_EVALUATED, actor, at=completed)
    notify_staff.report_signed(project, evaluation)
