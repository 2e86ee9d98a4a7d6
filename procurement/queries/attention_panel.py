"""The panel member's home: the reviews and signatures waiting for this member, across the projects
it sits on, and what it waits for from others; then its projects.

In a fixed number of statements whatever the number of seats: the member's seats with their
projects, the evaluations, every seat of those panels (for whom the member waits), the member's
saved votes and the participants per project (how far its review sheet is), the explanation
requests of the projects it chairs, and the report jobs. The items, in the evaluation model's
own states (see :mod:`procurement.queries.attention`):

- ``declare``: the quotes are opened and the member has not declared (利害关系声明);
- ``await_start``: declared, the buyer has not started the evaluation yet (waiting);
- ``review``: the evaluation runs and the member has not submitted its review sheet;
- ``await_reviews``: submitted, others have not (waiting);
- ``rank``: every sheet is in and the member chairs: aggregate and rank (``await_rank`` otherwise);
- ``explanation_decide`` / ``explanation_wait``: (chair) an explanation to decide on, or awaited by its due time;
- ``sign``: ranked and the member has not signed the report; ``await_signatures`` when others have not;
- ``report_job``: every signature is in and the report is being generated (or failed: the buyer retries).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from procurement.domain import N_
from procurement.extensions import db
from procurement.models import (
    JOB_DONE,
    JOB_FAILED,
    STATUS_OPENED,
    AbnormalLowReview,
    Evaluation,
    Job,
    OpenedQuote,
    PanelMember,
    Project,
    Registration,
    User,
    Vote,
)
from procurement.queries.attention import Attention, AttentionItem, item, names, ordered
from procurement.queries.evaluation import criteria_of
from procurement.queries.jobs import KIND_EVALUATION_REPORT
from procurement.queries.lookups import supplier_name
from procurement.queries.phases import phases


@dataclass(frozen=True)
class PanelHome:
    """The member's home: its to-do list, then the projects it sits on (newest appointment first)."""

    attention: Attention
    memberships: tuple[PanelMember, ...]
    phases: dict[int, str]

    def phase(self, project: Project) -> str:
        """The phase of one of the member's projects."""
        return self.phases[project.id]


def panel_home(user: User, now: datetime) -> PanelHome:
    """The panel member's home page model at ``now``."""
    seats = tuple(
        db.session.scalars(
            sa.select(PanelMember)
            .options(joinedload(PanelMember.project))
            .where(PanelMember.user_id == user.id, PanelMember.removed_at.is_(None))
            .order_by(PanelMember.id.desc())
        )
    )
    opened = [seat for seat in seats if seat.project.opened_at is not None and seat.conflict_declared is not True]
    items: list[AttentionItem] = []
    if opened:
        items = _items(opened, now)
    return PanelHome(attention=Attention(ordered(items)), memberships=seats, phases=phases([seat.project for seat in seats], now))


@dataclass
class _Loaded:
    evaluations: dict[int, Evaluation]
    panels: dict[int, list[PanelMember]]
    saved: dict[int, int]
    participants: dict[int, int]
    reviews: dict[int, list[AbnormalLowReview]]
    jobs: dict[int, Job]


def _load(seats: list[PanelMember]) -> _Loaded:
    ids = [seat.project_id for seat in seats]
    evaluations = {row.project_id: row for row in db.session.scalars(sa.select(Evaluation).where(Evaluation.project_id.in_(ids)))}
    panels: dict[int, list[PanelMember]] = defaultdict(list)
    for member in db.session.scalars(
        sa.select(PanelMember)
        .options(joinedload(PanelMember.user))
        .where(PanelMember.project_id.in_(ids), PanelMember.removed_at.is_(None))
        .order_by(PanelMember.id)
    ):
        panels[member.project_id].append(member)
    saved = dict(
        db.session.execute(
            sa.select(Vote.panel_member_id, sa.func.count(Vote.id))
            .where(Vote.panel_member_id.in_([seat.id for seat in seats]))
            .group_by(Vote.panel_member_id)
        ).all()
    )
    participants = dict(
        db.session.execute(
            sa.select(OpenedQuote.project_id, sa.func.count(OpenedQuote.id)).where(OpenedQuote.project_id.in_(ids)).group_by(OpenedQuote.project_id)
        ).all()
    )
    reviews: dict[int, list[AbnormalLowReview]] = defaultdict(list)
    chaired = [seat.project_id for seat in seats if seat.is_chair]
    if chaired:
        for review in db.session.scalars(
            sa.select(AbnormalLowReview)
            .options(joinedload(AbnormalLowReview.registration).joinedload(Registration.company))
            .where(
                AbnormalLowReview.project_id.in_(chaired),
                AbnormalLowReview.requested_at.is_not(None),
                AbnormalLowReview.decision.is_(None),
            )
            .order_by(AbnormalLowReview.id)
        ):
            reviews[review.project_id].append(review)
    jobs = {
        job.project_id: job  # the newest wins
        for job in db.session.scalars(
            sa.select(Job).where(Job.project_id.in_(ids), Job.kind == KIND_EVALUATION_REPORT).order_by(Job.id)
        )
    }
    return _Loaded(evaluations, panels, saved, participants, reviews, jobs)


def _items(seats: list[PanelMember], now: datetime) -> list[AttentionItem]:
    loaded = _load(seats)
    found: list[AttentionItem] = []
    for seat in seats:
        found += _seat(seat, loaded, now)
    return found


def _seat(seat: PanelMember, loaded: _Loaded, now: datetime) -> list[AttentionItem]:
    project = seat.project
    project_url = url_for("panel.project", project_id=project.id)
    evaluation = loaded.evaluations.get(project.id)
    if project.status != STATUS_OPENED:  # the evaluation is over (or the project ended)
        return []
    if seat.conflict_declared is None:
        return [item(now, project, "declare", N_("报价已开启，请先对参加供应商作出利害关系声明。"), project_url, N_("作出声明"),
                     mine=True, since=project.opened_at, since_label=N_("报价开启于"))]
    if evaluation is None:
        return [item(now, project, "await_start", N_("您已作出声明，等待采购人启动评审。"), project_url, N_("查看项目"),
                     mine=False, since=seat.declared_at, since_label=N_("声明于"))]
    active = [member for member in loaded.panels[project.id] if member.conflict_declared is False]
    if evaluation.ranked_at is None:
        return _reviewing(seat, project, evaluation, active, loaded, now)
    if evaluation.completed_at is not None:
        return []
    report_url = url_for("panel.report", project_id=project.id)
    if seat.report_confirmed_at is None:
        return [item(now, project, "sign", N_("评审结果已汇总排序，请阅读并签署评审报告。"), report_url, N_("签署评审报告"),
                     mine=True, since=evaluation.ranked_at, since_label=N_("汇总排序于"))]
    pending = [member for member in active if member.report_confirmed_at is None]
    if pending:
        return [item(now, project, "await_signatures", N_("您已签署，等待其他成员签署评审报告：%(names)s。"),
                     report_url, N_("查看评审报告"), mine=False, params={"names": names(pending)}, since=seat.report_confirmed_at, since_label=N_("您签署于"))]
    job = loaded.jobs.get(project.id)
    if job is None or job.status == JOB_DONE:
        return []
    if job.status == JOB_FAILED:
        what = N_("全体成员已签署，评审报告生成失败，等待采购人重新生成。")
    else:
        what = N_("全体成员已签署，正在生成评审报告PDF。")
    return [item(now, project, "report_job", what, report_url, N_("查看进度"), mine=False, since=job.created_at, since_label=N_("开始于"))]


def _reviewing(seat, project: Project, evaluation: Evaluation, active, loaded: _Loaded, now: datetime) -> list[AttentionItem]:
    """Before the ranking: the member's review sheet, the others', the chair's ranking and explanations."""
    if seat.votes_submitted_at is None:
        total = loaded.participants.get(project.id, 0) * len(criteria_of(project))
        what = N_("请填写并提交评审表（已填写 %(done)s / %(all)s 项）。")
        return [item(now, project, "review", what, url_for("panel.review", project_id=project.id), N_("打开评审表"),
                     mine=True, params={"done": loaded.saved.get(seat.id, 0), "all": total}, since=evaluation.started_at, since_label=N_("评审启动于"))]
    project_url = url_for("panel.project", project_id=project.id)
    pending = [member for member in active if member.votes_submitted_at is None]
    if pending:
        return [item(now, project, "await_reviews", N_("您已提交评审表，等待其他成员提交：%(names)s。"),
                     project_url, N_("查看小组进度"), mine=False, params={"names": names(pending)}, since=seat.votes_submitted_at, since_label=N_("您提交于"))]
    found = []
    for review in loaded.reviews.get(project.id, ()) if seat.is_chair else ():
        name = supplier_name(review.registration)
        url = url_for("panel.abnormal", project_id=project.id, registration_id=review.registration_id)
        if review.explained_at is not None:
            found.append(item(now, project, "explanation_decide", N_("“%(name)s”已提交异常低价书面说明，请记录小组的决定。"),
                              url, N_("作出决定"), mine=True, params={"name": name}, since=review.explained_at, since_label=N_("提交于")))
        else:
            found.append(item(now, project, "explanation_wait", N_("等待“%(name)s”对异常低价作出书面说明。"),
                              url, N_("查看"), mine=False, params={"name": name}, due=review.due_at, due_label=N_("说明截止")))
    last = max(member.votes_submitted_at for member in active)
    if seat.is_chair:
        found.append(item(now, project, "rank", N_("全体成员已提交评审表，请汇总评审结果并排序（如有异常低价，先处理书面说明）。"),
                          project_url, N_("汇总排序"), mine=True, since=last, since_label=N_("全部提交于")))
    else:
        found.append(item(now, project, "await_rank", N_("全体成员已提交评审表，等待组长汇总评审结果并排序。"),
                          project_url, N_("查看项目"), mine=False, since=last, since_label=N_("全部提交于")))
    return found
