"""The buyer's home (design.md §2): what needs attention across every project, then the project list.

Read for every project at once, in a fixed number of statements whatever their number: the
projects (with their phases), their panels, evaluations, pending explanation requests,
unanswered challenges, the award step's candidates, decisions and announcements, the unfinished
jobs, and the calendar when a confirmation deadline needs it. The items (see
:mod:`procurement.queries.attention`):

- ``opening``: a published project whose opening time has come and whose quotes are not opened;
- the evaluation of an opened project, in the evaluation model's own states: ``panel_missing``
  (no member), ``panel_invalid`` (the panel cannot decide: even, no chair, a recusal to replace),
  ``declarations`` (members who have not declared), ``start_evaluation`` (all declared, the buyer
  starts), ``reviews`` (members who have not submitted their votes), ``ranking`` (the chair
  ranks), ``signatures`` (members who have not signed the report);
- ``explanation``: an abnormally low price whose supplier owes (or has sent) its explanation;
- ``challenge``: a challenge without an answer, by its answer deadline;
- the award step's next buyer step (``queries.award_state``): ``award_confirm``,
  ``award_publish`` or ``award_exhausted``, by the confirmation deadline while evaluated;
- ``job_failed`` / ``job_stalled``: a document job that failed every attempt or stopped moving.

Below the items, the mails whose delivery failed (``queries.mail.failed_mails``, two statements),
each with its error and its 重新发送.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from procurement import clock
from procurement.domain import N_
from procurement.domain.evaluation import PanelError, validate_panel
from procurement.extensions import db
from procurement.models import (
    JOB_FAILED,
    JOB_UNFINISHED,
    STATUS_EVALUATED,
    STATUS_OPENED,
    STATUS_PUBLISHED,
    AbnormalLowReview,
    Award,
    Challenge,
    Evaluation,
    EvaluationResult,
    GeneratedDocument,
    Job,
    PanelMember,
    Project,
    Registration,
)
from procurement.queries.attention import Attention, AttentionItem, item, names, ordered
from procurement.queries.award_state import AWARD_STEP, AWARDED, CandidateRow, report_day, state_from
from procurement.queries.buyer import ProjectListPage, project_list_page
from procurement.queries.jobs import KIND_AWARD_PUBLICATION, LABELS, is_stale
from procurement.queries.lookups import load_calendar, settings_of, supplier_name
from procurement.queries.mail import FailedMails, failed_mails

#: The current result announcement's kind (``queries.award.KIND_ANNOUNCEMENT``).
KIND_RESULT_ANNOUNCEMENT = "result_announcement"
_WITH_SUPPLIER = joinedload(Registration.company)


@dataclass(frozen=True)
class BuyerHome:
    """The buyer's home: the to-do list across projects, and every project below it."""

    attention: Attention
    listing: ProjectListPage
    failed_mails: FailedMails


def buyer_home(now: datetime | None = None) -> BuyerHome:
    """The buyer's home page model at ``now``."""
    now = now or clock.now()
    listing = project_list_page(now)
    return BuyerHome(
        attention=Attention(ordered(buyer_items(listing.projects, now))), listing=listing, failed_mails=failed_mails(now=now)
    )


def buyer_items(projects, now: datetime) -> list[AttentionItem]:
    """Every to-do of buyer staff over ``projects`` (all of them, loaded) at ``now``."""
    projects = list(projects)
    by_id = {project.id: project for project in projects}
    opened = [p for p in projects if p.status == STATUS_OPENED]
    at_award = [p for p in projects if p.status in AWARD_STEP]
    members, evaluations = _panels([p.id for p in opened + at_award])
    jobs = list(db.session.scalars(sa.select(Job).where(Job.status.in_(JOB_UNFINISHED)).order_by(Job.id)))
    items = [_opening(project, now) for project in projects if _awaits_opening(project, now)]
    explanations = _explanations([p.id for p in opened], by_id, now)
    explaining = {entry.project.id for entry in explanations}
    for project in opened:
        items += _evaluation(project, members[project.id], evaluations.get(project.id), now, explaining=project.id in explaining)
    items += explanations
    items += _challenges(by_id, now)
    items += _jobs(jobs, by_id, now)
    items += _awards(at_award, members, evaluations, jobs, now)
    return items


def _awaits_opening(project: Project, now: datetime) -> bool:
    return project.status == STATUS_PUBLISHED and project.opened_at is None and now >= project.opening_at


def _opening(project: Project, now: datetime) -> AttentionItem:
    return item(
        now, project, "opening", N_("报价截止时间已到，请开启报价。"),
        url_for("buyer.opening", project_id=project.id), N_("开启报价"),
        mine=True, due=project.opening_at, due_label=N_("开启时间"),
    )


def _panels(project_ids: list[int]) -> tuple[dict[int, list[PanelMember]], dict[int, Evaluation]]:
    """Project id → its panel seats (removed ones too, in order, users loaded), and its evaluation."""
    members: dict[int, list[PanelMember]] = defaultdict(list)
    if not project_ids:
        return members, {}
    for member in db.session.scalars(
        sa.select(PanelMember)
        .options(joinedload(PanelMember.user))
        .where(PanelMember.project_id.in_(project_ids))
        .order_by(PanelMember.id)
    ):
        members[member.project_id].append(member)
    evaluations = {
        row.project_id: row for row in db.session.scalars(sa.select(Evaluation).where(Evaluation.project_id.in_(project_ids)))
    }
    return members, evaluations


def _panel_problem(seated: list[PanelMember]) -> dict | None:
    """Why the panel cannot decide as it stands (the rule the start of the evaluation applies)."""
    chair = next((member for member in seated if member.is_chair), None)
    try:
        validate_panel(
            [member.id for member in seated], chair.id if chair else None, [m.id for m in seated if m.conflict_declared]
        )
    except PanelError as error:
        return {"message": error.message, "params": error.params}
    return None


def _evaluation(
    project: Project, seats: list[PanelMember], evaluation: Evaluation | None, now: datetime, *, explaining: bool = False
) -> list[AttentionItem]:
    """Where the evaluation of an opened project waits, and for whom (``explaining``: an explanation
    request is undecided, which the ranking waits for and its own item names)."""
    panel_url = url_for("buyer.panel", project_id=project.id)
    seated = [member for member in seats if member.removed_at is None]
    common = {"since_label": N_("报价开启于"), "since": project.opened_at}
    if evaluation is None:
        if not seated:
            return [item(now, project, "panel_missing", N_("尚未指定询比价小组成员，评审无法开始。"), panel_url, N_("指定成员"), mine=True, **common)]
        found = []
        undeclared = [member for member in seated if member.conflict_declared is None]
        if undeclared:
            found.append(
                item(now, project, "declarations", N_("等待成员作出利害关系声明：%(names)s。"),
                     panel_url, N_("查看小组"), mine=False, params={"names": names(undeclared)}, **common)
            )
        problem = _panel_problem(seated)
        if problem:
            recused = [member for member in seated if member.conflict_declared]
            detail = N_("已回避：%(names)s，可另行指定成员替换。") if recused else ""
            found.append(
                item(now, project, "panel_invalid", N_("询比价小组需要调整：%(problem)s"),
                     panel_url, N_("调整小组"), mine=True, params={"problem": problem},
                     detail=detail, detail_params={"names": names(recused)}, **common)
            )
        elif not undeclared:
            found.append(item(now, project, "start_evaluation", N_("全体成员已声明无利害关系，可以启动评审。"), panel_url, N_("启动评审"), mine=True, **common))
        return found
    if evaluation.completed_at is not None:
        return []
    active = [member for member in seated if member.conflict_declared is False]
    if evaluation.ranked_at is None:
        pending = [member for member in active if member.votes_submitted_at is None]
        if pending:
            what = N_("等待提交评审意见：%(names)s（已提交 %(done)s / %(all)s）。")
            params = {"names": names(pending), "done": len(active) - len(pending), "all": len(active)}
            return [item(now, project, "reviews", what, panel_url, N_("查看评审进度"), mine=False, params=params,
                         since=evaluation.started_at, since_label=N_("评审启动于"))]
        if explaining:
            return []
        chair = next((member for member in active if member.is_chair), None)
        what = N_("全体成员已提交评审意见，等待组长%(name)s汇总评审结果并排序。")
        last = max(member.votes_submitted_at for member in active) if active else evaluation.started_at
        return [item(now, project, "ranking", what, panel_url, N_("查看评审进度"), mine=False,
                     params={"name": chair.user.name if chair else ""}, since=last, since_label=N_("全部提交于"))]
    pending = [member for member in active if member.report_confirmed_at is None]
    if not pending:  # every signature is in: the report's job issues it (a failure shows as a failed job)
        return []
    what = N_("等待签署评审报告：%(names)s（已签署 %(done)s / %(all)s）。")
    params = {"names": names(pending), "done": len(active) - len(pending), "all": len(active)}
    return [item(now, project, "signatures", what, panel_url, N_("查看评审进度"), mine=False, params=params,
                 since=evaluation.ranked_at, since_label=N_("汇总排序于"))]


def _explanations(project_ids: list[int], by_id: dict[int, Project], now: datetime) -> list[AttentionItem]:
    """Explanation requests (异常低价说明) of opened projects the panel has not decided."""
    if not project_ids:
        return []
    reviews = db.session.scalars(
        sa.select(AbnormalLowReview)
        .options(joinedload(AbnormalLowReview.registration).options(_WITH_SUPPLIER))
        .where(
            AbnormalLowReview.project_id.in_(project_ids),
            AbnormalLowReview.requested_at.is_not(None),
            AbnormalLowReview.decision.is_(None),
        )
        .order_by(AbnormalLowReview.id)
    )
    found = []
    for review in reviews:
        project = by_id[review.project_id]
        name = supplier_name(review.registration)
        url = url_for("buyer.panel", project_id=project.id)
        if review.explained_at is not None:
            found.append(
                item(now, project, "explanation", N_("“%(name)s”已提交异常低价书面说明，等待评审小组作出决定。"),
                     url, N_("查看评审进度"), mine=False, params={"name": name}, since=review.explained_at, since_label=N_("提交于"))
            )
        else:
            found.append(
                item(now, project, "explanation", N_("等待“%(name)s”对异常低价作出书面说明。"),
                     url, N_("查看评审进度"), mine=False, params={"name": name}, due=review.due_at, due_label=N_("说明截止"),
                     since=review.requested_at, since_label=N_("要求于"))
            )
    return found


def _challenges(by_id: dict[int, Project], now: datetime) -> list[AttentionItem]:
    """Challenges (质疑) still without the buyer's written answer, by their answer deadline."""
    rows = db.session.scalars(
        sa.select(Challenge)
        .options(joinedload(Challenge.registration).options(_WITH_SUPPLIER))
        .where(Challenge.answered_at.is_(None))
        .order_by(Challenge.answer_due_on, Challenge.id)
    )
    return [
        item(
            now, by_id[row.project_id], "challenge",
            N_("“%(name)s”于%(at)s提出质疑，待书面答复。"),
            url_for("buyer.challenge", challenge_id=row.id), N_("答复质疑"),
            mine=True, params={"name": supplier_name(row.registration), "at": row.filed_at}, due_on=row.answer_due_on, due_label=N_("答复期限"),
        )
        for row in rows
        if row.project_id in by_id
    ]


def _jobs(jobs: list[Job], by_id: dict[int, Project], now: datetime) -> list[AttentionItem]:
    """Document jobs that failed every attempt, or that no worker has moved for a while."""
    found = []
    for job in jobs:
        project = by_id.get(job.project_id)
        failed, stalled = job.status == JOB_FAILED, is_stale(job, now)
        if project is None or not (failed or stalled):
            continue
        label = {"message": LABELS.get(job.kind, job.kind)}
        url = url_for("buyer.job_progress", project_id=project.id, job_id=job.id)
        if failed:
            what = N_("文书生成失败：%(label)s（已尝试 %(n)s 次），结果尚未公开。")
            note = (job.last_error or "").splitlines()[0][:200] if job.last_error else ""
            found.append(item(now, project, "job_failed", what, url, N_("查看并重试"), mine=True, params={"label": label, "n": job.attempts},
                              since=job.finished_at or job.updated_at, since_label=N_("失败于"), note=note, broken=True))
        else:
            what = N_("文书生成停滞：%(label)s 长时间没有进展（处理进程可能已中断）。")
            found.append(item(now, project, "job_stalled", what, url, N_("查看并重试"), mine=True, params={"label": label},
                              since=job.updated_at or job.created_at,
                              since_label=N_("最后进展于"), broken=True))
    return found


def _awards(projects: list[Project], members, evaluations, jobs: list[Job], now: datetime) -> list[AttentionItem]:
    """The award step's next buyer step for each project at it (``queries.award_state`` decides)."""
    if not projects:
        return []
    ids = [project.id for project in projects]
    results: dict[int, list[EvaluationResult]] = defaultdict(list)
    for row in db.session.scalars(
        sa.select(EvaluationResult)
        .options(joinedload(EvaluationResult.registration).options(_WITH_SUPPLIER))
        .where(EvaluationResult.project_id.in_(ids), EvaluationResult.candidate_place.is_not(None))
        .order_by(EvaluationResult.candidate_place)
    ):
        results[row.project_id].append(row)
    decisions = {(row.project_id, row.registration_id): row for row in db.session.scalars(sa.select(Award).where(Award.project_id.in_(ids)))}
    announcements = {
        row.project_id: row  # the newest wins
        for row in db.session.scalars(
            sa.select(GeneratedDocument)
            .where(
                GeneratedDocument.kind == KIND_RESULT_ANNOUNCEMENT,
                GeneratedDocument.project_id.in_(ids),
                GeneratedDocument.superseded_at.is_(None),
            )
            .order_by(GeneratedDocument.id)
        )
    }
    publishing = {job.project_id for job in jobs if job.kind == KIND_AWARD_PUBLICATION}
    calendar = load_calendar()
    found = []
    for project in projects:
        rows = [CandidateRow(row, decisions.get((project.id, row.registration_id))) for row in results[project.id]]
        evaluation = evaluations.get(project.id)
        confirmed = [m.report_confirmed_at for m in members[project.id] if m.report_confirmed_at is not None]
        state = state_from(
            project,
            rows,
            report_on=report_day(evaluation.completed_at, max(confirmed, default=None), evaluation.ranked_at) if evaluation else None,
            announcement=announcements.get(project.id),
            publishing=project.id in publishing,
            calendar=calendar,
            settings=settings_of(project),
            now=now,
        )
        found += _award_step(project, state, now)
    return found


def _award_step(project: Project, state, now: datetime) -> list[AttentionItem]:
    if state.publishing:  # being issued; a failed publication shows as a failed job
        return []
    url = url_for("buyer.project", project_id=project.id) + "#award"
    due = {"due_on": state.confirmation_due, "due_label": N_("确认期限")} if project.status == STATUS_EVALUATED else {}
    detail = N_("工作日历缺少 %(year)s 年的节假日安排，无法计算期限，请先录入。") if state.missing_year else ""
    extra = {"detail": detail, "detail_params": {"year": state.missing_year}}
    if state.exhausted:
        return [item(now, project, "award_exhausted", N_("所有成交候选人均已放弃成交或不符合条件，请终止项目或重新组织采购。"),
                     url_for("buyer.project_cancel", project_id=project.id), N_("终止项目"), mine=True, **extra)]
    if state.next_candidate is not None:
        row = state.next_candidate
        what = N_("确定成交供应商：第 %(place)s 名候选人“%(name)s”。")
        return [item(now, project, "award_confirm", what, url, N_("确定成交"), mine=True,
                     params={"place": row.place, "name": row.name}, **extra, **due)]
    if state.can_publish:
        winners = [row.name for row in state.candidates if row.status == AWARDED]
        what = N_("已确定成交供应商（%(names)s），请发布成交结果。")
        return [item(now, project, "award_publish", what, url, N_("发布成交结果"), mine=True, params={"names": winners}, **extra, **due)]
    return []
