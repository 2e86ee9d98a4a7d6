"""A project's phase as users see it and its registration window, for one project or many at once.

The phase (报名中 / 报价中 / 已截止，待开启 / 评审中 / … / 已结束) comes from the stored status, the
frozen schedule and the clock; an awarded project reads as ``closed`` once every winner's
challenge period has ended and no challenge waits for an answer. :func:`phases` answers for a
whole list in at most two statements, whatever its length.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Iterable

import sqlalchemy as sa

from procurement.domain.calendar import WorkingCalendar
from procurement.domain.schedule import RegistrationStatus, beijing, registration_status
from procurement.extensions import db
from procurement.models import STATUS_AWARDED, STATUS_PUBLISHED, Award, Challenge, Project
from procurement.queries.lookups import load_calendar, schedule_of

#: The award status of a winner (see ``services.award.AWARDED``).
_AWARDED = "awarded"


def _challenges_over(projects: list[Project], now: datetime) -> set[int]:
    """Ids of the awarded ``projects`` whose challenge periods are all over with every challenge answered."""
    ids = [p.id for p in projects if p.status == STATUS_AWARDED]
    if not ids:
        return set()
    deadlines: dict[int, list[date | None]] = defaultdict(list)
    for project_id, deadline in db.session.execute(
        sa.select(Award.project_id, Award.challenge_deadline).where(Award.project_id.in_(ids), Award.status == _AWARDED)
    ):
        deadlines[project_id].append(deadline)
    today = beijing(now).date()
    candidates = [
        pid for pid, days in deadlines.items() if days and all(d is not None for d in days) and today > max(days)
    ]
    if not candidates:
        return set()
    waiting = set(
        db.session.scalars(
            sa.select(Challenge.project_id).where(Challenge.project_id.in_(candidates), Challenge.answered_at.is_(None)).distinct()
        )
    )
    return {pid for pid in candidates if pid not in waiting}


def _phase(project: Project, now: datetime, over: set[int]) -> str:
    if project.status == STATUS_AWARDED and project.id in over:
        return "closed"
    if project.status != STATUS_PUBLISHED:
        return project.status
    schedule = schedule_of(project)
    if now >= project.opening_at:
        return "awaiting_opening"
    if now < schedule.closes_at:
        return "registration"
    return "quoting"


def phases(projects: Iterable[Project], now: datetime) -> dict[int, str]:
    """Project id → its phase at ``now``, for many projects in at most two statements."""
    projects = list(projects)
    over = _challenges_over(projects, now)
    return {project.id: _phase(project, now, over) for project in projects}


def phase(project: Project, now: datetime) -> str:
    """One project's phase at ``now`` (see :func:`phases`)."""
    return phases([project], now)[project.id]


class CalendarOnce:
    """The working calendar, loaded at most once per page and only if a project needs it.

    A project published before its registration days were kept reads today's calendar; every
    other one follows the days frozen in its schedule.
    """

    def __init__(self, calendar: WorkingCalendar | None = None) -> None:
        self._calendar = calendar

    def get(self) -> WorkingCalendar:
        """The calendar, loading it on first use."""
        if self._calendar is None:
            self._calendar = load_calendar()
        return self._calendar


def registration_state(project: Project, now: datetime, calendar: CalendarOnce | None = None) -> RegistrationStatus | None:
    """The registration window at ``now`` (open / outside hours / not yet / closed); ``None`` unless published."""
    schedule = schedule_of(project)
    if schedule is None or project.status != STATUS_PUBLISHED:
        return None
    working = None
    if schedule.working_days is None:
        working = (calendar or CalendarOnce()).get()
    return registration_status(schedule, working, now)
