"""Reads of the evaluation's decisions: the members' votes, the majority outcomes, abnormally low
prices, the stored results and the issued documents. Read-only, like ``procurement.queries.evaluation``.
"""
from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from procurement.domain import compliance
from procurement.domain.evaluation import CriterionOutcome, aggregate, supplier_passes
from procurement.domain.evaluation import Vote as DomainVote
from procurement.domain.ranking import AbnormalLowReason, AbnormalLowSettings, flag_abnormally_low
from procurement.extensions import db
from procurement.models import (
    AbnormalLowReview,
    EvaluationResult,
    GeneratedDocument,
    OpenedQuote,
    PanelMember,
    Project,
    Registration,
    Vote,
)
from procurement.queries.evaluation import REPORT_KIND, TERMINATION_KIND, active_members, boq_lines, criteria_of, opened_quotes


# --- votes and outcomes -------------------------------------------------------------------


def votes_of(member: PanelMember, registration_ids: Collection[int] | None = None) -> dict[tuple[int, str], Vote]:
    """(registration id, criterion) → the member's saved vote."""
    query = sa.select(Vote).where(Vote.panel_member_id == member.id)
    if registration_ids is not None:
        query = query.where(Vote.registration_id.in_(list(registration_ids)))
    return {(vote.registration_id, vote.criterion): vote for vote in db.session.scalars(query)}


def vote_counts(member: PanelMember) -> int:
    """How many cells the member has saved."""
    return db.session.scalar(sa.select(sa.func.count(Vote.id)).where(Vote.panel_member_id == member.id)) or 0


def all_submitted(project: Project, members: list[PanelMember] | None = None) -> bool:
    """Whether every active member has submitted its votes."""
    active = active_members(project, members)
    return bool(active) and all(member.votes_submitted_at is not None for member in active)


def panel_votes(project: Project, members: list[PanelMember] | None = None) -> list[Vote]:
    """Every vote of the active members, by member."""
    ids = [member.id for member in active_members(project, members)]
    return list(db.session.scalars(sa.select(Vote).where(Vote.panel_member_id.in_(ids)).order_by(Vote.panel_member_id, Vote.id)))


def outcomes(
    project: Project, members: list[PanelMember] | None = None, votes: list[Vote] | None = None
) -> dict[tuple[int, str], CriterionOutcome]:
    """The majority outcome of every (participant, criterion), with dissent (all votes submitted)."""
    active = [member.id for member in active_members(project, members)]
    votes = panel_votes(project, members) if votes is None else votes
    return aggregate(
        (DomainVote(v.panel_member_id, v.registration_id, v.criterion, v.verdict, v.reason) for v in votes), active
    )


def passes(project: Project, decided: dict, registration: Registration | int) -> bool:
    """Whether the participant passed every criterion by majority."""
    registration_id = registration if isinstance(registration, int) else registration.id
    return supplier_passes(decided, registration_id, criteria_of(project))


# --- abnormally low prices ----------------------------------------------------------------


def abnormal_low_settings(project: Project) -> AbnormalLowSettings:
    """The project's abnormal-low thresholds."""
    return AbnormalLowSettings(
        average_ratio=project.abnormal_average_ratio,
        second_lowest_ratio=project.abnormal_second_ratio,
        ceiling_ratio=project.abnormal_ceiling_ratio,
    )


def abnormal_low_flags(
    project: Project, decided: dict | None = None, quotes: dict[int, OpenedQuote] | None = None
) -> dict[int, tuple[AbnormalLowReason, ...]]:
    """Registration id → why its total is abnormally low, over the compliant totals."""
    decided = decided if decided is not None else outcomes(project)
    quotes = opened_quotes(project) if quotes is None else quotes
    criteria = criteria_of(project)
    compliant = {rid: quote.total for rid, quote in quotes.items() if supplier_passes(decided, rid, criteria)}
    return flag_abnormally_low(compliant, compliance.ceiling_total(boq_lines(project)), abnormal_low_settings(project))


def abnormal_low_review(project: Project, registration_id: int) -> AbnormalLowReview | None:
    """The abnormal-low review of one participant, if requested."""
    return db.session.scalar(
        sa.select(AbnormalLowReview).where(
            AbnormalLowReview.project_id == project.id, AbnormalLowReview.registration_id == registration_id
        )
    )


def abnormal_low_reviews(project: Project) -> list[AbnormalLowReview]:
    """Every abnormal-low review of the project, in order of request."""
    return list(
        db.session.scalars(sa.select(AbnormalLowReview).where(AbnormalLowReview.project_id == project.id).order_by(AbnormalLowReview.id))
    )


def open_request_for(registration: Registration) -> AbnormalLowReview | None:
    """The abnormal-low request addressed to this registration, if any."""
    return abnormal_low_review(registration.project, registration.id)


def explanation_request(registration: Registration | None) -> AbnormalLowReview | None:
    """The panel's request to this supplier to explain a low price, once it has been sent."""
    if registration is None:
        return None
    review = open_request_for(registration)
    return review if review is not None and review.requested_at is not None else None


# --- results and documents ----------------------------------------------------------------


def results_of(project: Project) -> list[EvaluationResult]:
    """The stored results: ranked first (by the broken order), then the invalid ones."""
    rows = list(
        db.session.scalars(
            sa.select(EvaluationResult)
            .options(joinedload(EvaluationResult.registration).joinedload(Registration.company))
            .where(EvaluationResult.project_id == project.id)
        )
    )
    return sorted(
        rows,
        key=lambda row: (
            row.rank is None,
            row.rank or 0,
            row.candidate_place is None,
            row.candidate_place or 0,
            row.registration_id,
        ),
    )


def _current_document(kind: str, project: Project) -> GeneratedDocument | None:
    return db.session.scalar(
        sa.select(GeneratedDocument)
        .where(GeneratedDocument.kind == kind, GeneratedDocument.superseded_at.is_(None), GeneratedDocument.project_id == project.id)
        .order_by(GeneratedDocument.id.desc())
        .limit(1)
    )


def report_document(project: Project) -> GeneratedDocument | None:
    """The issued evaluation report PDF, once every member confirmed."""
    return _current_document(REPORT_KIND, project)


def termination_document(project: Project) -> GeneratedDocument | None:
    """The termination notice of a failed (or cancelled) project, once issued."""
    return _current_document(TERMINATION_KIND, project)


def percent(ratio) -> str:
    """``Decimal("0.4500")`` → ``"45%"``."""
    return f"{(ratio * 100).normalize():f}%"
