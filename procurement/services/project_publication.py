"""Publishing a draft: preview the schedule, freeze it, create the sealing keys (as the opening mode
says: ``services.quorum_setup``), issue the notice."""
from __future__ import annotations

from datetime import date

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain import lifecycle
from procurement.domain.calendar import WorkingCalendar
from procurement.domain.schedule import Schedule, ScheduleWarning, beijing, compute_schedule
from procurement.extensions import db
from procurement.models import Project
from procurement.queries.lookups import load_calendar, settings_of
from procurement.services import ServiceError, announcements, open_data, quorum_setup
from procurement.services.unit_of_work import change_status, command, lock_project


def preview_schedule(project: Project, published_on: date | None = None, calendar: WorkingCalendar | None = None):
    """The schedule publishing now (or on ``published_on``) would freeze, and its warnings."""
    published_on = published_on or beijing(clock.now()).date()
    calendar = calendar or load_calendar()
    return compute_schedule(calendar, published_on, project.opening_at, settings_of(project))


def freeze_schedule(project: Project, schedule: Schedule) -> None:
    """Store ``schedule``'s dates (and its registration days) on the project."""
    project.published_on = schedule.published_on
    project.registration_opens = schedule.registration_opens
    project.registration_closes = schedule.registration_closes
    project.notice_ends = schedule.notice_ends
    project.registration_days = [day.isoformat() for day in schedule.registration_days()]


@command
def publish(project: Project, actor) -> list[ScheduleWarning]:
    """Publish: freeze the schedule from today's date, create the sealing keys, go public.

    :raise ServiceError: when the project is not a draft, has no bill of quantities, or its quorum
        can no longer act (an official's key gone, an account disabled).
    :raise ScheduleError: when the opening is before registration closes.
    :raise UnknownYearError: when the calendar lacks a year the schedule reaches.
    """
    project = lock_project(project)
    if project.status != lifecycle.DRAFT:
        raise ServiceError(N_("该项目已发布。"), "already_published")
    if not project.items:
        raise ServiceError(N_("请先填写采购清单，至少一项。"), "no_items")
    now = clock.now()
    schedule, warnings = preview_schedule(project, beijing(now).date())
    freeze_schedule(project, schedule)
    quorum_setup.create_sealing_keys(project, actor)
    change_status(project, lifecycle.PUBLISHED, actor, at=now)
    project.published_at = now
    audit.record(
        "project.publish",
        project,
        details={
            "published_on": schedule.published_on.isoformat(),
            "registration_closes": schedule.registration_closes.isoformat(),
            "opening_at": schedule.opening_at.isoformat(),
            "opening_mode": project.opening_mode,
        },
        actor=actor,
    )
    db.session.flush()
    open_data.record_release(project, open_data.TENDER, "publish")
    announcements.schedule_announcement(project, actor=actor)
    return warnings
