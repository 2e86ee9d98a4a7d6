"""Publishing the result (design.md §2.6): the dates on each new award, the project ``awarded``,
the result announcement (成交结果公告), an award notice (成交通知书) to each new winner and a
result notice (成交结果通知书) to every other participant.

The request only records the decision (:func:`publish`: lock, check, dates, audit, a job) and
answers at once whatever the number of participants. The job (kind ``award.publish``) renders
the announcement and each notice outside any transaction, staging them as it goes; its final
transaction (:func:`apply`) sets the dates, moves the project to ``awarded`` and makes every
document visible at once. Until then no supplier or public page shows the result: they read
``publicity_ends`` and the ``awarded`` status, which only the final transaction sets.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.schedule import beijing
from procurement.extensions import db
from procurement.models import (
    STATUS_AWARDED,
    STATUS_EVALUATED,
    EvaluationResult,
    GeneratedDocument,
    Job,
    JobDocument,
    Project,
    Registration,
)
from procurement.queries.award import (
    AWARD_STEP,
    KIND_ANNOUNCEMENT,
    KIND_AWARD_NOTICE,
    KIND_RESULT_NOTICE,
    publication_dates,
    state,
    winners,
)
from procurement.queries.award_documents import PendingPublication, announcement_context, notice_context
from procurement.queries.jobs import KIND_AWARD_PUBLICATION, NOTICE_STEP
from procurement.queries.lookups import load_calendar, settings_of
from procurement.services import ServiceError, documents, notify_suppliers, open_data
from procurement.services import jobs as job_service
from procurement.services.award.decisions import require_award_step, require_not_publishing
from procurement.services.unit_of_work import change_status, command, lock_project

KIND = KIND_AWARD_PUBLICATION
ANNOUNCEMENT_STEP = "announcement"


def _participant_ids(project: Project) -> list[int]:
    """Every participant's registration id, ranked first (by rank), then the rest: one statement."""
    rows = db.session.execute(
        sa.select(EvaluationResult.registration_id, EvaluationResult.rank).where(EvaluationResult.project_id == project.id)
    ).all()
    return [rid for rid, rank in sorted(rows, key=lambda row: (row[1] is None, row[1] or 0, row[0]))]


@command
def publish(project: Project, actor) -> Job:
    """Decide to publish the result: the dates are fixed now, the documents follow in a job.

    The publicity period starts on the day of publication (day 1, as the notice counts its own
    period); the challenge period runs from the end of publicity; the contract is due within
    ``contract_days`` of the award notice. The first publication moves the project from
    ``evaluated`` to ``awarded``; publishing again (a winner dropped out) keeps it there. Both
    happen when the job has issued every document. Returns the job.

    :raise ServiceError: ``not_evaluated``, ``no_award``, ``candidates_pending`` (framework),
        ``already_published``, ``publishing`` (a publication is still being issued).
    :raise UnknownYearError: when a date to print falls in a year the working-day calendar
        does not know (nothing is changed).
    """
    project = lock_project(project)
    require_award_step(project)
    require_not_publishing(project)
    current = state(project, with_notices=False)
    if not current.winners:
        raise ServiceError(N_("请先确定成交供应商，再发布成交结果。"), "no_award")
    if project.framework_award and current.next_candidate is not None:
        raise ServiceError(
            N_("本项目为框架协议采购，请先对每一名候选人作出决定（第 %(place)s 名候选人尚未确定）。"),
            "candidates_pending",
            place=current.next_candidate.place,
        )
    if current.published:
        raise ServiceError(N_("成交结果已经发布。"), "already_published")
    today = beijing(clock.now()).date()
    publicity_end, challenge_due, contract_due = publication_dates(load_calendar(), today, settings_of(project))
    standing = [award.registration_id for award in current.winners]
    new_ids = [award.registration_id for award in current.winners if award.publicity_ends is None]
    notices = [rid for rid in _participant_ids(project) if rid not in standing or rid in new_ids]
    republished = project.status == STATUS_AWARDED
    job = job_service.create(
        KIND,
        project,
        f"{KIND}:{project.id}:{'-'.join(map(str, standing))}",
        {
            "published_on": today.isoformat(),
            "publicity_ends": publicity_end.isoformat(),
            "challenge_deadline": challenge_due.isoformat(),
            "contract_deadline": contract_due.isoformat(),
            "winners": standing,
            "new_winners": new_ids,
            "notices": notices,
        },
        total=1 + len(notices),
        actor=actor,
    )
    audit.record(
        "award.publish",
        project,
        details={
            "winners": standing,
            "published_on": today,
            "publicity_ends": publicity_end,
            "challenge_deadline": challenge_due,
            "contract_deadline": contract_due,
            "republished": republished,
            "notices": len(notices),
            "job_id": job.id,
        },
        actor=actor,
    )
    return job


# --------------------------------------------------------------------------- the job


def _pending(job: Job) -> PendingPublication:
    payload = job.payload
    return PendingPublication(
        new_winners=frozenset(payload["new_winners"]),
        publicity_ends=date.fromisoformat(payload["publicity_ends"]),
        challenge_deadline=date.fromisoformat(payload["challenge_deadline"]),
        contract_deadline=date.fromisoformat(payload["contract_deadline"]),
    )


def steps(job: Job) -> list[str]:
    """The announcement, then one notice per participant."""
    return [ANNOUNCEMENT_STEP] + [f"{NOTICE_STEP}{rid}" for rid in job.payload["notices"]]


def notice_spec(
    project: Project, registration: Registration, *, issued_on: date | None = None, pending: PendingPublication | None = None
) -> documents.DocumentSpec:
    """The award notice (a standing winner) or the result notice (anyone else), with its context read now."""
    context = notice_context(project, registration, issued_on=issued_on, pending=pending)
    name = context["supplier_name"]
    if context["is_winner"]:
        kind, template, title, subject = (
            KIND_AWARD_NOTICE, "documents/award_notice.html", f"成交通知书（{project.code} {name}）", f"成交通知书 {project.code}"
        )
    else:
        kind, template, title, subject = (
            KIND_RESULT_NOTICE, "documents/result_notice.html", f"成交结果通知书（{project.code} {name}）", f"成交结果通知书 {project.code}"
        )
    return documents.DocumentSpec(kind, template, title, subject, project=project, registration=registration, context=context)


def prepare(job: Job, step: str) -> documents.DocumentSpec:
    """Read what one step prints, as the result will stand once published."""
    project = db.session.get(Project, job.project_id)
    published_on = date.fromisoformat(job.payload["published_on"])
    if step == ANNOUNCEMENT_STEP:
        return documents.DocumentSpec(
            KIND_ANNOUNCEMENT,
            "documents/result_announcement.html",
            title=f"{project.title}成交结果公告",
            subject=f"成交结果公告 {project.code}",
            project=project,
            context=announcement_context(project, published_on=published_on, pending=_pending(job)),
        )
    registration = db.session.get(Registration, int(step.removeprefix(NOTICE_STEP)))
    return notice_spec(project, registration, issued_on=published_on, pending=_pending(job))


def apply(job: Job, staged: dict[str, JobDocument], actor) -> None:
    """The final transaction: the dates, ``awarded``, and every document visible at once.

    :raise PermanentJobError: the project left the award step, or its winners changed.
    """
    project = db.session.get(Project, job.project_id)
    if project.status not in AWARD_STEP:
        raise job_service.PermanentJobError("项目已不在确定成交阶段，成交结果未发布。")
    standing = winners(project)
    if [award.registration_id for award in standing] != job.payload["winners"]:
        raise job_service.PermanentJobError("成交供应商已变化，本次发布未生效，请重新发布。")
    pending = _pending(job)
    for award in standing:
        if award.registration_id in pending.new_winners and award.publicity_ends is None:
            award.publicity_ends, award.challenge_deadline, award.contract_deadline = pending.dates(award)
    if project.status == STATUS_EVALUATED:
        change_status(project, STATUS_AWARDED, actor)
    for step in steps(job):
        job_service.publish_staged(staged[step], actor=actor)
    tag = open_data.AWARD_UPDATE if open_data.has_award_release(project) else open_data.AWARD
    open_data.record_release(project, tag, f"award:{job.id}")
    notified = db.session.scalars(sa.select(Registration).where(Registration.id.in_(job.payload["notices"]))).all()
    notify_suppliers.result_published(project, job, sorted(notified, key=lambda r: job.payload["notices"].index(r.id)))


def issue_notice(
    project: Project, registration: Registration, *, actor=None, issued_on: date | None = None
) -> GeneratedDocument:
    """Issue one participant's notice now (render outside any transaction, then a short command).

    For scripts and benchmarks; publishing issues the notices through its job.
    """
    return documents.issue(notice_spec(project, registration, issued_on=issued_on), actor=actor)
