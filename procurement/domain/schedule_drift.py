"""How a change of the working-day calendar would move a published schedule (issue 10, point 6).

A published schedule is frozen: the registration days it was published with stay its days. When
the calendar changes afterwards, :func:`schedule_drift` tells the buyer what an amendment that
recomputes the dates would change, so the buyer decides; nothing moves by itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from procurement.domain.calendar import WorkingCalendar
from procurement.domain.schedule import Schedule, ScheduleSettings, _derive


@dataclass(frozen=True)
class ScheduleDrift:
    """How today's calendar would move a published schedule if it were computed again.

    ``proposed`` is the schedule an amendment recomputing the dates would freeze (same publication
    day, opening time and settings); ``opening_too_early`` says that its registration would then
    end after the published opening, so the amendment must also move the opening.
    """

    published: Schedule
    proposed: Schedule

    @property
    def opening_too_early(self) -> bool:
        """Whether the recomputed registration would end after the published opening."""
        return self.proposed.closes_at > self.published.opening_at

    @property
    def days_dropped(self) -> list[date]:
        """Published registration days that would no longer be registration days (none known when
        the published days were not frozen)."""
        if self.published.working_days is None:
            return []
        return sorted(set(self.published.working_days) - set(self.proposed.working_days or ()))

    @property
    def days_added(self) -> list[date]:
        """Registration days the recomputed window would add (none known when not frozen)."""
        if self.published.working_days is None:
            return []
        return sorted(set(self.proposed.working_days or ()) - set(self.published.working_days))

    @property
    def changes(self) -> list[tuple[str, date, date]]:
        """``(field, published, proposed)`` for every notice date that would move."""
        return [
            (name, getattr(self.published, name), getattr(self.proposed, name))
            for name in ("registration_opens", "registration_closes", "notice_ends")
            if getattr(self.published, name) != getattr(self.proposed, name)
        ]


def schedule_drift(schedule: Schedule, calendar: WorkingCalendar, settings: ScheduleSettings) -> ScheduleDrift | None:
    """The drift between a published ``schedule`` and ``calendar``, or ``None`` when nothing would move.

    A schedule whose registration days were never frozen is compared on its dates only. May
    :raise UnknownYearError: when ``calendar`` no longer covers a year the schedule reaches.
    """
    proposed = _derive(calendar, schedule.published_on, schedule.opening_at, settings)
    drift = ScheduleDrift(schedule, proposed)
    days_moved = schedule.working_days is not None and schedule.working_days != proposed.working_days
    return drift if drift.changes or days_moved else None
