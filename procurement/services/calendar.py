"""The working-day calendar as configured in the database, and its maintenance."""
from __future__ import annotations

import csv
import io
from datetime import date

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.calendar import YearSchedule, parse_regional_holidays_csv, parse_year_schedule_csv
from procurement.extensions import db
from procurement.models import CalendarYear, Holiday
from procurement.services import ServiceError
from procurement.services.unit_of_work import command
from procurement.queries.lookups import load_calendar  # noqa: F401  (re-exported)


@command
def add_regional_holiday(day: date, name: str, actor) -> Holiday:
    """Add a regional holiday (e.g. 藏历新年); refuses a duplicate."""
    exists = db.session.scalar(sa.select(Holiday.id).where(Holiday.day == day, Holiday.kind == "regional_holiday"))
    if exists:
        raise ServiceError(N_("%(day)s 已是地方节假日。"), "duplicate_holiday", field="day", day=day.isoformat())
    holiday = Holiday(day=day, kind="regional_holiday", name=name.strip(), created_at=clock.now(), created_by_id=actor.id)
    db.session.add(holiday)
    db.session.flush()
    audit.record("calendar.regional_add", holiday, details={"day": day.isoformat(), "name": name}, actor=actor)
    return holiday


@command
def remove_holiday(holiday: Holiday, actor) -> None:
    """Remove a regional holiday or one entered national day."""
    audit.record("calendar.remove", holiday, details={"day": holiday.day.isoformat(), "kind": holiday.kind}, actor=actor)
    db.session.delete(holiday)


@command
def import_regional_holidays(text: str, actor) -> int:
    """Import regional holidays from CSV (all or nothing); existing days are kept, not duplicated."""
    rows = parse_regional_holidays_csv(text)
    existing = set(db.session.scalars(sa.select(Holiday.day).where(Holiday.kind == "regional_holiday")))
    added = 0
    for day, name in rows:
        if day in existing:
            continue
        db.session.add(Holiday(day=day, kind="regional_holiday", name=name, created_at=clock.now(), created_by_id=actor.id))
        existing.add(day)
        added += 1
    audit.record("calendar.regional_import", object_type="calendar", object_id="regional", details={"rows": len(rows), "added": added}, actor=actor)
    return added


@command
def enter_year(schedule: YearSchedule, names: dict[date, str], actor) -> None:
    """Enter (or replace) a whole year's national schedule; it takes precedence over the library."""
    year = schedule.year
    db.session.execute(
        sa.delete(Holiday).where(
            Holiday.kind.in_(("national_holiday", "national_workday")),
            Holiday.day >= date(year, 1, 1),
            Holiday.day <= date(year, 12, 31),
        )
    )
    entry = db.session.get(CalendarYear, year)
    if entry is None:
        db.session.add(CalendarYear(year=year, entered_at=clock.now(), entered_by_id=actor.id))
    else:
        entry.entered_at = clock.now()
        entry.entered_by_id = actor.id
    for day in sorted(schedule.holidays):
        db.session.add(Holiday(day=day, kind="national_holiday", name=names.get(day, ""), created_at=clock.now(), created_by_id=actor.id))
    for day in sorted(schedule.workdays):
        db.session.add(Holiday(day=day, kind="national_workday", name=names.get(day, ""), created_at=clock.now(), created_by_id=actor.id))
    audit.record(
        "calendar.year_enter",
        object_type="calendar",
        object_id=str(year),
        details={"holidays": len(schedule.holidays), "workdays": len(schedule.workdays)},
        actor=actor,
    )


def import_year(text: str, actor) -> YearSchedule:
    """Enter a year's national schedule from CSV (``date,kind,name``), all or nothing."""
    schedule = parse_year_schedule_csv(text)
    names = {}
    for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
        try:
            names[date.fromisoformat((row.get("date") or "").strip())] = (row.get("name") or "").strip()
        except ValueError:
            continue
    enter_year(schedule, names, actor)
    return schedule


@command
def remove_year(year: int, actor) -> None:
    """Forget an entered year: the library (if it knows the year) applies again."""
    db.session.execute(
        sa.delete(Holiday).where(
            Holiday.kind.in_(("national_holiday", "national_workday")),
            Holiday.day >= date(year, 1, 1),
            Holiday.day <= date(year, 12, 31),
        )
    )
    entry = db.session.get(CalendarYear, year)
    if entry is not None:
        db.session.delete(entry)
    audit.record("calendar.year_remove", object_type="calendar", object_id=str(year), actor=actor)
