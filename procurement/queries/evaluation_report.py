"""The evaluation report (评审报告): what its page and its PDF print, and the report page model.

Built in a fixed number of statements whatever the number of participants.
"""
from __future__ import annotations

from dataclasses import dataclass

from procurement.domain.credit import LIST_KINDS
from procurement.models import GeneratedDocument, PanelMember, Project, Vote
from procurement.queries import evaluation as reads
from procurement.queries import evaluation_votes as tally
from procurement.queries.jobs import KIND_EVALUATION_REPORT, JobView, latest, view_of
from procurement.queries.lookups import evaluation_of


@dataclass
class ReportVote:
    """One member's vote as printed."""

    member_name: str
    verdict: str
    reason: str


@dataclass
class ReportCell:
    """One (supplier, criterion) outcome as printed: majority, counts, every vote, dissent."""

    criterion: str
    label: str
    verdict: str
    votes_for_pass: int
    votes_for_fail: int
    votes: list[ReportVote]
    dissent: list[ReportVote]


def report_context(project: Project) -> dict:
    """Everything the evaluation report prints (page and PDF)."""
    evaluation = evaluation_of(project)
    members = reads.panel_members(project)
    names = {member.id: member.user.name for member in members}
    active = reads.active_members(project, members)
    votes = tally.panel_votes(project, members)
    decided = tally.outcomes(project, members, votes) if evaluation is not None and tally.all_submitted(project, members) else {}
    votes_by_key: dict[tuple[int, str], list[Vote]] = {}
    for vote in votes:
        votes_by_key.setdefault((vote.registration_id, vote.criterion), []).append(vote)
    criteria = reads.criteria_of(project)
    labels = {key: reads.criterion_label(key) for key in criteria}
    suppliers = []
    for participant in reads.load_participants(project):
        cells = []
        for criterion in criteria:
            outcome = decided.get((participant.id, criterion))
            cells.append(
                ReportCell(
                    criterion,
                    labels[criterion],
                    outcome.verdict if outcome else "",
                    outcome.votes_for_pass if outcome else 0,
                    outcome.votes_for_fail if outcome else 0,
                    [
                        ReportVote(names.get(v.panel_member_id, ""), v.verdict, v.reason)
                        for v in votes_by_key.get((participant.id, criterion), [])
                    ],
                    [ReportVote(names.get(v.member_id, ""), v.verdict, v.reason) for v in (outcome.dissent if outcome else ())],
                )
            )
        credit = participant.review_check
        suppliers.append(
            {
                "registration": participant.registration,
                "name": participant.name,
                "uscc": participant.uscc,
                "opened": participant.opened,
                "cells": cells,
                "credit_check": credit,
                "credit_result": (credit.results[0] if credit is not None and credit.results else None),
                "credit_versions": list(participant.credit_versions),
            }
        )
    return {
        "project": project,
        "evaluation": evaluation,
        "members": members,
        "active_members": active,
        "criteria": [(key, labels[key]) for key in criteria],
        "suppliers": suppliers,
        "supplier_names": {s["registration"].id: s["name"] for s in suppliers},
        "abnormal_reviews": tally.abnormal_low_reviews(project),
        "results": tally.results_of(project),
        "list_kinds": LIST_KINDS,
        "criterion_labels": labels,
        "thresholds": {
            "average": tally.percent(project.abnormal_average_ratio),
            "second": tally.percent(project.abnormal_second_ratio),
            "ceiling": tally.percent(project.abnormal_ceiling_ratio),
        },
        "settings": {
            "candidates": project.candidates,
            "min_valid_quotes": project.min_valid_quotes,
            "tie_rule": project.tie_rule,
        },
    }


@dataclass(frozen=True)
class ReportPage:
    """The report page: the report itself, the member's confirmation, the issued PDFs, and the job
    issuing them once every member signed (its progress until it is done)."""

    project: Project
    member: PanelMember
    report: dict
    document: GeneratedDocument | None
    termination: GeneratedDocument | None
    job: JobView | None = None


def report_page(project: Project, member: PanelMember) -> ReportPage:
    """The report page model."""
    return ReportPage(
        project=project,
        member=member,
        report=report_context(project),
        document=tally.report_document(project),
        termination=tally.termination_document(project),
        job=view_of(latest(project.id, KIND_EVALUATION_REPORT)),
    )
