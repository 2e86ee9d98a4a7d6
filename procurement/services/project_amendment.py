"""Correction notices (更正公告) of a published project; a schedule change recomputes the dates."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain import lifecycle
from procurement.domain.schedule import compute_schedule
from procurement.extensions import db
from procurement.models import Amendment, Project
from procurement.queries.lookups import load_calendar, settings_of
from procurement.services import ServiceError, announcements, notify_suppliers, open_data
from procurement.services.project_publication import freeze_schedule
from procurement.services.unit_of_work import command, lock_project

# The fields whose change recomputes the registration period and the notice period.
SCHEDULE_FIELDS = ("opening_at", "registration_working_days", "registration_hours", "notice_working_days")
_FROZEN_DATES = ("registration_opens", "registration_closes", "notice_ends", "registration_days")


@command
def amend(
    project: Project, data: dict, summary: str, reason: str, actor, *, recompute_schedule: bool = False
) -> Amendment:
    """Record a correction notice (更正公告); a schedule change recomputes the dates.

    Only the notice's text fields and the schedule may change; the bill of quantities
    and the rules are fixed once suppliers may have relied on them. ``recompute_schedule``
    recomputes the dates under today's calendar even when no schedule field changed (the
    calendar itself changed after publication, see ``queries.project_state.schedule_drifts``).
    """
    project = lock_project(project)
    if project.status != lifecycle.PUBLISHED:
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
        for name in _FROZEN_DATES:
            old = getattr(project, name)
            new = [d.isoformat() for d in schedule.registration_days()] if name == "registration_days" else getattr(schedule, name)
            if old != new:
                changes.append({"field": name, "old": _plain(old), "new": _plain(new)})
        freeze_schedule(project, schedule)
    if not changes:
        raise ServiceError(N_("没有任何改动。"), "no_changes")
    amendment = Amendment(
        project=project, created_at=now, created_by_id=actor.id, summary=summary.strip(), reason=reason.strip(), changes=changes
    )
    db.session.add(amendment)
    project.updated_at = now
    db.session.flush()
    audit.record("project.amend", amendment, details={"fields": [c["field"] for c in changes], "reason": reason}, actor=actor)
    open_data.record_release(project, open_data.TENDER_AMENDMENT, f"amendment:{amendment.id}")
    announcements.schedule_announcement(project, actor=actor)
    notify_suppliers.project_amended(project, amendment)
    return amendment


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value
