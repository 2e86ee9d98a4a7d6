"""The panel (询比价小组): appointment, chair, removal and replacement by buyer staff; each
member's declaration of interest; the start of the evaluation with its credit re-check.

design.md §2.5: an odd panel (≥ 3) with a chair; every member declares whether it has a
conflict of interest with a participating supplier (a conflict recuses it) before it sees any
supplier's documents; buyer staff then start the evaluation.
"""
from __future__ import annotations

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.evaluation import validate_panel
from procurement.extensions import db
from procurement.models import ROLE_PANEL, STATUS_OPENED, STATUS_PUBLISHED, Evaluation, PanelMember, Project, User
from procurement.queries.evaluation import chair_of, is_recused, membership, panel_members, participants
from procurement.queries.lookups import evaluation_of
from procurement.services import ServiceError, notify_staff
from procurement.services import registrations as registration_service
from procurement.services.evaluation.votes import require_reviewing
from procurement.services.unit_of_work import command, lock_project


def _require_panel_editable(project: Project) -> None:
    if project.status not in (STATUS_PUBLISHED, STATUS_OPENED):
        raise ServiceError(N_("当前项目状态不能调整询比价小组。"), "panel_locked")
    if evaluation_of(project) is not None:
        raise ServiceError(N_("评审已经开始，询比价小组不能再调整。"), "evaluation_started")


def _require_account(project: Project, user: User | None) -> None:
    if user is None or user.role != ROLE_PANEL or not user.active:
        raise ServiceError(N_("请选择一个有效的评审人员账户。"), "bad_user", field="user_id")
    if membership(project, user) is not None:
        raise ServiceError(N_("%(name)s 已是本项目询比价小组成员。"), "already_member", field="user_id", name=user.name)


def _refuse_recused_before(earlier: PanelMember | None, user: User) -> None:
    if earlier is not None and earlier.conflict_declared:
        raise ServiceError(
            N_("%(name)s 曾声明与本项目供应商存在利害关系，不能再次指定。"), "was_recused", field="user_id", name=user.name
        )


def _seat(project: Project, user: User) -> PanelMember | None:
    return db.session.scalar(
        sa.select(PanelMember).where(PanelMember.project_id == project.id, PanelMember.user_id == user.id)
    )


@command
def appoint_member(project: Project, user: User | None, actor: User, *, chair: bool = False) -> PanelMember:
    """Appoint a panel account to the project's panel (optionally as chair)."""
    project = lock_project(project)
    _require_panel_editable(project)
    _require_account(project, user)
    now = clock.now()
    member = _seat(project, user)
    if member is not None:  # removed earlier: the seat is reused, its declaration cleared
        _refuse_recused_before(member, user)
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
    notify_staff.panel_appointed(member, user)
    return member


def _make_chair(project: Project, member: PanelMember) -> None:
    for other in panel_members(project):
        other.is_chair = other.id == member.id
    member.is_chair = True


@command
def set_chair(member: PanelMember, actor: User) -> None:
    """Make ``member`` the chair (the previous chair becomes an ordinary member)."""
    project = lock_project(member.project_id)
    _require_panel_editable(project)
    if member.removed_at is not None:
        raise ServiceError(N_("该成员已不在小组中。"), "not_member")
    if is_recused(member):
        raise ServiceError(N_("已回避的成员不能担任组长。"), "chair_recused")
    _make_chair(project, member)
    audit.record("panel.chair", member, details={"user_id": member.user_id, "name": member.user.name}, actor=actor)


def _remove(member: PanelMember) -> None:
    member.removed_at = clock.now()
    member.is_chair = False


@command
def remove_member(member: PanelMember, actor: User) -> None:
    """Take a member off the panel (before the evaluation starts)."""
    project = lock_project(member.project_id)
    _require_panel_editable(project)
    if member.removed_at is not None:
        raise ServiceError(N_("该成员已不在小组中。"), "not_member")
    _remove(member)
    audit.record(
        "panel.remove", member, details={"user_id": member.user_id, "recused": is_recused(member)}, actor=actor
    )


@command
def replace_member(member: PanelMember, user: User | None, actor: User) -> PanelMember:
    """Replace a member (typically one who recused) by another panel account; the chair seat passes on."""
    project = lock_project(member.project_id)
    _require_panel_editable(project)
    if member.removed_at is not None:
        raise ServiceError(N_("该成员已不在小组中。"), "not_member")
    _require_account(project, user)
    _refuse_recused_before(_seat(project, user), user)
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


@command
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
    audit.record("panel.declare", member, details={"conflict": bool(conflict), "note": note}, actor=actor)


@command
def start_evaluation(project: Project, actor: User) -> Evaluation:
    """Start the evaluation: an odd panel (≥ 3) of declared members with a chair, after the opening.

    Re-runs the credit check for every participant against the current lists.

    :raise PanelError: when the panel cannot decide (even, too small, no chair, …).
    :raise ServiceError: wrong state, or members who have not declared.
    """
    project = lock_project(project)
    if project.status != STATUS_OPENED:
        raise ServiceError(N_("报价开启后才能启动评审。"), "not_opened")
    if evaluation_of(project) is not None:
        raise ServiceError(N_("评审已经启动。"), "already_started")
    members = panel_members(project)
    chair = chair_of(project, members)
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
            names=[member.user.name for member in undeclared],
        )
    evaluation = Evaluation(project_id=project.id, started_at=clock.now(), tie_draws=[])
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
    # The credit check is re-run against the current lists, each check kept as evidence.
    for registration in participants(project):
        registration_service.rerun_credit_check(registration, actor)
    notify_staff.evaluation_started(project, evaluation)
    return evaluation


@command
def rerun_credit_checks(member: PanelMember, actor: User) -> int:
    """A reviewing member re-runs the credit check for every participant now; returns how many."""
    require_reviewing(member)
    rerun = participants(member.project)
    for registration in rerun:
        registration_service.rerun_credit_check(registration, actor)
    return len(rerun)
