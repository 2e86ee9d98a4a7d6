"""A project's schedule: registration window, notice period, opening time and the later deadlines.

Dates are Beijing-time calendar dates; instants are aware UTC datetimes (stored in UTC, shown in
北京时间). Tibet keeps Beijing time, but its office hours (09:30–13:00, 15:30–18:00) are its own,
so the daily registration hours are a project setting.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from procurement.domain import DomainError, N_
from procurement.domain.calendar import WorkingCalendar

__all__ = [
    "BEIJING",
    "DEFAULT_REGISTRATION_HOURS",
    "MIN_QUOTE_WORKING_DAYS",
    "DailyHours",
    "RegistrationStatus",
    "Schedule",
    "ScheduleDrift",
    "ScheduleError",
    "ScheduleSettings",
    "ScheduleWarning",
    "answer_deadline",
    "beijing",
    "challenge_deadline",
    "compute_schedule",
    "confirmation_deadline",
    "contract_deadline",
    "from_beijing",
    "publicity_ends",
    "registration_status",
    "schedule_drift",
]

BEIJING = ZoneInfo("Asia/Shanghai")

#: Fewer working days than this between publication and the opening earns a warning.
MIN_QUOTE_WORKING_DAYS = 3

_ONE_DAY = timedelta(days=1)


class ScheduleError(DomainError):
    """A schedule or its settings break a rule."""

    code = "schedule_error"


def _require_aware(dt: datetime, name: str) -> None:
    """Refuse naive datetimes: a naive time is ambiguous between UTC and Beijing."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {dt!r}")


def beijing(dt: datetime) -> datetime:
    """``dt`` (aware) expressed in Beijing time."""
    _require_aware(dt, "dt")
    return dt.astimezone(BEIJING)


def from_beijing(d: date, t: time) -> datetime:
    """The aware UTC instant of Beijing wall-clock time ``t`` on ``d``."""
    if t.tzinfo is not None:
        raise ValueError(f"t must be a naive wall-clock time, got {t!r}")
    return datetime.combine(d, t, tzinfo=BEIJING).astimezone(UTC)


def _label(dt: datetime) -> str:
    """Beijing-time text for messages, e.g. 2025-01-02 16:00."""
    return beijing(dt).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class DailyHours:
    """One daily registration window in Beijing wall-clock time: ``start`` inclusive, ``end`` exclusive."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("DailyHours takes naive Beijing wall-clock times")
        if not self.start < self.end:
            raise ScheduleError(
                N_("报名时段 %(start)s–%(end)s 无效：结束时间应晚于开始时间。"),
                code="invalid_registration_hours",
                start=self.start.strftime("%H:%M"),
                end=self.end.strftime("%H:%M"),
            )

    def contains(self, t: time) -> bool:
        """Whether wall-clock time ``t`` lies in this window."""
        return self.start <= t < self.end


#: The notice's hours: 上午09:30至13:00时、下午15:30至18:00时.
DEFAULT_REGISTRATION_HOURS: tuple[DailyHours, ...] = (
    DailyHours(time(9, 30), time(13, 0)),
    DailyHours(time(15, 30), time(18, 0)),
)


@dataclass(frozen=True)
class ScheduleSettings:
    """A project's schedule settings; the defaults are the notice's and design.md §5's."""

    registration_working_days: int = 5
    notice_working_days: int = 5
    registration_hours: tuple[DailyHours, ...] = DEFAULT_REGISTRATION_HOURS
    publicity_working_days: int = 1
    challenge_working_days: int = 7
    answer_working_days: int = 7
    contract_days: int = 30
    confirmation_working_days: int = 5

    def __post_init__(self) -> None:
        object.__setattr__(self, "registration_hours", tuple(self.registration_hours))
        for name in (
            "registration_working_days",
            "notice_working_days",
            "publicity_working_days",
            "challenge_working_days",
            "answer_working_days",
            "contract_days",
            "confirmation_working_days",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ScheduleError(
                    N_("期限设置 %(setting)s 应为正整数，当前为 %(value)s。"),
                    code="invalid_schedule_setting",
                    setting=name,
                    value=value,
                )
        hours = self.registration_hours
        if not hours:
            raise ScheduleError(N_("至少需要一个每日报名时段。"), code="invalid_registration_hours")
        for earlier, later in zip(hours, hours[1:]):
            if not earlier.end <= later.start:
                raise ScheduleError(
                    N_("每日报名时段应按时间先后排列且互不重叠。"), code="invalid_registration_hours"
                )


@dataclass(frozen=True)
class ScheduleWarning:
    """Advice about a schedule that is allowed but unwise; ``message`` is an untranslated template."""

    code: str
    message: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Schedule:
    """The dates a published notice states; ``registration_closes`` is the inclusive last day.

    ``working_days`` are the registration days as the calendar stood at publication (or at the
    last schedule amendment). Once frozen they, not today's calendar, decide on which days
    registration is open: a holiday added later cannot shorten a published window. ``None``
    (a schedule frozen before the days were kept) falls back to the calendar passed in.
    """

    published_on: date
    registration_opens: date
    registration_closes: date
    notice_ends: date
    opening_at: datetime
    registration_hours: tuple[DailyHours, ...] = DEFAULT_REGISTRATION_HOURS
    working_days: tuple[date, ...] | None = None

    def __post_init__(self) -> None:
        _require_aware(self.opening_at, "opening_at")
        object.__setattr__(self, "opening_at", self.opening_at.astimezone(UTC))
        object.__setattr__(self, "registration_hours", tuple(self.registration_hours))
        if not self.registration_hours:
            raise ValueError("registration_hours must not be empty")
        if not self.published_on <= self.registration_opens <= self.registration_closes:
            raise ValueError("expected published_on <= registration_opens <= registration_closes")
        if self.working_days is not None:
            days = tuple(sorted(set(self.working_days)))
            if not days:
                raise ValueError("working_days must not be empty when given")
            if days[0] < self.registration_opens or days[-1] > self.registration_closes:
                raise ValueError("working_days must lie within the registration window")
            object.__setattr__(self, "working_days", days)

    @property
    def opens_at(self) -> datetime:
        """Aware UTC start of the first window on the first registration day."""
        return from_beijing(self.registration_opens, self.registration_hours[0].start)

    @property
    def closes_at(self) -> datetime:
        """Aware UTC end of the last window on the last registration day."""
        return from_beijing(self.registration_closes, self.registration_hours[-1].end)

    @property
    def quote_deadline(self) -> datetime:
        """The last moment a quote may arrive or change: the opening time itself (design.md §2.3)."""
        return self.opening_at

    @property
    def opening_at_beijing(self) -> datetime:
        """The opening time in Beijing time, for display."""
        return beijing(self.opening_at)

    def registration_days(self, calendar: WorkingCalendar | None = None) -> list[date]:
        """The working days of the registration window, in order: the frozen ones when kept,
        else those of ``calendar`` (required then)."""
        if self.working_days is not None:
            return list(self.working_days)
        if calendar is None:
            raise ValueError("a schedule without frozen working days needs a calendar")
        return _working_days(calendar, self.registration_opens, self.registration_closes)

    def is_registration_day(self, d: date, calendar: WorkingCalendar | None = None) -> bool:
        """Whether registration runs on ``d`` under this (published) schedule."""
        if not self.registration_opens <= d <= self.registration_closes:
            return False
        if self.working_days is not None:
            return d in self.working_days
        if calendar is None:
            raise ValueError("a schedule without frozen working days needs a calendar")
        return calendar.is_working_day(d)

    def is_quoting_closed(self, now: datetime) -> bool:
        """Whether the quote deadline has passed at ``now`` (aware)."""
        _require_aware(now, "now")
        return now >= self.quote_deadline


def compute_schedule(
    calendar: WorkingCalendar,
    published_on: date,
    opening_at: datetime,
    settings: ScheduleSettings = ScheduleSettings(),
) -> tuple[Schedule, list[ScheduleWarning]]:
    """Derive a notice's schedule from its publication day, opening time and settings.

    Registration and the notice period each run for N working days counting the publication day as
    day 1 (notice.md: published 2024-12-25, five working days end 2024-12-31). The opening may not
    precede the end of the last daily window of the last registration day (:raise ScheduleError:).
    A ``short_quote_period`` warning is returned when fewer than ``MIN_QUOTE_WORKING_DAYS`` working
    days lie after the publication day up to and including the opening day: the publication day is
    excluded because suppliers learn of the notice during it, and the opening day is included
    because a morning remains to prepare before an afternoon opening.
    """
    _require_aware(opening_at, "opening_at")
    schedule = _derive(calendar, published_on, opening_at, settings)
    if schedule.opening_at < schedule.closes_at:
        raise ScheduleError(
            N_("开启时间 %(opening)s 早于报名截止时间 %(closes)s（北京时间），请推迟开启时间。"),
            code="opening_before_registration_closes",
            opening=_label(schedule.opening_at),
            closes=_label(schedule.closes_at),
        )
    warnings: list[ScheduleWarning] = []
    opening_day = beijing(schedule.opening_at).date()
    quote_days = calendar.working_days_between(published_on + _ONE_DAY, opening_day)
    if quote_days < MIN_QUOTE_WORKING_DAYS:
        warnings.append(
            ScheduleWarning(
                code="short_quote_period",
                message=N_("从发布到开启只有 %(days)s 个工作日，少于 %(minimum)s 个，供应商可能来不及报价。"),
                params={"days": quote_days, "minimum": MIN_QUOTE_WORKING_DAYS},
            )
        )
    if not calendar.is_working_day(opening_day):
        warnings.append(
            ScheduleWarning(
                code="opening_not_working_day",
                message=N_("开启日 %(day)s 不是工作日（周末或节假日），请确认是否需要顺延到下一个工作日。"),
                params={"day": opening_day.isoformat()},
            )
        )
    return schedule, warnings


def _working_days(calendar: WorkingCalendar, start: date, end: date) -> list[date]:
    """The working days ``d`` with ``start <= d <= end``, in order."""
    days = []
    d = start
    while d <= end:
        if calendar.is_working_day(d):
            days.append(d)
        d += _ONE_DAY
    return days


def _derive(calendar: WorkingCalendar, published_on: date, opening_at: datetime, settings: ScheduleSettings) -> Schedule:
    """The dates ``calendar`` gives a notice published on ``published_on``, without any check."""
    opens = calendar.next_working_day(published_on)
    closes = calendar.add_working_days(published_on, settings.registration_working_days)
    return Schedule(
        published_on=published_on,
        registration_opens=opens,
        registration_closes=closes,
        notice_ends=calendar.add_working_days(published_on, settings.notice_working_days),
        opening_at=opening_at,
        registration_hours=settings.registration_hours,
        working_days=tuple(_working_days(calendar, opens, closes)),
    )


RegistrationState = Literal["not_yet_open", "open", "outside_hours", "closed"]


@dataclass(frozen=True)
class RegistrationStatus:
    """Where registration stands at a moment.

    ``next_open_at`` is set for ``not_yet_open`` and ``outside_hours``; ``window_ends_at`` (the end of
    the current daily window) only for ``open``; all instants are aware UTC.
    """

    state: RegistrationState
    next_open_at: datetime | None
    closes_at: datetime
    window_ends_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Whether a registration may be submitted now."""
        return self.state == "open"


def registration_status(schedule: Schedule, calendar: WorkingCalendar | None, now: datetime) -> RegistrationStatus:
    """Registration's state at ``now`` (aware).

    Open only on the schedule's registration days (those frozen at publication; ``calendar`` is
    read only for a schedule that kept none) and inside a daily window, in Beijing time. A window's
    start is inclusive and its end exclusive: with 15:30–18:00, 17:59:59 is open and 18:00:00 is not.
    """
    _require_aware(now, "now")
    closes_at = schedule.closes_at
    if now >= closes_at:
        return RegistrationStatus("closed", None, closes_at)
    local = beijing(now)
    today, clock = local.date(), local.time().replace(tzinfo=None)
    if schedule.is_registration_day(today, calendar):
        for window in schedule.registration_hours:
            if window.contains(clock):
                return RegistrationStatus("open", None, closes_at, from_beijing(today, window.end))
    next_open_at = _next_window_start(schedule, calendar, now)
    if next_open_at is None:
        # Possible only for a schedule without frozen days whose calendar changed after
        # publication (say, a regional holiday added on the last day): no window remains.
        return RegistrationStatus("closed", None, closes_at)
    state: RegistrationState = "not_yet_open" if now < schedule.opens_at else "outside_hours"
    return RegistrationStatus(state, next_open_at, closes_at)


def _next_window_start(schedule: Schedule, calendar: WorkingCalendar | None, now: datetime) -> datetime | None:
    """The first window start after ``now`` on a working registration day, if any."""
    d = max(schedule.registration_opens, beijing(now).date())
    while d <= schedule.registration_closes:
        if schedule.is_registration_day(d, calendar):
            for window in schedule.registration_hours:
                start = from_beijing(d, window.start)
                if start > now:
                    return start
        d += _ONE_DAY
    return None


# The drift of a published schedule lives in its own module; re-exported here for callers that
# import it with the rest of the schedule (imported last: it builds on the definitions above).
from procurement.domain.schedule_drift import ScheduleDrift, schedule_drift  # noqa: E402,F401
# The deadlines after the evaluation likewise (imported last: they build on ScheduleSettings).
from procurement.domain.deadlines import (  # noqa: E402,F401
    answer_deadline,
    challenge_deadline,
    confirmation_deadline,
    contract_deadline,
    publicity_ends,
)
