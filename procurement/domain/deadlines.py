"""The deadlines after the evaluation (design.md §5): result publicity, challenges and their
answers, the award confirmation and the contract, each counted from a date the workflow gives.

Re-exported by :mod:`procurement.domain.schedule`, where callers find them with the rest of the
schedule.
"""
from __future__ import annotations

from datetime import date, timedelta

from procurement.domain.calendar import WorkingCalendar
from procurement.domain.schedule import ScheduleSettings

_ONE_DAY = timedelta(days=1)


def publicity_ends(calendar: WorkingCalendar, start: date, settings: ScheduleSettings = ScheduleSettings()) -> date:
    """Last day of the result publicity (公示期): N working days counting the publication day ``start``
    as day 1, as the notice counts its own period."""
    return calendar.add_working_days(start, settings.publicity_working_days)


def challenge_deadline(
    calendar: WorkingCalendar, publicity_end: date, settings: ScheduleSettings = ScheduleSettings()
) -> date:
    """Last day to file a challenge (质疑): N working days *from the end* of publicity, so day 1 is the
    first working day after ``publicity_end``."""
    return calendar.add_working_days(publicity_end + _ONE_DAY, settings.challenge_working_days)


def answer_deadline(calendar: WorkingCalendar, filed_on: date, settings: ScheduleSettings = ScheduleSettings()) -> date:
    """Last day for the buyer's written answer: N working days after receipt, day 1 being the first
    working day after ``filed_on`` (the day a period starts is not counted, 民法典 Art. 201)."""
    return calendar.add_working_days(filed_on + _ONE_DAY, settings.answer_working_days)


def confirmation_deadline(
    calendar: WorkingCalendar, report_received_on: date, settings: ScheduleSettings = ScheduleSettings()
) -> date:
    """Last day for the buyer to confirm the award: N working days after receiving the evaluation
    report, day 1 being the first working day after ``report_received_on``."""
    return calendar.add_working_days(report_received_on + _ONE_DAY, settings.confirmation_working_days)


def contract_deadline(award_notice_date: date, settings: ScheduleSettings = ScheduleSettings()) -> date:
    """Last day to sign the contract: N calendar days after the award notice's date (the issue day is
    not counted). No roll-forward over holidays is applied, so the date never exceeds the legal limit."""
    return award_notice_date + timedelta(days=settings.contract_days)
