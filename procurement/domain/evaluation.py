"""Panel evaluation (评审): the panel's make-up, members' votes, and majority outcomes.

Design brief §2.5: each member votes pass or fail on every criterion for every supplier
(a fail needs a reason); a criterion's outcome is the majority, and the minority votes are
kept as dissent so the evaluation report can print them.
"""
from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from procurement.domain import N_, DomainError

PASS = "pass"
FAIL = "fail"
VERDICTS = (PASS, FAIL)
MIN_PANEL_SIZE = 3


class PanelError(DomainError):
    """The panel or its votes do not allow a decision; ``code`` says why."""

    code = "panel_invalid"
    #: For ``votes_missing``: the (supplier_id, criterion, member_id) votes still to be cast.
    missing: tuple[tuple[int, str, int], ...] = ()


class VoteError(DomainError):
    """A single vote is not acceptable as cast."""

    code = "vote_invalid"


@dataclass(frozen=True)
class Vote:
    """One member's verdict on one criterion for one supplier."""

    member_id: int
    supplier_id: int
    criterion: str
    verdict: str
    reason: str = ""


@dataclass(frozen=True)
class CriterionOutcome:
    """The panel's majority verdict on one criterion for one supplier, with the dissenting votes."""

    supplier_id: int
    criterion: str
    verdict: str
    votes_for_pass: int
    votes_for_fail: int
    dissent: tuple[Vote, ...]


def validate_panel(
    member_ids: Iterable[int], chair_id: int | None, recused_ids: Iterable[int] = ()
) -> None:
    """Check that the panel can decide: a chair who sits, and an odd number (≥ 3) of active members.

    Active members are the members minus those recused (回避). An odd panel means a
    pass/fail majority always exists.

    :raise PanelError: codes ``duplicate_member``, ``recused_not_member``, ``chair_missing``,
        ``chair_not_member``, ``chair_recused``, ``too_few_members``, ``even_members``.
    """
    members = list(member_ids)
    if len(set(members)) != len(members):
        raise PanelError(N_("询比价小组成员不能重复。"), code="duplicate_member")
    recused = set(recused_ids)
    if not recused <= set(members):
        raise PanelError(N_("回避人员必须是询比价小组成员。"), code="recused_not_member")
    if chair_id is None:
        raise PanelError(N_("请指定询比价小组组长。"), code="chair_missing")
    if chair_id not in members:
        raise PanelError(N_("组长必须是询比价小组成员。"), code="chair_not_member")
    if chair_id in recused:
        raise PanelError(N_("组长已回避，请另行指定组长。"), code="chair_recused")
    active = len(members) - len(recused)
    if active < MIN_PANEL_SIZE:
        raise PanelError(
            N_("询比价小组至少需要%(minimum)s名未回避的成员（现有%(count)s名）。"),
            code="too_few_members",
            minimum=MIN_PANEL_SIZE,
            count=active,
        )
    if active % 2 == 0:
        raise PanelError(
            N_("询比价小组未回避的成员人数须为单数（现有%(count)s名），以免表决出现平局。"),
            code="even_members",
            count=active,
        )


def validate_vote(verdict: str, reason: str | None) -> None:
    """Check a vote as cast: the verdict is pass or fail, and a fail gives a reason.

    :raise VoteError: ``bad_verdict`` or ``fail_needs_reason``.
    """
    if verdict not in VERDICTS:
        raise VoteError(N_("判定只能是通过或不通过。"), code="bad_verdict")
    if verdict == FAIL and not (reason or "").strip():
        raise VoteError(N_("判定不通过时必须填写理由。"), code="fail_needs_reason")


def aggregate(
    votes: Iterable[Vote], member_ids: Collection[int]
) -> dict[tuple[int, str], CriterionOutcome]:
    """Decide each (supplier, criterion) that has votes by the majority of ``member_ids``.

    ``member_ids`` are the active (not recused) members; every one of them must have voted
    on every (supplier, criterion) pair that anyone voted on. Dissent is the votes against
    the outcome, ordered by member id.

    :raise VoteError: for a vote that :func:`validate_vote` refuses.
    :raise PanelError: ``vote_from_non_member``, ``duplicate_vote``, ``votes_missing`` (the
        error's ``missing`` lists (supplier_id, criterion, member_id)), or ``tied_vote``
        (only possible with an even panel, which :func:`validate_panel` refuses).
    """
    members = set(member_ids)
    by_key: dict[tuple[int, str], dict[int, Vote]] = {}
    for vote in votes:
        validate_vote(vote.verdict, vote.reason)
        if vote.member_id not in members:
            raise PanelError(
                N_("只有未回避的询比价小组成员才能表决。"),
                code="vote_from_non_member",
                member=vote.member_id,
            )
        cast = by_key.setdefault((vote.supplier_id, vote.criterion), {})
        if vote.member_id in cast:
            raise PanelError(
                N_("同一成员对同一事项只能表决一次。"), code="duplicate_vote", member=vote.member_id
            )
        cast[vote.member_id] = vote

    missing = tuple(
        (supplier_id, criterion, member_id)
        for (supplier_id, criterion), cast in sorted(by_key.items())
        for member_id in sorted(members - cast.keys())
    )
    if missing:
        error = PanelError(
            N_("成员%(members)s尚未完成全部表决（缺%(count)s票），暂不能汇总。"),
            code="votes_missing",
            members=[str(member) for member in sorted({m for _, _, m in missing})],
            count=len(missing),
        )
        error.missing = missing
        raise error

    outcomes: dict[tuple[int, str], CriterionOutcome] = {}
    for (supplier_id, criterion), cast in by_key.items():
        passes = sum(1 for vote in cast.values() if vote.verdict == PASS)
        fails = len(cast) - passes
        if passes == fails:
            raise PanelError(N_("表决出现平局，请核对询比价小组人数。"), code="tied_vote")
        verdict = PASS if passes > fails else FAIL
        dissent = tuple(
            vote for _, vote in sorted(cast.items()) if vote.verdict != verdict
        )
        outcomes[(supplier_id, criterion)] = CriterionOutcome(
            supplier_id=supplier_id,
            criterion=criterion,
            verdict=verdict,
            votes_for_pass=passes,
            votes_for_fail=fails,
            dissent=dissent,
        )
    return outcomes


def supplier_passes(
    outcomes: Mapping[tuple[int, str], CriterionOutcome], supplier_id: int, criteria: Iterable[str]
) -> bool:
    """True when the supplier passed every one of ``criteria``.

    A criterion with no outcome yet is an unfinished evaluation, not a fail, so it raises
    rather than quietly dropping the supplier from the ranking.

    :raise PanelError: ``criterion_not_decided``.
    """
    passed = True
    for criterion in criteria:
        outcome = outcomes.get((supplier_id, criterion))
        if outcome is None:
            raise PanelError(
                N_("评审尚未完成：“%(criterion)s”还没有表决结果。"),
                code="criterion_not_decided",
                criterion=criterion,
                supplier=supplier_id,
            )
        passed = passed and outcome.verdict == PASS
    return passed
