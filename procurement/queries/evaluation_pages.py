"""Page models of the evaluation: the review overview, one supplier's review, the panel's project
page and the evaluation's progress for buyer staff.

Each is built once per request in a fixed number of statements (the participants in bulk,
see :func:`procurement.queries.evaluation.load_participants`) and passed to its template.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from procurement.domain.evaluation import CriterionOutcome
from procurement.models import (
    STATUS_PUBLISHED,
    AbnormalLowReview,
    Evaluation,
    EvaluationResult,
    GeneratedDocument,
    OpenedQuote,
    PanelMember,
    Project,
)
from procurement.queries import evaluation as reads
from procurement.queries import evaluation_votes as tally
from procurement.queries.evaluation import Evidence, Participant
from procurement.queries.lookups import evaluation_of

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETE = "complete"
SUBMITTED = "submitted"


# --- one supplier's review sheet ----------------------------------------------------------


@dataclass
class SheetCell:
    """One (supplier, criterion) cell of a member's review sheet."""

    registration_id: int
    criterion: str
    label: str
    evidence: Evidence
    verdict: str | None
    reason: str


@dataclass
class SheetRow:
    """One supplier's review sheet, with its documents and opened quote."""

    registration: object
    company_name: str
    opened: OpenedQuote
    documents: list
    cells: list[SheetCell]


def review_sheet(project: Project, member: PanelMember | None, registration_ids: Collection[int] | None = None) -> list[SheetRow]:
    """The review sheets of the participants (all, or ``registration_ids``) with evidence and ``member``'s votes."""
    people = reads.load_participants(project, registration_ids)
    votes = tally.votes_of(member, [p.id for p in people]) if member is not None and people else {}
    criteria = reads.criteria_of(project)
    boq = reads.boq_lines(project)
    rows = []
    for participant in people:
        evidence = reads.participant_evidence(project, participant, boq)
        cells = []
        for criterion in criteria:
            vote = votes.get((participant.id, criterion))
            cells.append(
                SheetCell(
                    participant.id,
                    criterion,
                    reads.criterion_label(criterion),
                    evidence.get(criterion) or reads.NO_EVIDENCE,
                    vote.verdict if vote else None,
                    vote.reason if vote else "",
                )
            )
        rows.append(SheetRow(participant.registration, participant.name, participant.opened, list(participant.documents), cells))
    return rows


def supplier_status(filled: int, of: int, submitted: bool) -> str:
    """not_started | in_progress | complete | submitted, for one supplier of one member's review."""
    if submitted and filled == of:
        return SUBMITTED
    if filled == 0:
        return NOT_STARTED
    return COMPLETE if filled == of else IN_PROGRESS


@dataclass(frozen=True)
class OverviewRow:
    """One supplier on the overview: the member's verdict per criterion and its progress."""

    registration_id: int
    position: int
    name: str
    total: object
    verdicts: tuple  # per criterion: "pass" | "fail" | None
    filled: int
    status: str


@dataclass(frozen=True)
class ReviewOverview:
    """The member's review at a glance: every supplier's progress; the way into each one."""

    project: Project
    member: PanelMember
    evaluation: Evaluation
    criteria: tuple  # (key, label)
    rows: tuple[OverviewRow, ...]
    locked: bool

    @property
    def filled(self) -> int:
        """Cells saved in all."""
        return sum(row.filled for row in self.rows)

    @property
    def total(self) -> int:
        """Cells to fill in all."""
        return len(self.rows) * len(self.criteria)

    @property
    def complete(self) -> int:
        """Suppliers whose every criterion has a verdict."""
        return sum(1 for row in self.rows if row.status in (COMPLETE, SUBMITTED))

    @property
    def next_to_review(self) -> OverviewRow | None:
        """The first supplier not complete yet."""
        return next((row for row in self.rows if row.status in (NOT_STARTED, IN_PROGRESS)), None)


def review_overview(project: Project, member: PanelMember) -> ReviewOverview:
    """The overview page model: four statements whatever the number of suppliers."""
    evaluation = evaluation_of(project)
    people = reads.load_participants(project, details=False)
    votes = tally.votes_of(member)
    keys = reads.criteria_of(project)
    submitted = member.votes_submitted_at is not None
    rows = []
    for position, participant in enumerate(people, start=1):
        verdicts = tuple(getattr(votes.get((participant.id, key)), "verdict", None) for key in keys)
        filled = sum(1 for verdict in verdicts if verdict is not None)
        rows.append(
            OverviewRow(
                participant.id, position, participant.name, participant.opened.total, verdicts, filled,
                supplier_status(filled, len(keys), submitted),
            )
        )
    return ReviewOverview(
        project=project,
        member=member,
        evaluation=evaluation,
        criteria=tuple((key, reads.criterion_label(key)) for key in keys),
        rows=tuple(rows),
        locked=submitted or evaluation.ranked_at is not None,
    )


@dataclass(frozen=True)
class SupplierReview:
    """One supplier's review page: its documents, the evidence, the member's cells; where it sits."""

    project: Project
    member: PanelMember
    evaluation: Evaluation
    row: SheetRow
    position: int
    count: int
    previous_id: int | None
    next_id: int | None
    locked: bool
    cell_errors: dict


def supplier_review(project: Project, member: PanelMember, registration_id: int, *, row: SheetRow | None = None, cell_errors=None) -> SupplierReview:
    """One supplier's review page model (``row`` given when re-rendering what the member typed)."""
    evaluation = evaluation_of(project)
    ids = reads.participant_ids(project)
    index = ids.index(registration_id)
    if row is None:
        (row,) = review_sheet(project, member, [registration_id])
    return SupplierReview(
        project=project,
        member=member,
        evaluation=evaluation,
        row=row,
        position=index + 1,
        count=len(ids),
        previous_id=ids[index - 1] if index > 0 else None,
        next_id=ids[index + 1] if index + 1 < len(ids) else None,
        locked=member.votes_submitted_at is not None or evaluation.ranked_at is not None,
        cell_errors=cell_errors or {},
    )


# --- progress and the panel's project page ------------------------------------------------


@dataclass
class Progress:
    """Where the evaluation stands, for the buyer's pages."""

    members: list[PanelMember]
    chair: PanelMember | None
    evaluation: Evaluation | None
    participants: int
    submitted: int
    active: int
    confirmed: int
    report: GeneratedDocument | None
    termination: GeneratedDocument | None

    @property
    def stage(self) -> str:
        """appointing | reviewing | ranking | confirming | completed | failed."""
        if self.evaluation is None:
            return "appointing"
        if self.evaluation.completed_at is not None:
            return "failed" if self.evaluation.failed else "completed"
        if self.evaluation.ranked_at is not None:
            return "confirming"
        if self.active and self.submitted == self.active:
            return "ranking"
        return "reviewing"


def progress(project: Project, members: list[PanelMember] | None = None, evaluation: Evaluation | None = None) -> Progress:
    """The panel and the evaluation's progress."""
    members = reads.panel_members(project) if members is None else members
    active = reads.active_members(project, members)
    evaluation = evaluation or evaluation_of(project)
    return Progress(
        members=members,
        chair=reads.chair_of(project, members),
        evaluation=evaluation,
        participants=len(reads.participant_ids(project)) if project.status != STATUS_PUBLISHED else 0,
        submitted=sum(1 for member in active if member.votes_submitted_at is not None),
        active=len(active),
        confirmed=sum(1 for member in active if member.report_confirmed_at is not None),
        report=tally.report_document(project),
        termination=tally.termination_document(project),
    )


@dataclass(frozen=True)
class PanelProject:
    """The member's page for one project: declaration, progress, outcomes, abnormal lows, ranking."""

    project: Project
    member: PanelMember
    evaluation: Evaluation | None
    participants: tuple[Participant, ...]
    names: dict
    progress: Progress
    active_members: list[PanelMember]
    criteria: tuple
    can_review: bool
    saved_count: int
    all_submitted: bool
    outcomes: dict[tuple[int, str], CriterionOutcome]
    flags: dict
    reviews: dict[int, AbnormalLowReview | None]
    passes: dict[int, bool]
    results: list[EvaluationResult]


def panel_project(project: Project, member: PanelMember) -> PanelProject:
    """The panel project page model, in a fixed number of statements."""
    evaluation = evaluation_of(project)
    members = reads.panel_members(project)
    people = tuple(reads.load_participants(project, details=False)) if project.status != STATUS_PUBLISHED else ()
    reviewing = reads.can_review(member, evaluation)
    decided: dict = {}
    flags: dict = {}
    reviews: dict = {}
    passed: dict = {}
    submitted = reviewing and tally.all_submitted(project, members)
    if submitted:
        decided = tally.outcomes(project, members)
        flags = tally.abnormal_low_flags(project, decided, {p.id: p.opened for p in people})
        by_registration = {review.registration_id: review for review in tally.abnormal_low_reviews(project)}
        reviews = {rid: by_registration.get(rid) for rid in flags}
        passed = {p.id: tally.passes(project, decided, p.id) for p in people}
    return PanelProject(
        project=project,
        member=member,
        evaluation=evaluation,
        participants=people,
        names={p.id: p.name for p in people},
        progress=progress(project, members, evaluation),
        active_members=reads.active_members(project, members),
        criteria=tuple((key, reads.criterion_label(key)) for key in reads.criteria_of(project)),
        can_review=reviewing,
        saved_count=tally.vote_counts(member) if reviewing else 0,
        all_submitted=submitted,
        outcomes=decided,
        flags=flags,
        reviews=reviews,
        passes=passed,
        results=tally.results_of(project) if evaluation is not None and evaluation.ranked_at is not None else [],
    )


@dataclass(frozen=True)
class BuyerPanel:
    """The buyer's panel page: the members, the evaluation's progress, the results once ranked."""

    project: Project
    progress: Progress
    results: list[EvaluationResult]
    names: dict[int, str]


def buyer_panel(project: Project) -> BuyerPanel:
    """The buyer's panel page model."""
    results = tally.results_of(project)
    return BuyerPanel(
        project=project,
        progress=progress(project),
        results=results,
        names={row.registration_id: reads.company_value(row.registration, "name") for row in results},
    )
