"""The working-day calendar: State Council holidays, make-up working weekends and regional holidays.

Working days follow the ``chinese_calendar`` library unless buyer staff have entered the
State Council schedule for a year themselves (an entered year replaces the library for that
whole year), minus the regional holidays the buyer adds (藏历新年, 雪顿节, ...). A date in a year
neither source knows is an :class:`UnknownYearError`, never a guess.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import NamedTuple

import chinese_calendar

from procurement.domain import DomainError, N_

__all__ = [
    "CalendarImportError",
    "RowError",
    "UnknownYearError",
    "WorkingCalendar",
    "YearSchedule",
    "parse_regional_holidays_csv",
    "parse_year_schedule_csv",
]

_ONE_DAY = timedelta(days=1)


class UnknownYearError(DomainError):
    """Neither an entered schedule nor the library covers the year of a date."""

    code = "unknown_year"

    def __init__(self, year: int) -> None:
        super().__init__(
            N_("工作日历缺少 %(year)s 年的国务院节假日安排，请先录入该年度安排。"), year=year
        )
        self.year = year


@dataclass(frozen=True)
class YearSchedule:
    """A year's national schedule as entered by buyer staff.

    ``holidays`` are the official days off; ``workdays`` are the make-up working weekend days (调休).
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]

    def __post_init__(self) -> None:
        # Coerce so a caller may pass sets or lists and the value stays hashable.
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        stray = sorted(d for d in self.holidays | self.workdays if d.year != self.year)
        if stray:
            raise ValueError(f"dates outside {self.year}: {stray}")
        both = sorted(self.holidays & self.workdays)
        if both:
            raise ValueError(f"dates both holiday and workday: {both}")

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` (in this year) is a national working day under this schedule."""
        if d in self.holidays:
            return False
        if d in self.workdays:
            return True
        return d.weekday() < 5


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days: entered year schedules, else the library, minus regional holidays.

    The calendar is an immutable value (copy it with :meth:`with_year` / :meth:`with_regional_holidays`)
    and hashable, so callers may cache results per calendar.
    """

    entered: Mapping[int, YearSchedule] = field(default_factory=dict)
    regional_holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        for year, schedule in self.entered.items():
            if schedule.year != year:
                raise ValueError(f"schedule for {schedule.year} filed under {year}")
        # A read-only copy, so mutating the caller's dict cannot change a calendar in use.
        object.__setattr__(self, "entered", MappingProxyType(dict(self.entered)))
        object.__setattr__(self, "regional_holidays", frozenset(self.regional_holidays))

    def __hash__(self) -> int:
        return hash((frozenset(self.entered.values()), self.regional_holidays))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkingCalendar):
            return NotImplemented
        return dict(self.entered) == dict(other.entered) and self.regional_holidays == other.regional_holidays

    def with_year(self, schedule: YearSchedule) -> WorkingCalendar:
        """A copy of this calendar with ``schedule`` entered (replacing any earlier entry for its year)."""
        return WorkingCalendar({**self.entered, schedule.year: schedule}, self.regional_holidays)

    def with_regional_holidays(self, days: Iterable[date]) -> WorkingCalendar:
        """A copy of this calendar with ``days`` added to the regional holidays."""
        return WorkingCalendar(self.entered, self.regional_holidays | frozenset(days))

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day; :raise UnknownYearError: when no source covers its year."""
        if d in self.regional_holidays:
            return False
        schedule = self.entered.get(d.year)
        if schedule is not None:
            return schedule.is_working_day(d)
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:
            # The library raises this for years it has no data for; guessing weekdays would
            # silently misplace deadlines around the next Spring Festival.
            raise UnknownYearError(d.year) from None

    def next_working_day(self, d: date) -> date:
        """The first working day on or after ``d``."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day counting ``start`` as day 1 when it is a working day.

        When ``start`` is not a working day, day 1 is the next working day ("within N working
        days from publication" in the notice counts the publication day). ``n`` must be >= 1.
        """
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        d = self.next_working_day(start)
        for _ in range(n - 1):
            d = self.next_working_day(d + _ONE_DAY)
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days ``d`` satisfy ``start <= d <= end`` (0 when ``end < start``)."""
        count = 0
        d = start
        while d <= end:
            count += self.is_working_day(d)
            d += _ONE_DAY
        return count


# --------------------------------------------------------------------------- CSV import


class RowError(NamedTuple):
    """One problem in an imported file: its line, an untranslated message template and its params."""

    line: int
    message: str
    params: dict[str, object]


class CalendarImportError(DomainError):
    """A calendar CSV had bad rows; ``errors`` lists every one and nothing was imported."""

    code = "calendar_import_invalid"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(N_("导入文件有 %(count)s 处错误，未导入任何数据。"), count=len(errors))
        self.errors = errors


_KINDS = {"holiday": "holiday", "休": "holiday", "workday": "workday", "班": "workday"}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Excel in a zh-CN locale re-saves ISO dates as 2025/1/1, so accept that spelling as well.
_SLASH_DATE = re.compile(r"([0-9]{4})/([0-9]{1,2})/([0-9]{1,2})")


def _parse_date(text: str) -> date | None:
    """Parse YYYY-MM-DD (or Excel's YYYY/M/D); None when it is not a real date."""
    try:
        if _ISO_DATE.fullmatch(text):
            return date.fromisoformat(text)
        match = _SLASH_DATE.fullmatch(text)
        if match:
            return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return None


def _rows(
    text: str, required: tuple[str, ...], optional: tuple[str, ...], errors: list[RowError]
) -> list[tuple[int, dict[str, str]]]:
    """Read the header and data rows of ``text``; header and shape problems go to ``errors``."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    expected = ",".join(required + optional)
    for cells in reader:
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue  # blank lines are harmless in hand-edited files
        if header is None:
            header = [cell.lower() for cell in cells]
            while header and not header[-1]:
                header.pop()
            allowed = set(required + optional)
            if any(name not in header for name in required) or any(name not in allowed for name in header):
                errors.append(RowError(reader.line_num, N_("表头应为 %(expected)s。"), {"expected": expected}))
                return []
            continue
        extra = cells[len(header):]
        if any(extra):
            errors.append(
                RowError(
                    reader.line_num,
                    N_("应有 %(expected)s 列，实际有 %(actual)s 列。"),
                    {"expected": len(header), "actual": len(cells)},
                )
            )
            continue
        values = dict(zip(header, cells + [""] * (len(header) - len(cells))))
        rows.append((reader.line_num, values))
    if header is None:
        errors.append(RowError(1, N_("文件为空，表头应为 %(expected)s。"), {"expected": expected}))
    return rows


def _date_cell(line: int, value: str, errors: list[RowError]) -> date | None:
    """The row's date, or None after recording why it is unusable."""
    if not value:
        errors.append(RowError(line, N_("缺少日期。"), {}))
        return None
    parsed = _parse_date(value)
    if parsed is None:
        errors.append(RowError(line, N_("日期“%(value)s”无效，应为 YYYY-MM-DD 格式。"), {"value": value}))
    return parsed


def parse_year_schedule_csv(text: str) -> YearSchedule:
    """Parse a national year schedule from CSV (``date,kind,name``), all or nothing.

    ``kind`` is ``holiday``/``休`` or ``workday``/``班``; every date lies in one year, appears once,
    and a make-up workday must fall on a weekend. :raise CalendarImportError: listing every bad row.
    """
    errors: list[RowError] = []
    rows = _rows(text, ("date", "kind"), ("name",), errors)
    # The year most rows agree on is the schedule's year, so one mistyped year is the row reported
    # rather than every other row (Counter keeps first-seen order on ties).
    years = Counter(d.year for d in (_parse_date(values["date"]) for _, values in rows) if d is not None)
    year: int | None = years.most_common(1)[0][0] if years else None
    seen: dict[date, tuple[int, str]] = {}
    holidays: set[date] = set()
    workdays: set[date] = set()
    for line, values in rows:
        d = _date_cell(line, values["date"], errors)
        kind = _KINDS.get(values["kind"].lower())
        if kind is None:
            errors.append(
                RowError(line, N_("类型“%(value)s”无效，应为 holiday（休）或 workday（班）。"), {"value": values["kind"]})
            )
        if d is None or kind is None:
            continue
        if d.year != year:
            errors.append(
                RowError(line, N_("日期 %(date)s 不在 %(year)s 年内；一份安排只能包含同一年度的日期。"),
                         {"date": d.isoformat(), "year": year})
            )
            continue
        if d in seen:
            first_line, first_kind = seen[d]
            message = (
                N_("日期 %(date)s 与第 %(first_line)s 行重复。")
                if kind == first_kind
                else N_("日期 %(date)s 不能既是节假日又是调休上班日（见第 %(first_line)s 行）。")
            )
            errors.append(RowError(line, message, {"date": d.isoformat(), "first_line": first_line}))
            continue
        seen[d] = (line, kind)
        if kind == "workday" and d.weekday() < 5:
            # Make-up days are always weekend days; a weekday here is almost surely a typo.
            errors.append(
                RowError(line, N_("调休上班日 %(date)s 是周一至周五，本来就是工作日，请检查日期。"), {"date": d.isoformat()})
            )
            continue
        (holidays if kind == "holiday" else workdays).add(d)
    if not errors and year is None:
        errors.append(RowError(1, N_("文件中没有任何日期。"), {}))
    if errors:
        raise CalendarImportError(sorted(errors, key=lambda error: error.line))
    assert year is not None
    return YearSchedule(year, frozenset(holidays), frozenset(workdays))


def parse_regional_holidays_csv(text: str) -> list[tuple[date, str]]:
    """Parse regional holidays from CSV (``date,name``), all or nothing, sorted by date.

    :raise CalendarImportError: listing every bad row (bad or repeated dates).
    """
    errors: list[RowError] = []
    rows = _rows(text, ("date",), ("name",), errors)
    seen: dict[date, int] = {}
    result: list[tuple[date, str]] = []
    for line, values in rows:
        d = _date_cell(line, values["date"], errors)
        if d is None:
            continue
        if d in seen:
            errors.append(
                RowError(line, N_("日期 %(date)s 与第 %(first_line)s 行重复。"),
                         {"date": d.isoformat(), "first_line": seen[d]})
            )
            continue
        seen[d] = line
        result.append((d, values.get("name", "")))
    if errors:
        raise CalendarImportError(sorted(errors, key=lambda error: error.line))
    return sorted(result)
