"""Votes (评审意见): each member judges pass / fail on every criterion for every participant, one
supplier at a time; saves and comes back; completes a supplier; submits the whole review
(final unless the chair reopens it).
"""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from procurement import audit, clock
from procurement.domain import N_, DomainError
from procurement.domain.evaluation import FAIL, VoteError, validate_vote
from procurement.extensions import db
from procurement.models import Evaluation, PanelMember, User, Vote
from procurement.queries.evaluation import can_review, criteria_of, is_recused, participant_ids
from procurement.queries.evaluation_votes import votes_of
from procurement.queries.lookups import evaluation_of
from procurement.services import ServiceError
from procurement.services.unit_of_work import command


@dataclass(frozen=True)
class CellInput:
    """One cell as the member filled it in: verdict ``pass``/``fail`` or ``None``, and a reason."""

    registration_id: int
    criterion: str
    verdict: str | None
    reason: str = ""


class VoteSheetError(ServiceError):
    """Some cells of the review are not acceptable; ``cells`` maps (registration, criterion) → error."""

    code = "vote_sheet_invalid"

    def __init__(self, cells: dict[tuple[int, str], DomainError]) -> None:
        super().__init__(N_("有%(count)s项评审意见需要补充或修改，请查看标红的项目。"), count=len(cells))
        self.cells = cells


def require_reviewing(member: PanelMember) -> Evaluation:
    """The evaluation, when ``member`` may still vote.

    :raise ServiceError: not a reviewing member, or the votes are already ranked.
    """
    evaluation = evaluation_of(member.project)
    if not can_review(member, evaluation) or evaluation is None:
        raise ServiceError(N_("声明无利害关系并由采购人启动评审后才能评审。"), "cannot_review")
    if evaluation.ranked_at is not None:
        raise ServiceError(N_("评审结果已汇总，评审意见不能再修改。"), "already_ranked")
    return evaluation


def require_chair(member: PanelMember) -> None:
    """:raise ServiceError: unless ``member`` is the panel's (unrecused) chair."""
    if not member.is_chair or member.removed_at is not None or is_recused(member):
        raise ServiceError(N_("只有组长可以进行此操作。"), "not_chair")


@command
def save_votes(
    member: PanelMember,
    cells: Iterable[CellInput],
    *,
    submit: bool,
    actor: User,
    complete: Collection[int] = (),
) -> None:
    """Save the given cells (a draft), complete some suppliers, or submit the whole review.

    Cells not given keep what was saved before. ``complete`` names suppliers whose every
    criterion must then have a verdict (a supplier's sheet completed); ``submit`` requires
    every cell of every supplier and is final.

    :raise VoteSheetError: cells without a verdict (where required, or with a reason typed)
        or a fail without a reason; nothing is saved then.
    """
    require_reviewing(member)
    if member.votes_submitted_at is not None:
        raise ServiceError(N_("您的评审意见已提交。如需修改，请联系组长退回。"), "already_submitted")
    project = member.project
    criteria = criteria_of(project)
    expected = [(registration_id, criterion) for registration_id in participant_ids(project) for criterion in criteria]
    given = {(cell.registration_id, cell.criterion): cell for cell in cells}
    existing = votes_of(member)
    required = set(complete)
    errors: dict[tuple[int, str], DomainError] = {}
    for key in expected:
        cell = given.get(key)
        verdict = cell.verdict if cell else None
        reason = (cell.reason if cell else "").strip()
        if verdict is None:
            needed = submit or key[0] in required
            if (cell is not None and reason) or (needed and key not in existing):
                errors[key] = VoteError(N_("请选择通过或不通过。"), code="verdict_missing")
            continue
        try:
            validate_vote(verdict, reason)
        except VoteError as error:
            errors[key] = error
    if errors:
        raise VoteSheetError(errors)
    now = clock.now()
    saved = 0
    for key in expected:
        cell = given.get(key)
        if cell is None or cell.verdict is None:
            continue
        vote = existing.get(key)
        reason = cell.reason.strip()
        if vote is None:
            db.session.add(
                Vote(panel_member_id=member.id, registration_id=key[0], criterion=key[1], verdict=cell.verdict, reason=reason, updated_at=now)
            )
        elif (vote.verdict, vote.reason) != (cell.verdict, reason):
            vote.verdict, vote.reason, vote.updated_at = cell.verdict, reason, now
        saved += 1
    if submit:
        member.votes_submitted_at = now
    db.session.flush()
    details = {"cells": saved, "of": len(expected), "fails": sum(1 for c in given.values() if c.verdict == FAIL)}
    if required:
        details["completed"] = sorted(required)
    audit.record("evaluation.votes_submit" if submit else "evaluation.votes_save", member, details=details, actor=actor)


@command
def reopen_votes(target: PanelMember, chair: PanelMember, actor: User) -> None:
    """The chair sends a member's submitted votes back for change (audited)."""
    require_chair(chair)
    require_reviewing(chair)
    if target.project_id != chair.project_id or target.removed_at is not None:
        raise ServiceError(N_("该成员不在本项目询比价小组中。"), "not_member")
    if target.votes_submitted_at is None:
        raise ServiceError(N_("该成员的评审意见尚未提交，无需退回。"), "not_submitted")
    target.votes_submitted_at = None
    audit.record(
        "evaluation.votes_reopen", target, details={"user_id": target.user_id, "by": chair.user_id}, actor=actor
    )
