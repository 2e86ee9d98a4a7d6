"""Lookups every area reads: a project's settings and frozen schedule, its evaluation, the
calendar as configured, and a registration's recorded company values.

They live on the read side so that services of different areas can share them without
importing one another (and the read side can use them without importing a service).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, time

import sqlalchemy as sa

from procurement.domain.calendar import WorkingCalendar, YearSchedule
from procurement.domain.schedule import DailyHours, Schedule, ScheduleSettings
from procurement.extensions import db
from procurement.models import ROLE_SUPPLIER, CalendarYear, Evaluation, Holiday, Project, Registration, User


def hours_of(project: Project) -> tuple[DailyHours, ...]:
    """The project's daily registration hours as domain values."""
    return tuple(DailyHours(time.fromisoformat(start), time.fromisoformat(end)) for start, end in project.registration_hours)


def settings_of(project: Project) -> ScheduleSettings:
    """The project's schedule settings as a domain value."""
    return ScheduleSettings(
        registration_working_days=project.registration_working_days,
        notice_working_days=project.notice_working_days,
        registration_hours=hours_of(project),
        publicity_working_days=project.publicity_working_days,
        challenge_working_days=project.challenge_working_days,
        answer_working_days=project.answer_working_days,
        contract_days=project.contract_days,
        confirmation_working_days=project.confirmation_working_days,
    )


def schedule_of(project: Project) -> Schedule | None:
    """The frozen schedule of a published project (``None`` for a draft)."""
    if project.published_on is None:
        return None
    return Schedule(
        published_on=project.published_on,
        registration_opens=project.registration_opens,
        registration_closes=project.registration_closes,
        notice_ends=project.notice_ends,
        opening_at=project.opening_at,
        registration_hours=hours_of(project),
        working_days=(
            tuple(date.fromisoformat(day) for day in project.registration_days) if project.registration_days else None
        ),
    )


def load_calendar() -> WorkingCalendar:
    """Entered national years and regional holidays on top of the library's calendar."""
    entered_years = set(db.session.scalars(sa.select(CalendarYear.year)))
    holidays: dict[int, set[date]] = defaultdict(set)
    workdays: dict[int, set[date]] = defaultdict(set)
    regional: set[date] = set()
    for row in db.session.scalars(sa.select(Holiday)):
        if row.kind == "regional_holiday":
            regional.add(row.day)
        elif row.day.year in entered_years:
            (holidays if row.kind == "national_holiday" else workdays)[row.day.year].add(row.day)
    entered = {
        year: YearSchedule(year=year, holidays=frozenset(holidays[year]), workdays=frozenset(workdays[year]))
        for year in entered_years
    }
    return WorkingCalendar(entered=entered, regional_holidays=frozenset(regional))


def evaluation_of(project: Project) -> Evaluation | None:
    """The project's evaluation, once started."""
    return db.session.scalar(sa.select(Evaluation).where(Evaluation.project_id == project.id))


def registered_value(registration: Registration, key: str) -> str:
    """A company field as the registration recorded it (its snapshot), else the current profile."""
    value = (registration.company_snapshot or {}).get(key)
    return value or getattr(registration.company, key, None) or ""


def supplier_name(registration: Registration) -> str:
    """The supplier's name as registered (the snapshot), else the company's current name."""
    return registered_value(registration, "name")


def company_accounts(company_id: int) -> list[User]:
    """A supplier company's accounts (its clerks), oldest first: one statement."""
    return list(
        db.session.scalars(
            sa.select(User).where(User.company_id == company_id, User.role == ROLE_SUPPLIER).order_by(User.id)
        )
    )
