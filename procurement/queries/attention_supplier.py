"""The supplier's home (我的报名): the deadlines beside each of its projects and what it must do next.

Deadlines come from the frozen schedule and the stored deadlines, never recomputed here: the
registration window's end and the quote deadline (``queries.lookups.schedule_of``), the panel's
explanation due time, the challenge period for a participant that did not win
(``queries.challenges.window_of`` over the published awards), the winner's contract deadline,
the buyer's answer deadline of the supplier's own challenge. What must be done next (the to-do list at the top of the page) follows the
supplier's outcome (``queries.supplier_outcomes``):

- ``register``: a registration not submitted yet while the window is open (by its end);
- ``fix_registration``: a registration the checks refused, while it may still be corrected;
- ``quote``: accepted but no current quote (尚未提交报价), by the quote deadline;
- ``explain``: the panel asked for a written explanation of a low price, by its due time.

Three statements for any number of registrations: the published awards of its awarded projects,
its participations in evaluations, its own challenges.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import url_for

from procurement.domain import N_
from procurement.domain.urgency import TimeLeft, end_of_day, time_left
from procurement.extensions import db
from procurement.models import REG_ACCEPTED, STATUS_AWARDED, STATUS_PUBLISHED, Award, Challenge, EvaluationResult, Registration
from procurement.queries.attention import SOON, AttentionItem, item
from procurement.queries.challenges import window_of
from procurement.queries.lookups import schedule_of
from procurement.queries.supplier_outcomes import AWARDED, Outcome


@dataclass(frozen=True)
class Deadline:
    """One deadline beside a project: what ends, when (an instant, or a date's whole day), time left.

    ``label`` and ``action`` are untranslated (``N_``); the template translates them."""

    label: str
    due: datetime
    left: TimeLeft
    tone: str
    due_on: date | None = None
    url: str | None = None
    action: str = ""


def deadline(now: datetime, label: str, *, due: datetime | None = None, due_on: date | None = None, url=None, action="") -> Deadline:
    """A deadline relative to ``now`` (``due_on``: a date deadline, over at the end of that day)."""
    if due_on is not None:
        due = end_of_day(due_on)
    left = time_left(now, due)
    tone = "danger" if left.overdue else "warning" if due - now <= SOON else "secondary"
    return Deadline(label, due, left, tone, due_on, url, action)


@dataclass(frozen=True)
class RowAttention:
    """A registration's deadlines and the one thing its supplier must do next (if any)."""

    deadlines: tuple[Deadline, ...]
    todo: AttentionItem | None


def _load(registrations: list[Registration]):
    ids = [registration.id for registration in registrations]
    awarded = list({r.project_id for r in registrations if r.project.status == STATUS_AWARDED})
    published: dict[int, list[Award]] = defaultdict(list)
    if awarded:
        for award in db.session.scalars(
            sa.select(Award).where(Award.project_id.in_(awarded), Award.status == AWARDED, Award.publicity_ends.is_not(None))
        ):
            published[award.project_id].append(award)
    participants = set(db.session.scalars(sa.select(EvaluationResult.registration_id).where(EvaluationResult.registration_id.in_(ids))))
    challenges: dict[int, list[Challenge]] = defaultdict(list)
    for challenge in db.session.scalars(
        sa.select(Challenge).where(Challenge.registration_id.in_(ids), Challenge.answered_at.is_(None)).order_by(Challenge.id)
    ):
        challenges[challenge.registration_id].append(challenge)
    return published, participants, challenges


def supplier_attention(registrations: list[Registration], outcomes: dict[int, Outcome], now: datetime) -> dict[int, RowAttention]:
    """Registration id → its deadlines and next step, for all of a supplier's registrations (projects loaded)."""
    if not registrations:
        return {}
    published, participants, challenges = _load(registrations)
    return {
        registration.id: _row(registration, outcomes[registration.id], published, participants, challenges, now)
        for registration in registrations
    }


def _row(registration, outcome: Outcome, published, participants, challenges, now: datetime) -> RowAttention:
    project = registration.project
    schedule = schedule_of(project)
    found: list[Deadline] = []
    todo = None
    accepted = registration.status == REG_ACCEPTED
    registration_url = url_for("supplier.registration", project_id=project.id)
    if project.status == STATUS_PUBLISHED and schedule is not None and now < schedule.closes_at:
        found.append(deadline(now, N_("报名截止"), due=schedule.closes_at))
        if outcome.key == "not_submitted":
            todo = item(now, project, "register", N_("报名资料尚未提交。"), registration_url, N_("继续报名"),
                        mine=True, due=schedule.closes_at, due_label=N_("报名截止"))
        elif outcome.key == "rejected":
            todo = item(now, project, "fix_registration", N_("报名未通过自动审核，请按审核结果修改后重新提交。"), registration_url,
                        N_("修改报名"), mine=True, due=schedule.closes_at, due_label=N_("报名截止"))
    if project.status == STATUS_PUBLISHED and accepted and now < project.opening_at:
        found.append(deadline(now, N_("报价截止"), due=project.opening_at))
        if outcome.key == "can_quote":
            todo = item(now, project, "quote", N_("尚未提交报价。"), url_for("supplier.quote_sheet", project_id=project.id),
                        N_("填写报价"), mine=True, due=project.opening_at, due_label=N_("报价截止"))
    if outcome.explanation_due is not None:
        url = url_for("supplier.explanation", project_id=project.id)
        found.append(deadline(now, N_("书面说明截止"), due=outcome.explanation_due, url=url, action=N_("提交书面说明")))
        todo = item(now, project, "explain", N_("评审小组要求您对报价作出书面说明（异常低价）。"), url, N_("提交书面说明"),
                    mine=True, due=outcome.explanation_due, due_label=N_("说明截止"))
    awards = published.get(project.id, [])
    if awards and outcome.final:
        own = next((award for award in awards if award.registration_id == registration.id), None)
        if own is not None and own.contract_deadline is not None:
            found.append(deadline(now, N_("签订合同截止"), due_on=own.contract_deadline))
        window = window_of(awards, now)
        if window.is_open and own is None and registration.id in participants:
            found.append(deadline(now, N_("质疑期至"), due_on=window.due_on, url=url_for("supplier.challenge_new", project_id=project.id),
                                  action=N_("对结果有异议？提出质疑")))
    for challenge in challenges.get(registration.id, ()):
        found.append(deadline(now, N_("采购人答复质疑期限"), due_on=challenge.answer_due_on,
                              url=url_for("supplier.challenge", challenge_id=challenge.id), action=N_("查看质疑")))
    return RowAttention(deadlines=tuple(found), todo=todo)
