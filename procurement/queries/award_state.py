"""The award step decided from its loaded rows (design.md §2.6): the candidates in order, the
winners, and what the buyer may do next (confirm the next candidate, publish, or nothing).

Pure over rows already loaded: :func:`procurement.queries.award.state` loads them for one
project, the buyer's home (``procurement.queries.attention_buyer``) for every project at once,
and both decide here, so the award section and the to-do list can never disagree.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from procurement.domain.calendar import UnknownYearError, WorkingCalendar
from procurement.domain.schedule import (
    ScheduleSettings,
    beijing,
    challenge_deadline,
    confirmation_deadline,
    contract_deadline,
    publicity_ends,
)
from procurement.models import STATUS_AWARDED, STATUS_EVALUATED, Award, EvaluationResult, GeneratedDocument, Project, Registration
from procurement.queries.lookups import supplier_name

AWARDED = "awarded"
DECLINED = "declined"
INELIGIBLE = "ineligible"
DROP_OUT_STATUSES = (DECLINED, INELIGIBLE)

#: The statuses in which a project is at the award step (the result may be decided or published).
AWARD_STEP = (STATUS_EVALUATED, STATUS_AWARDED)


def publication_dates(calendar, today: date, settings) -> tuple[date, date, date]:
    """End of publicity, challenge deadline and contract deadline for a result published ``today``.

    :raise UnknownYearError: when a date falls in a year the working-day calendar does not know.
    """
    publicity_end = publicity_ends(calendar, today, settings)
    return publicity_end, challenge_deadline(calendar, publicity_end, settings), contract_deadline(today, settings)


def report_day(completed_at: datetime | None, last_confirmed_at: datetime | None, ranked_at: datetime | None) -> date | None:
    """The Beijing date the evaluation report was complete: when the evaluation completed, else the
    last member's signature, else the ranking (aware instants; projects from before the jobs)."""
    moment = completed_at or last_confirmed_at or ranked_at
    return beijing(moment).date() if moment else None


@dataclass(frozen=True)
class CandidateRow:
    """One candidate (成交候选人) with the buyer's decision on it, if any."""

    result: EvaluationResult
    decision: Award | None
    opened_total: Decimal | None = None  # the opened quote's total, read when the result has none

    @property
    def place(self) -> int:
        """The candidate place, 1 first."""
        return self.result.candidate_place

    @property
    def registration(self) -> Registration:
        """The candidate's registration."""
        return self.result.registration

    @property
    def name(self) -> str:
        """The candidate's name."""
        return supplier_name(self.result.registration)

    @property
    def total(self) -> Decimal | None:
        """The candidate's quoted total."""
        return self.result.total if self.result.total is not None else self.opened_total

    @property
    def status(self) -> str:
        """``pending``, ``awarded``, ``declined`` or ``ineligible``."""
        return self.decision.status if self.decision else "pending"


def next_candidate(project: Project, rows: list[CandidateRow]) -> CandidateRow | None:
    """The first undecided candidate, when the rules still need a decision."""
    if not project.framework_award and any(row.status == AWARDED for row in rows):
        return None
    for row in rows:
        if row.decision is None:
            return row
    return None


@dataclass(frozen=True)
class AwardState:
    """Everything the buyer's award section shows and the rules that decide what it offers."""

    project: Project
    report_on: date | None
    confirmation_due: date | None
    candidates: list[CandidateRow]
    next_candidate: CandidateRow | None
    winners: list[Award]
    required: str  # "one" or "all"
    can_publish: bool
    published: bool
    overdue: bool
    exhausted: bool
    announcement: GeneratedDocument | None
    notices: list[tuple[Registration, GeneratedDocument]]
    # The year the working-day calendar lacks when a deadline shown here (the confirmation
    # deadline, or the dates publishing today would set) reaches into it; None when all is known.
    missing_year: int | None = None
    # A publication decided whose job has not applied it yet (its documents are being issued).
    publishing: bool = False

    @property
    def open(self) -> bool:
        """Whether the project is at the award step at all."""
        return self.project.status in AWARD_STEP


def state_from(
    project: Project,
    rows: list[CandidateRow],
    *,
    report_on: date | None,
    announcement: GeneratedDocument | None,
    publishing: bool,
    calendar: WorkingCalendar,
    settings: ScheduleSettings,
    now: datetime,
    notices: Iterable[tuple[Registration, GeneratedDocument]] = (),
) -> AwardState:
    """The award step of ``project`` at ``now`` from its loaded candidates (with decisions), the date
    of its report, its current result announcement and whether a publication job is unfinished."""
    due = None
    missing_year = None
    if report_on is not None:
        try:
            due = confirmation_deadline(calendar, report_on, settings)
        except UnknownYearError as error:  # shown on the page, with a link to the calendar
            missing_year = error.year
    standing = [row.decision for row in rows if row.status == AWARDED]
    at_step = project.status in AWARD_STEP
    next_row = next_candidate(project, rows) if at_step else None
    # A decision after the announcement (a framework winner dropping out) makes it out of date.
    last_decision = max((row.decision.decided_at for row in rows if row.decision), default=None)
    stale = announcement is not None and last_decision is not None and last_decision > announcement.issued_at
    # A published winner dropping out withdraws the announcement (superseded): publish again.
    published = (
        bool(standing)
        and all(award.publicity_ends is not None for award in standing)
        and announcement is not None
        and not stale
    )
    publishing = at_step and publishing
    can_publish = (
        at_step and bool(standing) and not published and not publishing and (not project.framework_award or next_row is None)
    )
    today = beijing(now).date()
    if can_publish and missing_year is None:
        try:
            publication_dates(calendar, today, settings)
        except UnknownYearError as error:
            missing_year = error.year
    return AwardState(
        project=project,
        report_on=report_on,
        confirmation_due=due,
        candidates=rows,
        next_candidate=next_row,
        winners=standing,
        required="all" if project.framework_award else "one",
        can_publish=can_publish,
        published=published,
        overdue=due is not None and today > due and project.status == STATUS_EVALUATED and not published,
        exhausted=bool(rows) and all(row.status in DROP_OUT_STATUSES for row in rows),
        announcement=announcement,
        notices=list(notices),
        missing_year=missing_year,
        publishing=publishing,
    )
