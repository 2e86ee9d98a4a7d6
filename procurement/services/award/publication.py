"""Publishing the result (design.md §2.6): the dates on each new award, the project ``awarded``,
the result announcement (成交结果公告), an award notice (成交通知书) to each new winner and a
result notice (成交结果通知书) to every other participant.
"""
from __future__ import annotations

from datetime import date

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.schedule import beijing
from procurement.extensions import db
from procurement.models import STATUS_AWARDED, STATUS_EVALUATED, GeneratedDocument, Project, Registration
from procurement.queries.award import (
    KIND_ANNOUNCEMENT,
    KIND_AWARD_NOTICE,
    KIND_RESULT_NOTICE,
    publication_dates,
    results,
    state,
)
from procurement.queries.award_documents import announcement_context, notice_context
from procurement.queries.lookups import load_calendar, settings_of
from procurement.services import ServiceError, documents
from procurement.services.award.decisions import require_award_step
from procurement.services.unit_of_work import change_status, command, lock_project


@command
def publish(project: Project, actor) -> GeneratedDocument:
    """Publish the result: dates on each new award, the announcement and every notice.

    The publicity period starts on the day of publication (day 1, as the notice counts its own
    period); the challenge period runs from the end of publicity; the contract is due within
    ``contract_days`` of the award notice. The first publication moves the project from
    ``evaluated`` to ``awarded``; publishing again (a winner dropped out) keeps it there.
    Returns the result announcement.

    :raise ServiceError: ``not_evaluated``, ``no_award``, ``candidates_pending`` (framework),
        ``already_published``.
    :raise UnknownYearError: when a date to print falls in a year the working-day calendar
        does not know (nothing is changed).
    """
    project = lock_project(project)
    require_award_step(project)
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
    now = clock.now()
    today = beijing(now).date()
    publicity_end, challenge_due, contract_due = publication_dates(load_calendar(), today, settings_of(project))
    new_winners = [award for award in current.winners if award.publicity_ends is None]
    for award in new_winners:
        award.publicity_ends = publicity_end
        award.challenge_deadline = challenge_due
        award.contract_deadline = contract_due
    republished = project.status == STATUS_AWARDED
    if project.status == STATUS_EVALUATED:
        change_status(project, STATUS_AWARDED, actor, at=now)
    audit.record(
        "award.publish",
        project,
        details={
            "winners": [award.registration_id for award in current.winners],
            "published_on": today,
            "publicity_ends": publicity_end,
            "challenge_deadline": challenge_due,
            "contract_deadline": contract_due,
            "republished": republished,
        },
        actor=actor,
    )
    db.session.flush()
    announcement = documents.issue(
        KIND_ANNOUNCEMENT,
        "documents/result_announcement.html",
        title=f"{project.title}成交结果公告",
        subject=f"成交结果公告 {project.code}",
        project=project,
        actor=actor,
        **announcement_context(project, published_on=today),
    )
    standing = {award.registration_id for award in current.winners}
    new_ids = {award.registration_id for award in new_winners}
    for result in results(project):
        registration = result.registration
        if registration.id not in standing or registration.id in new_ids:
            issue_notice(project, registration, actor=actor, issued_on=today)
    return announcement


def issue_notice(
    project: Project, registration: Registration, *, actor=None, issued_on: date | None = None
) -> GeneratedDocument:
    """Issue the award notice (a standing winner) or the result notice (anyone else).

    A step of a command (:func:`publish`): it does not commit; the caller's transaction does.
    """
    context = notice_context(project, registration, issued_on=issued_on)
    name = context["supplier_name"]
    if context["is_winner"]:
        return documents.issue(
            KIND_AWARD_NOTICE,
            "documents/award_notice.html",
            title=f"成交通知书（{project.code} {name}）",
            subject=f"成交通知书 {project.code}",
            project=project,
            registration=registration,
            actor=actor,
            **context,
        )
    return documents.issue(
        KIND_RESULT_NOTICE,
        "documents/result_notice.html",
        title=f"成交结果通知书（{project.code} {name}）",
        subject=f"成交结果通知书 {project.code}",
        project=project,
        registration=registration,
        actor=actor,
        **context,
    )
