"""A project's state as users see it: its phase, its registration window, its schedule drift.

Reads only. ``phase`` of one project costs at most two statements (an awarded project's
challenge periods); :func:`phases` gives the phase of many projects in at most two statements
in all, for lists.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from procurement import clock
from procurement.domain import lifecycle
from procurement.domain.calendar import UnknownYearError, WorkingCalendar
from procurement.domain.schedule import ScheduleDrift, beijing, registration_status, schedule_drift
from procurement.extensions import db
from procurement.models import Award, Challenge, EvaluationResult, Project
from procurement.queries.lookups import load_calendar, schedule_of, settings_of

#: The decisions that take a candidate out of the award (the award service's DECLINED, INELIGIBLE).
DROP_OUT_STATUSES = ("declined", "ineligible")

#: The phase of an awarded project once every winner's challenge period is over (not stored).
CLOSED = "closed"


def _phase(project: Project, now: datetime, challenges_over: bool) -> str:
    if project.status == lifecycle.AWARDED and challenges_over:
        return CLOSED
    if project.status != lifecycle.PUBLISHED:
        return project.status
    schedule = schedule_of(project)
    if now >= project.opening_at:
        return "awaiting_opening"
    if now < schedule.closes_at:
        return "registration"
    return "quoting"


def phase(project: Project, now: datetime | None = None) -> str:
    """The phase shown to users: stored event states, or one derived from schedule and clock.

    ``registration`` while the registration window has not closed, ``quoting`` until the
    deadline, ``awaiting_opening`` from the deadline until buyer staff open the quotes.
    An awarded project reads as ``closed`` once every winner's challenge period has ended
    and no challenge is waiting for an answer (design.md §2: awarded → closed by time).
    """
    now = now or clock.now()
    over = project.status == lifecycle.AWARDED and project.id in _challenges_over([project.id], now)
    return _phase(project, now, over)


def phases(projects: Iterable[Project], now: datetime | None = None) -> dict[int, str]:
    """The phase of each project, by id, in at most two statements whatever their number."""
    now = now or clock.now()
    projects = list(projects)
    over = _challenges_over([p.id for p in projects if p.status == lifecycle.AWARDED], now)
    return {p.id: _phase(p, now, p.id in over) for p in projects}


def is_closed(project: Project, now: datetime | None = None) -> bool:
    """Whether an awarded project has closed by time (its challenge periods over, all answered)."""
    return phase(project, now) == CLOSED


def _challenges_over(project_ids: list[int], now: datetime) -> set[int]:
    """The awarded projects among ``project_ids`` whose challenge periods are all over and answered."""
    if not project_ids:
        return set()
    deadlines: dict[int, list[date | None]] = defaultdict(list)
    for project_id, deadline in db.session.execute(
        sa.select(Award.project_id, Award.challenge_deadline).where(
            Award.project_id.in_(project_ids), Award.status == "awarded"
        )
    ):
        deadlines[project_id].append(deadline)
    today = beijing(now).date()
    candidates = {
        pid for pid, days in deadlines.items() if days and all(d is not None for d in days) and today > max(days)
    }
    if not candidates:
        return set()
    unanswered = set(
        db.session.scalars(
            sa.select(Challenge.project_id)
            .where(Challenge.project_id.in_(candidates), Challenge.answered_at.is_(None))
            .distinct()
        )
    )
    return candidates - unanswered


def registration_state(project: Project, now: datetime | None = None, calendar: WorkingCalendar | None = None):
    """Registration status (open / outside hours / not yet / closed) at ``now``.

    The days come from the schedule frozen at publication, not from today's calendar; the
    calendar is read only for a project published before the days were kept.
    """
    schedule = schedule_of(project)
    if schedule is None or project.status != lifecycle.PUBLISHED:
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
    if schedule is None or project.status != lifecycle.PUBLISHED or clock.now() >= project.opening_at:
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
        .where(Project.status == lifecycle.PUBLISHED, Project.opening_at > clock.now())
        .order_by(Project.opening_at, Project.id)
    )
    return [affected for project in projects if (affected := schedule_drift_of(project, calendar)) is not None]


def get_by_code(code: str) -> Project | None:
    """The project with this code."""
    return db.session.scalar(sa.select(Project).where(Project.code == code))


def public_projects() -> list[Project]:
    """Published notices for the public list, newest first (drafts never)."""
    return list(
        db.session.scalars(
            sa.select(Project)
            .where(Project.status != lifecycle.DRAFT)
            .order_by(Project.published_at.desc(), Project.id.desc())
        )
    )


def candidates_exhausted(project: Project) -> bool:
    """Whether the project has candidates and every one has declined or been found ineligible."""
    from_results = (
        sa.select(sa.func.count(EvaluationResult.id), sa.func.count(Award.id))
        .select_from(EvaluationResult)
        .outerjoin(
            Award,
            sa.and_(
                Award.project_id == EvaluationResult.project_id,
                Award.registration_id == EvaluationResult.registration_id,
                Award.status.in_(DROP_OUT_STATUSES),
            ),
        )
        .where(EvaluationResult.project_id == project.id, EvaluationResult.candidate_place.is_not(None))
    )
    candidates, dropped_out = db.session.execute(from_results).one()
    return candidates > 0 and dropped_out == candidates
