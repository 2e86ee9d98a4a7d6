"""The award step as it stands (design.md §2.6): candidates, decisions, winners, documents.

Read-only: the buyer's award section (:func:`award_section`), the award commands' checks
(:func:`state`, :func:`candidates`) and the other areas (a project is terminated once every
candidate dropped out: ``state(project).exhausted``) read the step here. Every function sends a
fixed number of statements whatever the number of candidates, notices or challenges.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from procurement import clock
from procurement.domain.schedule import beijing
from procurement.extensions import db
from procurement.models import (
    STATUS_AWARDED,
    Award,
    Challenge,
    EvaluationResult,
    GeneratedDocument,
    OpenedQuote,
    PanelMember,
    Project,
    Registration,
)
from procurement.queries.award_state import (  # noqa: F401  (re-exported: the award step's rules live there)
    AWARD_STEP,
    AWARDED,
    DECLINED,
    DROP_OUT_STATUSES,
    INELIGIBLE,
    AwardState,
    CandidateRow,
    next_candidate,
    publication_dates,
    report_day,
    state_from,
)
from procurement.queries.jobs import KIND_AWARD_PUBLICATION, JobView, of_kind, project_jobs, unfinished
from procurement.queries.lookups import evaluation_of, load_calendar, settings_of, supplier_name

KIND_ANNOUNCEMENT = "result_announcement"
KIND_AWARD_NOTICE = "award_notice"
KIND_RESULT_NOTICE = "result_notice"
NOTICE_KINDS = (KIND_AWARD_NOTICE, KIND_RESULT_NOTICE)

#: Load a row's registration with its company (the name and address fall back to the profile).
_WITH_SUPPLIER = joinedload(Registration.company)


def aware(moment: datetime) -> datetime:
    """Read a naive datetime (a MAX() over a column may lose the type's decoration) as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- rows


def results(project: Project) -> list[EvaluationResult]:
    """Every participant's evaluation result: ranked first (by rank), then the rest."""
    rows = db.session.scalars(
        sa.select(EvaluationResult)
        .where(EvaluationResult.project_id == project.id)
        .options(selectinload(EvaluationResult.registration).options(_WITH_SUPPLIER))
    ).all()
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.registration_id))


def decisions(project: Project) -> dict[int, Award]:
    """The buyer's decisions, by registration id."""
    rows = db.session.scalars(sa.select(Award).where(Award.project_id == project.id)).all()
    return {row.registration_id: row for row in rows}


def winners(project: Project) -> list[Award]:
    """The awards standing now (status awarded), in candidate order, with their suppliers."""
    rows = db.session.scalars(
        sa.select(Award)
        .where(Award.project_id == project.id, Award.status == AWARDED)
        .options(selectinload(Award.registration).options(_WITH_SUPPLIER))
        .order_by(Award.candidate_place)
    ).all()
    return list(rows)


def published_winners(project: Project) -> list[Award]:
    """The standing awards whose result has been published."""
    return [award for award in winners(project) if award.publicity_ends is not None]


def quote_total(registration_id: int) -> Decimal | None:
    """The opened total of a registration's quote."""
    return db.session.scalar(sa.select(OpenedQuote.total).where(OpenedQuote.registration_id == registration_id))


def quote_totals(registration_ids) -> dict[int, Decimal]:
    """Registration id → opened total, for many registrations in one statement (none for none)."""
    ids = sorted(set(registration_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(OpenedQuote.registration_id, OpenedQuote.total).where(OpenedQuote.registration_id.in_(ids))
    )
    return {registration_id: total for registration_id, total in rows}


def current_document(kind: str, project: Project, registration: Registration | None = None) -> GeneratedDocument | None:
    """The current (not superseded) document of a kind for a project (and a registration)."""
    query = sa.select(GeneratedDocument).where(
        GeneratedDocument.kind == kind,
        GeneratedDocument.superseded_at.is_(None),
        GeneratedDocument.project_id == project.id,
    )
    if registration is not None:
        query = query.where(GeneratedDocument.registration_id == registration.id)
    return db.session.scalar(query.order_by(GeneratedDocument.id.desc()).limit(1))


def current_notices(project: Project) -> dict[tuple[int, str], GeneratedDocument]:
    """(registration id, kind) → the current award or result notice, in one statement."""
    rows = db.session.scalars(
        sa.select(GeneratedDocument)
        .where(
            GeneratedDocument.project_id == project.id,
            GeneratedDocument.kind.in_(NOTICE_KINDS),
            GeneratedDocument.superseded_at.is_(None),
        )
        .order_by(GeneratedDocument.id)
    )
    return {(row.registration_id, row.kind): row for row in rows}  # the newest wins


def own_notice(project: Project, registration: Registration) -> GeneratedDocument | None:
    """The participant's current notice (award or result), if the result is published."""
    for kind in NOTICE_KINDS:
        document = current_document(kind, project, registration)
        if document is not None:
            return document
    return None


def result_is_public(project: Project) -> bool:
    """Whether a result announcement has been published.

    Stays true while a withdrawn announcement (its winner dropped out) awaits republication:
    the public page then says the result is being updated, and there is no PDF to download.
    """
    if project.status != STATUS_AWARDED:
        return False
    issued = db.session.scalar(
        sa.select(GeneratedDocument.id)
        .where(GeneratedDocument.kind == KIND_ANNOUNCEMENT, GeneratedDocument.project_id == project.id)
        .limit(1)
    )
    return issued is not None


def report_date(project: Project) -> date | None:
    """The Beijing date the evaluation report was complete (every member confirmed it)."""
    evaluation = evaluation_of(project)
    completed = evaluation.completed_at if evaluation else None
    confirmed = None
    if completed is None:
        confirmed = db.session.scalar(
            sa.select(sa.func.max(PanelMember.report_confirmed_at)).where(PanelMember.project_id == project.id)
        )
    return report_day(completed, aware(confirmed) if confirmed else None, evaluation.ranked_at if evaluation else None)


# --------------------------------------------------------------------------- candidates and the step


def candidates(project: Project) -> list[CandidateRow]:
    """The candidates in candidate order, each with its decision."""
    decided = decisions(project)
    rows = db.session.scalars(
        sa.select(EvaluationResult)
        .where(EvaluationResult.project_id == project.id, EvaluationResult.candidate_place.is_not(None))
        .options(selectinload(EvaluationResult.registration).options(_WITH_SUPPLIER))
        .order_by(EvaluationResult.candidate_place)
    ).all()
    totals = quote_totals(row.registration_id for row in rows if row.total is None)
    return [CandidateRow(row, decided.get(row.registration_id), totals.get(row.registration_id)) for row in rows]


def state(project: Project, now: datetime | None = None, *, with_notices: bool = True) -> AwardState:
    """The award step as it stands at ``now`` (``with_notices=False`` skips listing the notices)."""
    notices = []
    if with_notices:
        issued = current_notices(project)
        for result in results(project):
            for kind in NOTICE_KINDS:
                document = issued.get((result.registration_id, kind))
                if document is not None:
                    notices.append((result.registration, document))
    return state_from(
        project,
        candidates(project),
        report_on=report_date(project),
        announcement=current_document(KIND_ANNOUNCEMENT, project),
        publishing=project.status in AWARD_STEP and unfinished(project.id, KIND_AWARD_PUBLICATION) is not None,
        calendar=load_calendar(),
        settings=settings_of(project),
        now=now or clock.now(),
        notices=notices,
    )


# --------------------------------------------------------------------------- the buyer's section


@dataclass(frozen=True)
class ChallengeRow:
    """A challenge as the buyer's list shows it."""

    challenge: Challenge
    supplier: str
    overdue: bool  # no answer after its due date


@dataclass(frozen=True)
class AwardSection:
    """The buyer's award section of the project page: the step, its documents and challenges."""

    state: AwardState
    challenges: tuple[ChallengeRow, ...]
    publication: JobView | None = None  # the publication being issued, with its progress


def project_challenges(project: Project) -> list[Challenge]:
    """Every challenge of a project, oldest first, with the challenger's registration."""
    return list(
        db.session.scalars(
            sa.select(Challenge)
            .where(Challenge.project_id == project.id)
            .options(selectinload(Challenge.registration).options(_WITH_SUPPLIER))
            .order_by(Challenge.filed_at, Challenge.id)
        )
    )


def answer_overdue(challenge: Challenge, now: datetime | None = None) -> bool:
    """Whether the answer is still missing after its due date (Beijing dates)."""
    return challenge.answered_at is None and beijing(now or clock.now()).date() > challenge.answer_due_on


def award_section(project: Project, now: datetime | None = None, jobs: list[JobView] | None = None) -> AwardSection | None:
    """The buyer's award section, or ``None`` before the evaluation is complete (or once ended).

    ``jobs``: the project's unfinished jobs when the page already read them (:func:`project_jobs`).
    """
    if project.status not in AWARD_STEP:
        return None
    now = now or clock.now()
    rows = tuple(
        ChallengeRow(item, supplier_name(item.registration), answer_overdue(item, now))
        for item in project_challenges(project)
    )
    current = state(project, now)
    if current.publishing:
        publication = of_kind(jobs if jobs is not None else project_jobs(project, now), KIND_AWARD_PUBLICATION)
    else:
        publication = None
    return AwardSection(state=current, challenges=rows, publication=publication)

