"""Ranking (排序): the chair aggregates the votes, applies the abnormal-low decisions, ranks the
valid quotes by the lowest-price method and stores the results (design.md §4).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.evaluation import FAIL
from procurement.domain.ranking import QuoteForRanking, RankingSettings, new_seed, rank_quotes
from procurement.extensions import db
from procurement.formatting import translate
from procurement.models import Evaluation, EvaluationResult, OpenedQuote, PanelMember, User
from procurement.queries import evaluation as reads
from procurement.queries import evaluation_votes as tally
from procurement.queries.lookups import evaluation_of
from procurement.services import ServiceError, notify_staff
from procurement.services.evaluation.abnormal import DECISION_REJECT, require_abnormal_stage
from procurement.services.unit_of_work import command, lock_project


@command
def rank(chair: PanelMember, actor: User) -> Evaluation:
    """Aggregate the votes, apply the abnormal-low decisions, rank, and store the results.

    Fewer valid quotes than the project's minimum mark the evaluation as failed, with the
    reason; the project itself fails (流标) and its termination notice is issued only once
    every member has signed the report (see ``report.confirm_report``).
    """
    project = lock_project(chair.project_id)
    evaluation = evaluation_of(project)
    require_abnormal_stage(chair)
    members = reads.panel_members(project)
    votes = tally.panel_votes(project, members)
    decided = tally.outcomes(project, members, votes)
    quotes = {
        quote.registration_id: quote
        for quote in db.session.scalars(
            sa.select(OpenedQuote)
            .options(joinedload(OpenedQuote.sealed_quote), joinedload(OpenedQuote.registration))
            .where(OpenedQuote.project_id == project.id)
            .order_by(OpenedQuote.registration_id)
        )
    }
    flags = tally.abnormal_low_flags(project, decided, quotes)
    reviews = {review.registration_id: review for review in tally.abnormal_low_reviews(project)}
    undecided = [
        reads.company_value(quotes[rid].registration, "name")
        for rid in flags
        if reviews.get(rid) is None or reviews[rid].decision is None
    ]
    if undecided:
        raise ServiceError(
            N_("以下供应商的异常低价尚未处理完毕：%(names)s。"), "abnormal_pending", names=undecided
        )
    fail_reasons_by_key: dict[tuple[int, str], list[str]] = {}
    for vote in votes:
        if vote.verdict == FAIL:
            fail_reasons_by_key.setdefault((vote.registration_id, vote.criterion), []).append(vote.reason)
    criteria = reads.criteria_of(project)
    failure_reasons: dict[int, list] = {}
    for registration_id in quotes:
        reasons = [
            {"criterion": criterion, "reasons": fail_reasons_by_key.get((registration_id, criterion), [])}
            for criterion in criteria
            if decided[(registration_id, criterion)].verdict == FAIL
        ]
        review = reviews.get(registration_id) if registration_id in flags else None
        if review is not None and review.decision == DECISION_REJECT:
            reasons.append({"criterion": "abnormal_low", "reasons": [review.decision_reason]})
        failure_reasons[registration_id] = reasons
    ranking_input = [
        QuoteForRanking(
            supplier_id=registration_id,
            total=quote.total,
            valid=not failure_reasons[registration_id],
            final_submitted_at=quote.sealed_quote.submitted_at,
        )
        for registration_id, quote in quotes.items()
    ]
    settings = RankingSettings(
        candidates=project.candidates, min_valid_quotes=project.min_valid_quotes, tie_rule=project.tie_rule
    )
    result = rank_quotes(ranking_input, settings, seed=new_seed())
    ranked = {entry.supplier_id: entry for entry in result.ranked}
    for registration_id, quote in quotes.items():
        entry = ranked.get(registration_id)
        db.session.add(
            EvaluationResult(
                project_id=project.id,
                registration_id=registration_id,
                passed=not failure_reasons[registration_id],
                failure_reasons=failure_reasons[registration_id],
                total=quote.total,
                rank=entry.rank if entry else None,
                tied=entry.tied if entry else False,
                candidate_place=entry.candidate_place if entry else None,
            )
        )
    evaluation.tie_draws = [
        {"seed": draw.seed, "inputs": list(draw.inputs), "order": list(draw.order)} for draw in result.draws
    ]
    evaluation.ranked_at = clock.now()
    db.session.flush()
    audit.record(
        "evaluation.rank",
        evaluation,
        details={
            "candidates": list(result.candidates),
            "invalid": list(result.invalid),
            "failed": result.failed,
            "tie_draws": evaluation.tie_draws,
        },
        actor=actor,
    )
    if result.failed:
        # The project fails (流标) only when the report is complete: the members sign first
        # (a dissent on record), then the termination notice is issued (see confirm_report).
        evaluation.failed = True
        evaluation.failure_reason = translate(result.failure_reason, result.failure_params)
    notify_staff.report_ready(project, evaluation)
    return evaluation
