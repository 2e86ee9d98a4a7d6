"""Evaluation (评审): the panel, declarations, votes, abnormally low prices, ranking, the report.

design.md §2.5 and §4. Buyer staff appoint an odd panel (≥ 3) with a chair; every member
declares whether it has a conflict of interest with a participating supplier (a conflict
recuses it) before it sees any supplier's documents; buyer staff start the evaluation,
which re-runs the credit check against the current lists; each member votes pass / fail
on every criterion for every participant, saves and comes back, and submits (final unless
the chair reopens); the majority decides and dissent is kept; the chair asks suppliers
with abnormally low prices for an explanation and records the panel's decision; the chair
ranks; every member confirms the report with its password (a written dissent optional);
the report PDF is issued once all have confirmed. Too few valid quotes fail the project
(流标) with a termination notice, issued when the report is complete.

The rules themselves are in ``procurement.domain`` (evaluation, ranking, compliance,
credit); this module loads, calls them, audits and commits.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_, DomainError
from procurement.domain import compliance
from procurement.domain.credit import LIST_KINDS
from procurement.domain.evaluation import (
    FAIL,
    CriterionOutcome,
    VoteError,
    aggregate,
    supplier_passes,
    validate_panel,
    validate_vote,
)
from procurement.domain.evaluation import Vote as DomainVote
from procurement.domain.qualification import CRITERIA, CRITERION_KEYS, DOCUMENT_KINDS
from procurement.domain.ranking import (
    AbnormalLowReason,
    AbnormalLowSettings,
    QuoteForRanking,
    RankingSettings,
    flag_abnormally_low,
    new_seed,
    rank_quotes,
)
from procurement.extensions import db
from procurement.models import (
    ROLE_PANEL,
    STATUS_EVALUATED,
    STATUS_FAILED,
    STATUS_OPENED,
    STATUS_PUBLISHED,
    AbnormalLowReview,
    BlacklistImport,
    Evaluation,
    EvaluationResult,
    GeneratedDocument,
    OpenedQuote,
    PanelMember,
    Project,
    Registration,
    User,
    Vote,
)
from procurement.services import ServiceError, accounts
from procurement.services import registrations as registration_service
from procurement.services import documents as document_service
from procurement.services import termination, uploads
from procurement.formatting import translate
from procurement.queries.lookups import evaluation_of  # noqa: F401  (re-exported)

QUOTE_COMPLIANCE = compliance.CRITERION
CRITERION_LABELS: dict[str, str] = {c.key: c.label for c in CRITERIA} | {QUOTE_COMPLIANCE: compliance.LABEL}
DECISION_ACCEPT = "accept"
DECISION_REJECT = "reject"
REPORT_KIND = "evaluation_report"
TERMINATION_KIND = termination.KIND


# --- loading ------------------------------------------------------------------------------


def criteria_of(project: Project) -> list[str]:
    """The criteria the panel votes on: the project's qualification criteria, then response compliance."""
    chosen = set(project.criteria or ())
    return [key for key in CRITERION_KEYS if key in chosen] + [QUOTE_COMPLIANCE]


def criterion_label(key: str) -> str:
    """The Chinese label of a criterion key (translated)."""
    return translate(CRITERION_LABELS.get(key, key))


def participants(project: Project) -> list[Registration]:
    """The registrations whose quotes were opened: the suppliers the panel evaluates."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .join(OpenedQuote, OpenedQuote.registration_id == Registration.id)
            .where(OpenedQuote.project_id == project.id)
            .order_by(Registration.id)
        )
    )


def opened_quotes(project: Project) -> dict[int, OpenedQuote]:
    """Registration id → its opened quote."""
    rows = db.session.scalars(sa.select(OpenedQuote).where(OpenedQuote.project_id == project.id))
    return {row.registration_id: row for row in rows}


def panel_members(project: Project) -> list[PanelMember]:
    """The members currently on the panel (removed ones excluded), in order of appointment."""
    return list(
        db.session.scalars(
            sa.select(PanelMember)
            .where(PanelMember.project_id == project.id, PanelMember.removed_at.is_(None))
            .order_by(PanelMember.id)
        )
    )


def active_members(project: Project) -> list[PanelMember]:
    """The members who declared no conflict: they vote and sign."""
    return [member for member in panel_members(project) if member.conflict_declared is False]


def chair_of(project: Project) -> PanelMember | None:
    """The chair (组长), if one is appointed."""
    return next((member for member in panel_members(project) if member.is_chair), None)


def membership(project: Project, user: User) -> PanelMember | None:
    """``user``'s current seat on this project's panel, or ``None``."""
    return db.session.scalar(
        sa.select(PanelMember).where(
            PanelMember.project_id == project.id, PanelMember.user_id == user.id, PanelMember.removed_at.is_(None)
        )
    )


def available_panel_accounts(project: Project) -> list[User]:
    """Active panel accounts not on this panel now (candidates to appoint)."""
    seated = {member.user_id for member in panel_members(project)}
    users = db.session.scalars(sa.select(User).where(User.role == ROLE_PANEL, User.active.is_(True)).order_by(User.name))
    return [user for user in users if user.id not in seated]


def is_recused(member: PanelMember) -> bool:
    """Whether the member declared a conflict of interest (回避)."""
    return member.conflict_declared is True


def can_review(member: PanelMember | None) -> bool:
    """Whether the member may see the suppliers' documents and the review matrix.

    Only after declaring no conflict, and only once buyer staff have started the evaluation.
    """
    return (
        member is not None
        and member.removed_at is None
        and member.conflict_declared is False
        and evaluation_of(member.project) is not None
    )


# --- the panel (buyer staff) --------------------------------------------------------------


def _require_panel_editable(project: Project) -> None:
    if project.status not in (STATUS_PUBLISHED, STATUS_OPENED):
        raise ServiceError(N_("当前项目状态不能调整询比价小组。"), "panel_locked")
    if evaluation_of(project) is not None:
        raise ServiceError(N_("评审已经开始，询比价小组不能再调整。"), "evaluation_started")


def appoint_member(project: Project, user: User | None, actor: User, *, chair: bool = False) -> PanelMember:
    """Appoint a panel account to the project's panel (optionally as chair)."""
    _require_panel_editable(project)
    if user is None or user.role != ROLE_PANEL or not user.active:
        raise ServiceError(N_("请选择一个有效的评审人员账户。"), "bad_user", field="user_id")
    if membership(project, user) is not None:
        raise ServiceError(N_("%(name)s 已是本项目询比价小组成员。"), "already_member", field="user_id", name=user.name)
    now = clock.now()
    member = db.session.scalar(
        sa.select(PanelMember).where(PanelMember.project_id == project.id, PanelMember.user_id == user.id)
    )
    if member is not None:  # removed earlier: the seat is reused, its declaration cleared
        if member.conflict_declared:
            raise ServiceError(
                N_("%(name)s 曾声明与本项目供应商存在利害关系，不能再次指定。"), "was_recused", field="user_id", name=user.name
            )
        member.removed_at = None
        member.appointed_at = now
        member.conflict_declared = None
        member.declaration_note = None
        member.declared_at = None
    else:
        member = PanelMember(project_id=project.id, user_id=user.id, appointed_at=now)
        db.session.add(member)
    member.is_chair = False
    db.session.flush()
    if chair:
        _make_chair(project, member)
    audit.record(
        "panel.appoint", member, details={"user_id": user.id, "name": user.name, "chair": bool(chair)}, actor=actor
    )
    db.session.commit()
    return member


def _make_chair(project: Project, member: PanelMember) -> None:
    for other in panel_members(project):
        other.is_chair = other.id == member.id
    member.is_chair = True


def set_chair(member: PanelMember, actor: User) -> None:
    """Make ``member`` the chair (the previous chair becomes an ordinary member)."""
    _require_panel_editable(member.project)
    if member.removed_at is not None:
        raise ServiceError(N_("该成员已不在小组中。"), "not_member")
    if is_recused(member):
        raise ServiceError(N_("已回避的成员不能担任组长。"), "chair_recused")
    _make_chair(member.project, member)
    audit.record("panel.chair", member, details={"user_id": member.user_id, "name": member.user.name}, actor=actor)
    db.session.commit()


def _remove(member: PanelMember) -> None:
    member.removed_at = clock.now()
    member.is_chair = False


def remove_member(member: PanelMember, actor: User) -> None:
    """Take a member off the panel (before the evaluation starts)."""
    _require_panel_editable(member.project)
    if member.removed_at is not None:
        raise ServiceError(N_("该成员已不在小组中。"), "not_member")
    _remove(member)
    audit.record(
        "panel.remove", member, details={"user_id": member.user_id, "recused": is_recused(member)}, actor=actor
    )
    db.session.commit()


def replace_member(member: PanelMember, user: User | None, actor: User) -> PanelMember:
    """Replace a member (typically one who recused) by another panel account; the chair seat passes on."""
    project = member.project
    _require_panel_editable(project)
    if member.removed_at is not None:
        raise ServiceError(N_("该成员已不在小组中。"), "not_member")
    if user is None or user.role != ROLE_PANEL or not user.active:
        raise ServiceError(N_("请选择一个有效的评审人员账户。"), "bad_user", field="user_id")
    if membership(project, user) is not None:
        raise ServiceError(N_("%(name)s 已是本项目询比价小组成员。"), "already_member", field="user_id", name=user.name)
    earlier = db.session.scalar(
        sa.select(PanelMember).where(PanelMember.project_id == project.id, PanelMember.user_id == user.id)
    )
    if earlier is not None and earlier.conflict_declared:
        raise ServiceError(
            N_("%(name)s 曾声明与本项目供应商存在利害关系，不能再次指定。"), "was_recused", field="user_id", name=user.name
        )
    was_chair = member.is_chair and not is_recused(member)
    _remove(member)
    audit.record(
        "panel.replace",
        member,
        details={"user_id": member.user_id, "recused": is_recused(member), "replacement_user_id": user.id},
        actor=actor,
    )
    db.session.flush()
    return appoint_member(project, user, actor, chair=was_chair)


# --- declarations -------------------------------------------------------------------------


def declare(member: PanelMember, conflict: bool, note: str | None, actor: User) -> None:
    """Record the member's declaration of interest (利害关系声明); a conflict recuses the member.

    Only after the opening (when the participants are known), once, and before anything else.
    """
    project = member.project
    if member.removed_at is not None:
        raise ServiceError(N_("您已不在本项目询比价小组中。"), "not_member")
    if project.status != STATUS_OPENED:
        raise ServiceError(N_("报价开启后才能作出声明。"), "not_opened")
    if member.conflict_declared is not None:
        raise ServiceError(N_("您已作出声明，不能更改。"), "already_declared")
    note = (note or "").strip()
    if conflict and not note:
        raise ServiceError(N_("请说明与哪家供应商存在何种利害关系。"), "note_required", field="note")
    member.conflict_declared = bool(conflict)
    member.declaration_note = note or None
    member.declared_at = clock.now()
    audit.record(
        "panel.declare", member, details={"conflict": bool(conflict), "note": note}, actor=actor
    )
    db.session.commit()


# --- starting the evaluation and the credit check ----------------------------------------


def _lock(project: Project) -> Project:
    """Take the project's row lock so a double click runs these steps one after the other."""
    return db.session.scalar(
        sa.select(Project).where(Project.id == project.id).with_for_update().execution_options(populate_existing=True)
    )


def start_evaluation(project: Project, actor: User) -> Evaluation:
    """Start the evaluation: an odd panel (≥ 3) of declared members with a chair, after the opening.

    Re-runs the credit check for every participant against the current lists.

    :raise PanelError: when the panel cannot decide (even, too small, no chair, …).
    :raise ServiceError: wrong state, or members who have not declared.
    """
    project = _lock(project)
    if project.status != STATUS_OPENED:
        raise ServiceError(N_("报价开启后才能启动评审。"), "not_opened")
    if evaluation_of(project) is not None:
        raise ServiceError(N_("评审已经启动。"), "already_started")
    members = panel_members(project)
    chair = chair_of(project)
    validate_panel(
        [member.id for member in members],
        chair.id if chair else None,
        [member.id for member in members if is_recused(member)],
    )
    undeclared = [member for member in members if member.conflict_declared is None]
    if undeclared:
        raise ServiceError(
            N_("以下成员尚未作出利害关系声明：%(names)s。"),
            "undeclared",
            names="、".join(member.user.name for member in undeclared),
        )
    now = clock.now()
    evaluation = Evaluation(project_id=project.id, started_at=now, tie_draws=[])
    db.session.add(evaluation)
    db.session.flush()
    audit.record(
        "evaluation.start",
        evaluation,
        details={
            "members": [member.user_id for member in members if not is_recused(member)],
            "recused": [member.user_id for member in members if is_recused(member)],
            "chair": chair.user_id if chair else None,
        },
        actor=actor,
    )
    db.session.commit()
    # The credit check is re-run against the current lists, each check committed as evidence.
    for registration in participants(project):
        registration_service.rerun_credit_check(registration, actor)
    return evaluation


company_value = registration_service.registered_value


def rerun_credit_checks(member: PanelMember, actor: User) -> int:
    """A reviewing member re-runs the credit check for every participant now; returns how many."""
    _require_reviewing(member)
    rerun = participants(member.project)
    for registration in rerun:
        registration_service.rerun_credit_check(registration, actor)
    return len(rerun)


# --- the review sheet ---------------------------------------------------------------------


@dataclass
class Evidence:
    """What the system established for one criterion, shown beside the member's vote."""

    status: str  # pass | fail | warning | none
    message: str
    params: dict
    source: str  # registration | review | computed | none
    run_at: datetime | None = None
    list_versions: list[BlacklistImport] = field(default_factory=list)


@dataclass
class SheetCell:
    """One (supplier, criterion) cell of a member's review matrix."""

    registration_id: int
    criterion: str
    label: str
    evidence: Evidence
    verdict: str | None
    reason: str


@dataclass
class SheetRow:
    """One supplier's row of the review matrix, with its documents and opened quote."""

    registration: Registration
    company_name: str
    opened: OpenedQuote
    documents: list
    cells: list[SheetCell]


latest_check = registration_service.latest_check


def _boq_lines(project: Project) -> list[compliance.BoqLine]:
    return [
        compliance.BoqLine(item.id, item.position, item.name, item.quantity, item.ceiling_unit_price)
        for item in project.items
    ]


def quote_compliance(project: Project, opened: OpenedQuote):
    """The automatic compliance result of one opened quote sheet."""
    lines = [compliance.PricedLine(line.boq_item_id, line.unit_price, line.line_total) for line in opened.lines]
    return compliance.check_quote_compliance(_boq_lines(project), lines, opened.total)


def evidence_for(project: Project, registration: Registration, opened: OpenedQuote) -> dict[str, Evidence]:
    """Criterion → the automatic evidence for one participant."""
    evidence: dict[str, Evidence] = {}
    registration_check = latest_check(registration, "registration")
    if registration_check is not None:
        for result in registration_check.results:
            evidence[result["criterion"]] = Evidence(
                result["status"], result["message"], result.get("params") or {}, "registration", registration_check.run_at
            )
    review_check = latest_check(registration, "review")
    if review_check is not None:
        for result in review_check.results:
            imports = [db.session.get(BlacklistImport, i) for i in (review_check.list_versions or {}).values()]
            evidence[result["criterion"]] = Evidence(
                result["status"],
                result["message"],
                result.get("params") or {},
                "review",
                review_check.run_at,
                [version for version in imports if version is not None],
            )
    result = quote_compliance(project, opened)
    evidence[QUOTE_COMPLIANCE] = Evidence(result.status, result.message, dict(result.params), "computed")
    return evidence


def document_label(kind: str) -> str:
    """The Chinese name of a registration document kind."""
    return translate(DOCUMENT_KINDS.get(kind, kind))


def review_sheet(project: Project, member: PanelMember | None) -> list[SheetRow]:
    """The review matrix: every participant × every criterion, with evidence and ``member``'s votes."""
    votes = {}
    if member is not None:
        votes = {
            (vote.registration_id, vote.criterion): vote
            for vote in db.session.scalars(sa.select(Vote).where(Vote.panel_member_id == member.id))
        }
    quotes = opened_quotes(project)
    criteria = criteria_of(project)
    rows = []
    for registration in participants(project):
        opened = quotes[registration.id]
        evidence = evidence_for(project, registration, opened)
        cells = []
        for criterion in criteria:
            vote = votes.get((registration.id, criterion))
            cells.append(
                SheetCell(
                    registration.id,
                    criterion,
                    criterion_label(criterion),
                    evidence.get(criterion) or Evidence("none", N_("无自动核验结果。"), {}, "none"),
                    vote.verdict if vote else None,
                    vote.reason if vote else "",
                )
            )
        rows.append(
            SheetRow(
                registration=registration,
                company_name=company_value(registration, "name"),
                opened=opened,
                documents=sorted(registration.documents, key=lambda d: list(DOCUMENT_KINDS).index(d.kind) if d.kind in DOCUMENT_KINDS else 99),
                cells=cells,
            )
        )
    return rows


# --- votes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellInput:
    """One cell as the member filled it in: verdict ``pass``/``fail`` or ``None``, and a reason."""

    registration_id: int
    criterion: str
    verdict: str | None
    reason: str = ""


class VoteSheetError(ServiceError):
    """Some cells of the review matrix are not acceptable; ``cells`` maps (registration, criterion) → error."""

    code = "vote_sheet_invalid"

    def __init__(self, cells: dict[tuple[int, str], DomainError]) -> None:
        super().__init__(N_("有%(count)s项评审意见需要补充或修改，请查看标红的项目。"), count=len(cells))
        self.cells = cells


def _require_reviewing(member: PanelMember) -> Evaluation:
    evaluation = evaluation_of(member.project)
    if not can_review(member) or evaluation is None:
        raise ServiceError(N_("声明无利害关系并由采购人启动评审后才能评审。"), "cannot_review")
    if evaluation.ranked_at is not None:
        raise ServiceError(N_("评审结果已汇总，评审意见不能再修改。"), "already_ranked")
    return evaluation


def save_votes(member: PanelMember, cells: Iterable[CellInput], *, submit: bool, actor: User) -> None:
    """Save the member's matrix (a draft), or submit it (every cell required; final).

    :raise VoteSheetError: cells without a verdict (on submit, or with a reason typed) or a
        fail without a reason; nothing is saved then.
    """
    _require_reviewing(member)
    if member.votes_submitted_at is not None:
        raise ServiceError(N_("您的评审意见已提交。如需修改，请联系组长退回。"), "already_submitted")
    project = member.project
    expected = [(registration.id, criterion) for registration in participants(project) for criterion in criteria_of(project)]
    given = {(cell.registration_id, cell.criterion): cell for cell in cells}
    errors: dict[tuple[int, str], DomainError] = {}
    for key in expected:
        cell = given.get(key)
        verdict = cell.verdict if cell else None
        reason = (cell.reason if cell else "").strip()
        if verdict is None:
            if submit or reason:
                errors[key] = VoteError(N_("请选择通过或不通过。"), code="verdict_missing")
            continue
        try:
            validate_vote(verdict, reason)
        except VoteError as error:
            errors[key] = error
    if errors:
        raise VoteSheetError(errors)
    existing = {
        (vote.registration_id, vote.criterion): vote
        for vote in db.session.scalars(sa.select(Vote).where(Vote.panel_member_id == member.id))
    }
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
                Vote(
                    panel_member_id=member.id,
                    registration_id=key[0],
                    criterion=key[1],
                    verdict=cell.verdict,
                    reason=reason,
                    updated_at=now,
                )
            )
        elif (vote.verdict, vote.reason) != (cell.verdict, reason):
            vote.verdict, vote.reason, vote.updated_at = cell.verdict, reason, now
        saved += 1
    if submit:
        member.votes_submitted_at = now
    db.session.flush()
    audit.record(
        "evaluation.votes_submit" if submit else "evaluation.votes_save",
        member,
        details={"cells": saved, "of": len(expected), "fails": sum(1 for c in given.values() if c.verdict == FAIL)},
        actor=actor,
    )
    db.session.commit()


def vote_counts(member: PanelMember) -> int:
    """How many cells the member has saved."""
    return db.session.scalar(sa.select(sa.func.count(Vote.id)).where(Vote.panel_member_id == member.id)) or 0


def _require_chair(member: PanelMember) -> None:
    if not member.is_chair or member.removed_at is not None or is_recused(member):
        raise ServiceError(N_("只有组长可以进行此操作。"), "not_chair")


def reopen_votes(target: PanelMember, chair: PanelMember, actor: User) -> None:
    """The chair sends a member's submitted votes back for change (audited)."""
    _require_chair(chair)
    _require_reviewing(chair)
    if target.project_id != chair.project_id or target.removed_at is not None:
        raise ServiceError(N_("该成员不在本项目询比价小组中。"), "not_member")
    if target.votes_submitted_at is None:
        raise ServiceError(N_("该成员的评审意见尚未提交，无需退回。"), "not_submitted")
    target.votes_submitted_at = None
    audit.record(
        "evaluation.votes_reopen", target, details={"user_id": target.user_id, "by": chair.user_id}, actor=actor
    )
    db.session.commit()


def all_submitted(project: Project) -> bool:
    """Whether every active member has submitted its votes."""
    members = active_members(project)
    return bool(members) and all(member.votes_submitted_at is not None for member in members)


def outcomes(project: Project) -> dict[tuple[int, str], CriterionOutcome]:
    """The majority outcome of every (participant, criterion), with dissent (all votes submitted)."""
    members = {member.id: member for member in active_members(project)}
    votes = db.session.scalars(sa.select(Vote).where(Vote.panel_member_id.in_(members.keys())))
    return aggregate(
        (DomainVote(v.panel_member_id, v.registration_id, v.criterion, v.verdict, v.reason) for v in votes),
        members.keys(),
    )


def passes(project: Project, decided: dict, registration: Registration) -> bool:
    """Whether the participant passed every criterion by majority."""
    return supplier_passes(decided, registration.id, criteria_of(project))


# --- abnormally low prices ----------------------------------------------------------------


def abnormal_low_settings(project: Project) -> AbnormalLowSettings:
    """The project's abnormal-low thresholds."""
    return AbnormalLowSettings(
        average_ratio=project.abnormal_average_ratio,
        second_lowest_ratio=project.abnormal_second_ratio,
        ceiling_ratio=project.abnormal_ceiling_ratio,
    )


def abnormal_low_flags(project: Project, decided: dict | None = None) -> dict[int, tuple[AbnormalLowReason, ...]]:
    """Registration id → why its total is abnormally low, over the compliant totals."""
    decided = decided if decided is not None else outcomes(project)
    quotes = opened_quotes(project)
    compliant = {
        registration.id: quotes[registration.id].total
        for registration in participants(project)
        if passes(project, decided, registration)
    }
    return flag_abnormally_low(compliant, compliance.ceiling_total(_boq_lines(project)), abnormal_low_settings(project))


def abnormal_low_review(project: Project, registration_id: int) -> AbnormalLowReview | None:
    """The abnormal-low review of one participant, if requested."""
    return db.session.scalar(
        sa.select(AbnormalLowReview).where(
            AbnormalLowReview.project_id == project.id, AbnormalLowReview.registration_id == registration_id
        )
    )


def _require_abnormal_stage(chair: PanelMember) -> None:
    _require_chair(chair)
    _require_reviewing(chair)
    if not all_submitted(chair.project):
        raise ServiceError(N_("全体成员提交评审意见后才能处理异常低价。"), "votes_pending")


def request_explanation(chair: PanelMember, registration: Registration, due_at: datetime | None, actor: User) -> AbnormalLowReview:
    """The chair asks a flagged supplier for a written explanation by ``due_at``."""
    project = chair.project
    _require_abnormal_stage(chair)
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
    db.session.commit()
    return review


def open_request_for(registration: Registration) -> AbnormalLowReview | None:
    """The abnormal-low request addressed to this registration, if any."""
    return abnormal_low_review(registration.project, registration.id)


def submit_explanation(review: AbnormalLowReview, text: str, upload, actor: User) -> None:
    """The supplier answers the request in writing (text, optional PDF/image) before the due time."""
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
    review.explanation_text = text
    review.explained_at = clock.now()
    audit.record(
        "abnormal_low.explain",
        review,
        details={"registration_id": review.registration_id, "file": review.explanation_file_id},
        actor=actor,
    )
    db.session.commit()


def decide_abnormal_low(review: AbnormalLowReview, chair: PanelMember, decision: str, reason: str, actor: User) -> None:
    """The panel (by its chair) accepts or rejects the explanation; a rejected quote is invalid."""
    _require_abnormal_stage(chair)
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
    db.session.commit()


# --- ranking ------------------------------------------------------------------------------


def rank(chair: PanelMember, actor: User) -> Evaluation:
    """Aggregate the votes, apply the abnormal-low decisions, rank, and store the results.

    Fewer valid quotes than the project's minimum mark the evaluation as failed, with the
    reason; the project itself fails (流标) and its termination notice is issued only once
    every member has signed the report (:func:`confirm_report`).
    """
    project = _lock(chair.project)
    evaluation = evaluation_of(project)
    _require_abnormal_stage(chair)
    decided = outcomes(project)
    flags = abnormal_low_flags(project, decided)
    registrations = participants(project)
    names = {registration.id: company_value(registration, "name") for registration in registrations}
    undecided = []
    reviews: dict[int, AbnormalLowReview] = {}
    for registration_id in flags:
        review = abnormal_low_review(project, registration_id)
        if review is None or review.decision is None:
            undecided.append(names[registration_id])
        else:
            reviews[registration_id] = review
    if undecided:
        raise ServiceError(
            N_("以下供应商的异常低价尚未处理完毕：%(names)s。"), "abnormal_pending", names="、".join(undecided)
        )
    quotes = opened_quotes(project)
    criteria = criteria_of(project)
    failure_reasons: dict[int, list] = {}
    for registration in registrations:
        reasons = []
        for criterion in criteria:
            outcome = decided[(registration.id, criterion)]
            if outcome.verdict == FAIL:
                fail_reasons = [
                    vote.reason for vote in _votes_on(project, registration.id, criterion) if vote.verdict == FAIL
                ]
                reasons.append({"criterion": criterion, "reasons": fail_reasons})
        review = reviews.get(registration.id)
        if review is not None and review.decision == DECISION_REJECT:
            reasons.append({"criterion": "abnormal_low", "reasons": [review.decision_reason]})
        failure_reasons[registration.id] = reasons
    ranking_input = [
        QuoteForRanking(
            supplier_id=registration.id,
            total=quotes[registration.id].total,
            valid=not failure_reasons[registration.id],
            final_submitted_at=quotes[registration.id].sealed_quote.submitted_at,
        )
        for registration in registrations
    ]
    settings = RankingSettings(
        candidates=project.candidates, min_valid_quotes=project.min_valid_quotes, tie_rule=project.tie_rule
    )
    result = rank_quotes(ranking_input, settings, seed=new_seed())
    ranked = {entry.supplier_id: entry for entry in result.ranked}
    for registration in registrations:
        entry = ranked.get(registration.id)
        db.session.add(
            EvaluationResult(
                project_id=project.id,
                registration_id=registration.id,
                passed=not failure_reasons[registration.id],
                failure_reasons=failure_reasons[registration.id],
                total=quotes[registration.id].total,
                rank=entry.rank if entry else None,
                tied=entry.tied if entry else False,
                candidate_place=entry.candidate_place if entry else None,
            )
        )
    now = clock.now()
    evaluation.tie_draws = [
        {"seed": draw.seed, "inputs": list(draw.inputs), "order": list(draw.order)} for draw in result.draws
    ]
    evaluation.ranked_at = now
    db.session.flush()
    audit.record(
        "evaluation.rank",
        evaluation,
        details={
            "candidates": list(result.candidates),
            "invalid": list(result.invalid),
            "failed": result.failed,
            "tie_draws": evaluation.tie_draws,
        },
        actor=actor,
    )
    if result.failed:
        # The project fails (流标) only when the report is complete: the members sign first
        # (a dissent on record), then the termination notice is issued (see confirm_report).
        evaluation.failed = True
        evaluation.failure_reason = translate(result.failure_reason, result.failure_params)
    db.session.commit()
    return evaluation


def _votes_on(project: Project, registration_id: int, criterion: str) -> list[Vote]:
    members = [member.id for member in active_members(project)]
    return list(
        db.session.scalars(
            sa.select(Vote)
            .where(Vote.panel_member_id.in_(members), Vote.registration_id == registration_id, Vote.criterion == criterion)
            .order_by(Vote.panel_member_id)
        )
    )


def results_of(project: Project) -> list[EvaluationResult]:
    """The stored results: ranked first (by the broken order), then the invalid ones."""
    rows = list(db.session.scalars(sa.select(EvaluationResult).where(EvaluationResult.project_id == project.id)))
    return sorted(
        rows,
        key=lambda row: (
            row.rank is None,
            row.rank or 0,
            row.candidate_place is None,
            row.candidate_place or 0,
            row.registration_id,
        ),
    )


# --- the report ---------------------------------------------------------------------------


def confirm_report(member: PanelMember, password: str, dissent: str | None, actor: User) -> None:
    """The member confirms (signs) the report by re-entering its password, with an optional dissent.

    When the last active member confirms, the report PDF is issued and the project becomes
    ``evaluated``, or, when the ranking found too few valid quotes, ``failed`` (流标) with its
    termination notice.
    """
    project = member.project
    evaluation = evaluation_of(project)
    if not can_review(member):
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
    if all(other.report_confirmed_at is not None for other in active_members(project)):
        db.session.flush()
        context = report_context(project)
        document = document_service.issue(
            REPORT_KIND,
            "documents/evaluation_report.html",
            title=f"{project.title}评审报告",
            subject=f"{project.code} 评审报告",
            project=project,
            actor=actor,
            report=context,
        )
        evaluation.report_document_id = document.id
        evaluation.completed_at = now
        audit.record(
            "evaluation.complete", evaluation, details={"report_sha256": document.sha256, "failed": evaluation.failed}, actor=actor
        )
        if project.status == STATUS_OPENED and evaluation.failed:
            _fail(project, evaluation.failure_reason, now, actor)
        elif project.status == STATUS_OPENED:
            project.status = STATUS_EVALUATED
            project.status_changed_at = now
            project.status_changed_by_id = actor.id
    db.session.commit()


def _fail(project: Project, reason: str, now: datetime, actor: User) -> None:
    """The project fails (流标) with ``reason`` and its termination notice is issued (no commit)."""
    project.status = STATUS_FAILED
    project.status_reason = reason
    project.status_changed_at = now
    project.status_changed_by_id = actor.id
    audit.record("project.fail", project, details={"reason": reason}, actor=actor)
    db.session.flush()
    termination.issue_notice(project, reason, now, actor=actor)


def report_document(project: Project) -> GeneratedDocument | None:
    """The issued evaluation report PDF, once every member confirmed."""
    return document_service.current(REPORT_KIND, project)


def termination_document(project: Project) -> GeneratedDocument | None:
    """The termination notice of a failed (or cancelled) project, once issued."""
    return termination.current_notice(project)


@dataclass
class ReportVote:
    """One member's vote as printed."""

    member_name: str
    verdict: str
    reason: str


@dataclass
class ReportCell:
    """One (supplier, criterion) outcome as printed: majority, counts, every vote, dissent."""

    criterion: str
    label: str
    verdict: str
    votes_for_pass: int
    votes_for_fail: int
    votes: list[ReportVote]
    dissent: list[ReportVote]


def report_context(project: Project) -> dict:
    """Everything the evaluation report prints (page and PDF)."""
    evaluation = evaluation_of(project)
    members = panel_members(project)
    names = {member.id: member.user.name for member in members}
    active = active_members(project)
    decided = outcomes(project) if evaluation is not None and all_submitted(project) else {}
    quotes = opened_quotes(project)
    votes_by_key: dict[tuple[int, str], list[Vote]] = {}
    for vote in db.session.scalars(
        sa.select(Vote).where(Vote.panel_member_id.in_([m.id for m in active])).order_by(Vote.panel_member_id)
    ):
        votes_by_key.setdefault((vote.registration_id, vote.criterion), []).append(vote)
    suppliers = []
    for registration in participants(project):
        cells = []
        for criterion in criteria_of(project):
            outcome = decided.get((registration.id, criterion))
            votes = [
                ReportVote(names.get(v.panel_member_id, ""), v.verdict, v.reason)
                for v in votes_by_key.get((registration.id, criterion), [])
            ]
            cells.append(
                ReportCell(
                    criterion,
                    criterion_label(criterion),
                    outcome.verdict if outcome else "",
                    outcome.votes_for_pass if outcome else 0,
                    outcome.votes_for_fail if outcome else 0,
                    votes,
                    [ReportVote(names.get(v.member_id, ""), v.verdict, v.reason) for v in (outcome.dissent if outcome else ())],
                )
            )
        credit = latest_check(registration, "review")
        credit_versions = []
        if credit is not None:
            for kind, import_id in (credit.list_versions or {}).items():
                version = db.session.get(BlacklistImport, import_id)
                if version is not None:
                    credit_versions.append(version)
        suppliers.append(
            {
                "registration": registration,
                "name": company_value(registration, "name"),
                "uscc": company_value(registration, "uscc"),
                "opened": quotes[registration.id],
                "cells": cells,
                "credit_check": credit,
                "credit_result": (credit.results[0] if credit is not None and credit.results else None),
                "credit_versions": credit_versions,
            }
        )
    reviews = list(
        db.session.scalars(sa.select(AbnormalLowReview).where(AbnormalLowReview.project_id == project.id).order_by(AbnormalLowReview.id))
    )
    supplier_names = {s["registration"].id: s["name"] for s in suppliers}
    return {
        "project": project,
        "evaluation": evaluation,
        "members": members,
        "active_members": active,
        "criteria": [(key, criterion_label(key)) for key in criteria_of(project)],
        "suppliers": suppliers,
        "supplier_names": supplier_names,
        "abnormal_reviews": reviews,
        "results": results_of(project),
        "list_kinds": LIST_KINDS,
        "criterion_labels": {key: criterion_label(key) for key in criteria_of(project)},
        "thresholds": {
            "average": percent(project.abnormal_average_ratio),
            "second": percent(project.abnormal_second_ratio),
            "ceiling": percent(project.abnormal_ceiling_ratio),
        },
        "settings": {
            "candidates": project.candidates,
            "min_valid_quotes": project.min_valid_quotes,
            "tie_rule": project.tie_rule,
        },
    }


def percent(ratio) -> str:
    """``Decimal("0.4500")`` → ``"45%"``."""
    return f"{(ratio * 100).normalize():f}%"


# --- progress (buyer staff) ---------------------------------------------------------------


@dataclass
class Progress:
    """Where the evaluation stands, for the buyer's project page."""

    members: list[PanelMember]
    chair: PanelMember | None
    evaluation: Evaluation | None
    participants: int
    submitted: int
    active: int
    confirmed: int
    report: GeneratedDocument | None
    termination: GeneratedDocument | None

    @property
    def stage(self) -> str:
        """appointing | reviewing | ranking | confirming | completed | failed."""
        if self.evaluation is None:
            return "appointing"
        if self.evaluation.completed_at is not None:
            return "failed" if self.evaluation.failed else "completed"
        if self.evaluation.ranked_at is not None:
            return "confirming"
        if self.active and self.submitted == self.active:
            return "ranking"
        return "reviewing"


def progress(project: Project) -> Progress:
    """The panel and the evaluation's progress."""
    members = panel_members(project)
    active = [member for member in members if member.conflict_declared is False]
    evaluation = evaluation_of(project)
    return Progress(
        members=members,
        chair=chair_of(project),
        evaluation=evaluation,
        participants=len(participants(project)) if project.status != STATUS_PUBLISHED else 0,
        submitted=sum(1 for member in active if member.votes_submitted_at is not None),
        active=len(active),
        confirmed=sum(1 for member in active if member.report_confirmed_at is not None),
        report=report_document(project),
        termination=termination_document(project),
    )
