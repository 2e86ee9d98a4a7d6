"""Projects: draft, publish (freeze the schedule, create the sealing keys), amend, cancel."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.calendar import UnknownYearError, WorkingCalendar
from procurement.domain.schedule import (
    Schedule,
    ScheduleDrift,
    ScheduleWarning,
    beijing,
    compute_schedule,
    registration_status,
    schedule_drift,
)
from procurement.domain.sealing import generate_project_keys
from procurement.extensions import db
from procurement.keys import load_kek
from procurement.models import (
    STATUS_CANCELLED,
    STATUS_DRAFT,
    STATUS_PUBLISHED,
    Amendment,
    BoqItem,
    Project,
)
from procurement.services import ServiceError, announcements, termination
from procurement.services.calendar import load_calendar
from procurement.queries.lookups import hours_of, schedule_of, settings_of  # noqa: F401  (re-exported)

# Project fields a buyer edits in the form, in the order the notice prints them.
NOTICE_FIELDS = (
    "code",
    "title",
    "buyer_name",
    "method",
    "contract_term",
    "requirements_text",
    "specific_requirement",
    "criteria",
    "registration_place",
    "registration_documents_text",
    "opening_place",
    "opening_at",
    "contact_name",
    "contact_phone",
)
SETTING_FIELDS = (
    "registration_working_days",
    "registration_hours",
    "notice_working_days",
    "candidates",
    "min_valid_quotes",
    "tie_rule",
    "abnormal_average_ratio",
    "abnormal_second_ratio",
    "abnormal_ceiling_ratio",
    "publicity_working_days",
    "challenge_working_days",
    "answer_working_days",
    "confirmation_working_days",
    "contract_days",
    "framework_award",
)
SCHEDULE_FIELDS = ("opening_at", "registration_working_days", "registration_hours", "notice_working_days")


@dataclass(frozen=True)
class ItemData:
    """One bill-of-quantities line as entered."""

    name: str
    specification: str
    unit: str
    quantity: Decimal
    ceiling_unit_price: Decimal | None


def preview_schedule(project: Project, published_on: date | None = None, calendar: WorkingCalendar | None = None):
    """The schedule publishing now (or on ``published_on``) would freeze, and its warnings."""
    published_on = published_on or beijing(clock.now()).date()
    calendar = calendar or load_calendar()
    return compute_schedule(calendar, published_on, project.opening_at, settings_of(project))


def phase(project: Project, now: datetime | None = None) -> str:
    """The phase shown to users: stored event states, or one derived from schedule and clock.

    ``registration`` while the registration window has not closed, ``quoting`` until the
    deadline, ``awaiting_opening`` from the deadline until buyer staff open the quotes.
    An awarded project reads as ``closed`` once every winner's challenge period has ended
    and no challenge is waiting for an answer (design.md §2: awarded → closed by time).
    """
    now = now or clock.now()
    if project.status == "awarded" and _challenges_over(project, now):
        return "closed"
    if project.status != STATUS_PUBLISHED:
        return project.status
    schedule = schedule_of(project)
    if now >= project.opening_at:
        return "awaiting_opening"
    if now < schedule.closes_at:
        return "registration"
    return "quoting"


def _challenges_over(project: Project, now: datetime) -> bool:
    from procurement.models import Award, Challenge

    deadlines = db.session.scalars(
        sa.select(Award.challenge_deadline).where(Award.project_id == project.id, Award.status == "awarded")
    ).all()
    if not deadlines or any(d is None for d in deadlines):
        return False
    if beijing(now).date() <= max(deadlines):
        return False
    unanswered = db.session.scalar(
        sa.select(sa.func.count(Challenge.id)).where(Challenge.project_id == project.id, Challenge.answered_at.is_(None))
    )
    return unanswered == 0


def registration_state(project: Project, now: datetime | None = None, calendar: WorkingCalendar | None = None):
    """Registration status (open / outside hours / not yet / closed) at ``now``.

    The days come from the schedule frozen at publication, not from today's calendar; the
    calendar is read only for a project published before the days were kept.
    """
    schedule = schedule_of(project)
    if schedule is None or project.status != STATUS_PUBLISHED:
        return None
    if calendar is None and schedule.working_days is None:
        calendar = load_calendar()
    return registration_status(schedule, calendar, now or clock.now())


@dataclass(frozen=True)
class AffectedProject:
    """A published project whose dates today's calendar would move (see :func:`schedule_drifts`).

    ``drift`` is ``None`` when the calendar no longer covers a year the schedule reaches
    (``missing_year`` says which), so no new dates can be proposed.
    """

    project: Project
    drift: ScheduleDrift | None
    missing_year: int | None = None


def schedule_drift_of(project: Project, calendar: WorkingCalendar | None = None) -> AffectedProject | None:
    """How today's calendar would move ``project``'s published dates, or ``None`` when it would not
    (or when the project can no longer be amended: not published, or past its opening)."""
    schedule = schedule_of(project)
    if schedule is None or project.status != STATUS_PUBLISHED or clock.now() >= project.opening_at:
        return None
    try:
        drift = schedule_drift(schedule, calendar or load_calendar(), settings_of(project))
    except UnknownYearError as error:
        return AffectedProject(project, None, error.year)
    return AffectedProject(project, drift) if drift is not None else None


def schedule_drifts(calendar: WorkingCalendar | None = None) -> list[AffectedProject]:
    """Every published, not yet opened project whose dates today's calendar would move.

    The published schedule stays as it is (registration keeps following it) until the buyer
    publishes an amendment that recomputes the dates.
    """
    calendar = calendar or load_calendar()
    projects = db.session.scalars(
        sa.select(Project)
        .where(Project.status == STATUS_PUBLISHED, Project.opening_at > clock.now())
        .order_by(Project.opening_at, Project.id)
    )
    return [affected for project in projects if (affected := schedule_drift_of(project, calendar)) is not None]


def get_by_code(code: str) -> Project | None:
    """The project with this code."""
    return db.session.scalar(sa.select(Project).where(Project.code == code))


def _check_code_unique(code: str, project_id: int | None) -> None:
    existing = db.session.scalar(sa.select(Project.id).where(Project.code == code))
    if existing is not None and existing != project_id:
        # ``code`` is the error's own key, so the project code travels as ``project_code``.
        raise ServiceError(N_("项目编号 %(project_code)s 已被使用。"), "duplicate_code", field="code", project_code=code)


def _apply(project: Project, data: dict, items: list[ItemData] | None) -> None:
    for name in NOTICE_FIELDS + SETTING_FIELDS:
        if name in data:
            setattr(project, name, data[name])
    if items is not None:
        project.items.clear()
        db.session.flush()
        for position, item in enumerate(items, start=1):
            project.items.append(
                BoqItem(
                    position=position,
                    name=item.name,
                    specification=item.specification,
                    unit=item.unit,
                    quantity=item.quantity,
                    ceiling_unit_price=item.ceiling_unit_price,
                )
            )


def create_project(data: dict, items: list[ItemData], actor) -> Project:
    """Create a draft project (visible to buyer staff only)."""
    _check_code_unique(data["code"], None)
    now = clock.now()
    project = Project(status=STATUS_DRAFT, created_by_id=actor.id, created_at=now, updated_at=now)
    _apply(project, data, items)
    db.session.add(project)
    db.session.flush()
    audit.record("project.create", project, details={"code": project.code, "title": project.title}, actor=actor)
    db.session.commit()
    return project


def update_draft(project: Project, data: dict, items: list[ItemData], actor) -> None:
    """Edit a draft; a published project changes only by amendment."""
    if project.status != STATUS_DRAFT:
        raise ServiceError(N_("已发布的项目只能通过更正公告修改。"), "not_draft")
    _check_code_unique(data["code"], project.id)
    _apply(project, data, items)
    project.updated_at = clock.now()
    audit.record("project.update", project, details={"code": project.code}, actor=actor)
    db.session.commit()


def replace_items(project: Project, items: list[ItemData], actor) -> None:
    """Replace a draft's bill of quantities (an import)."""
    if project.status != STATUS_DRAFT:
        raise ServiceError(N_("已发布的项目不能修改采购清单。"), "not_draft")
    _apply(project, {}, items)
    project.updated_at = clock.now()
    audit.record("project.boq_import", project, details={"lines": len(items)}, actor=actor)
    db.session.commit()


def publish(project: Project, actor) -> list[ScheduleWarning]:
    """Publish: freeze the schedule from today's date, create the sealing keys, go public.

    :raise ServiceError: when the project is not a draft or has no bill of quantities.
    :raise ScheduleError: when the opening is before registration closes.
    :raise UnknownYearError: when the calendar lacks a year the schedule reaches.
    """
    if project.status != STATUS_DRAFT:
        raise ServiceError(N_("该项目已发布。"), "already_published")
    if not project.items:
        raise ServiceError(N_("请先填写采购清单，至少一项。"), "no_items")
    now = clock.now()
    schedule, warnings = preview_schedule(project, beijing(now).date())
    _freeze(project, schedule)
    keys = generate_project_keys(load_kek())
    project.public_key = keys.public_key
    project.wrapped_private_key = keys.wrapped_private_key
    project.status = STATUS_PUBLISHED
    project.published_at = now
    project.status_changed_at = now
    project.status_changed_by_id = actor.id
    audit.record(
        "project.publish",
        project,
        details={
            "published_on": schedule.published_on.isoformat(),
            "registration_closes": schedule.registration_closes.isoformat(),
            "opening_at": schedule.opening_at.isoformat(),
        },
        actor=actor,
    )
    db.session.flush()
    announcements.issue_announcement(project, actor=actor)
    db.session.commit()
    return warnings


def _freeze(project: Project, schedule: Schedule) -> None:
    project.published_on = schedule.published_on
    project.registration_opens = schedule.registration_opens
    project.registration_closes = schedule.registration_closes
    project.notice_ends = schedule.notice_ends
    project.registration_days = [day.isoformat() for day in schedule.registration_days()]


def amend(
    project: Project, data: dict, summary: str, reason: str, actor, *, recompute_schedule: bool = False
) -> Amendment:
    """Record a correction notice (更正公告); a schedule change recomputes the dates.

    Only the notice's text fields and the schedule may change; the bill of quantities
    and the rules are fixed once suppliers may have relied on them. ``recompute_schedule``
    recomputes the dates under today's calendar even when no schedule field changed (the
    calendar itself changed after publication, see :func:`schedule_drifts`).
    """
    if project.status != STATUS_PUBLISHED:
        raise ServiceError(N_("只有已发布、尚未开启的项目可以发布更正公告。"), "not_amendable")
    now = clock.now()
    if now >= project.opening_at:
        raise ServiceError(N_("已过报价截止时间，不能再更正公告。"), "past_deadline")
    changes = []
    for name, new in data.items():
        old = getattr(project, name)
        if old != new:
            changes.append({"field": name, "old": _plain(old), "new": _plain(new)})
            setattr(project, name, new)
    if recompute_schedule or any(change["field"] in SCHEDULE_FIELDS for change in changes):
        if project.opening_at <= now:
            raise ServiceError(N_("新的开启时间必须晚于当前时间。"), "opening_in_past", field="opening_at")
        schedule, _ = compute_schedule(load_calendar(), project.published_on, project.opening_at, settings_of(project))
        for name in ("registration_opens", "registration_closes", "notice_ends", "registration_days"):
            old = getattr(project, name)
            new = [d.isoformat() for d in schedule.registration_days()] if name == "registration_days" else getattr(schedule, name)
            if old != new:
                changes.append({"field": name, "old": _plain(old), "new": _plain(new)})
        _freeze(project, schedule)
    if not changes:
        raise ServiceError(N_("没有任何改动。"), "no_changes")
    amendment = Amendment(
        project=project, created_at=now, created_by_id=actor.id, summary=summary.strip(), reason=reason.strip(), changes=changes
    )
    db.session.add(amendment)
    project.updated_at = now
    db.session.flush()
    audit.record("project.amend", amendment, details={"fields": [c["field"] for c in changes], "reason": reason}, actor=actor)
    announcements.issue_announcement(project, actor=actor)
    db.session.commit()
    return amendment


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def cancel(project: Project, reason: str, actor) -> None:
    """Terminate (终止) a published project with a reason, and issue its termination notice.

    An awarded project may be terminated only when every candidate has since declined or been
    found ineligible (no winner stands and none can be confirmed).
    """
    if project.status in (STATUS_DRAFT, STATUS_CANCELLED) or project.status in ("closed", "failed"):
        raise ServiceError(N_("该项目当前状态不能终止。"), "not_cancellable")
    if project.status == "awarded":
        from procurement.services import award as award_service

        if not award_service.state(project).exhausted:
            raise ServiceError(N_("该项目当前状态不能终止。"), "not_cancellable")
    if not reason.strip():
        raise ServiceError(N_("请填写终止理由。"), "reason_required", field="reason")
    now = clock.now()
    project.status = STATUS_CANCELLED
    project.status_reason = reason.strip()
    project.status_changed_at = now
    project.status_changed_by_id = actor.id
    audit.record("project.cancel", project, details={"reason": reason.strip()}, actor=actor)
    db.session.flush()
    # The termination notice (终止公告) is a public announcement, issued with the decision.
    termination.issue_notice(project, project.status_reason, now, actor=actor)
    db.session.commit()


def public_projects() -> list[Project]:
    """Published notices for the public list, newest first (drafts never)."""
    return list(
        db.session.scalars(
            sa.select(Project).where(Project.status != STATUS_DRAFT).order_by(Project.published_at.desc(), Project.id.desc())
        )
    )
