"""Reads of the evaluation (评审): the panel, the participants with their evidence, votes, outcomes.

Everything here is read-only: no commit, no audit, no service import. The participants are
loaded in a fixed number of statements (:func:`load_participants`), whatever their number, so
the pages built on them (``procurement.queries.evaluation_pages``) and the report
(``procurement.queries.evaluation_report``); votes, outcomes and results are read by
``procurement.queries.evaluation_votes``; send the same statements at 3 or 1,000 suppliers.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from procurement.domain import N_, compliance
from procurement.domain.qualification import CRITERIA, CRITERION_KEYS, DOCUMENT_KINDS
from procurement.extensions import db
from procurement.formatting import translate
from procurement.models import (
    ROLE_PANEL,
    BlacklistImport,
    Evaluation,
    OpenedQuote,
    PanelMember,
    Project,
    QualificationCheck,
    Registration,
    RegistrationDocument,
    User,
)
from procurement.models.quotes import OpenedQuoteLine
from procurement.queries.lookups import evaluation_of, registered_value

QUOTE_COMPLIANCE = compliance.CRITERION
CRITERION_LABELS: dict[str, str] = {c.key: c.label for c in CRITERIA} | {QUOTE_COMPLIANCE: compliance.LABEL}
REPORT_KIND = "evaluation_report"
# The termination notice's document kind (services/termination.py issues it under this kind).
TERMINATION_KIND = "termination_notice"

company_value = registered_value


# --- the panel ----------------------------------------------------------------------------


def criteria_of(project: Project) -> list[str]:
    """The criteria the panel votes on: the project's qualification criteria, then response compliance."""
    chosen = set(project.criteria or ())
    return [key for key in CRITERION_KEYS if key in chosen] + [QUOTE_COMPLIANCE]


def criterion_label(key: str) -> str:
    """The Chinese label of a criterion key (translated)."""
    return translate(CRITERION_LABELS.get(key, key))


def document_label(kind: str) -> str:
    """The Chinese name of a registration document kind."""
    return translate(DOCUMENT_KINDS.get(kind, kind))


def panel_members(project: Project) -> list[PanelMember]:
    """The members currently on the panel (removed ones excluded), in order of appointment, users loaded."""
    return list(
        db.session.scalars(
            sa.select(PanelMember)
            .options(joinedload(PanelMember.user))
            .where(PanelMember.project_id == project.id, PanelMember.removed_at.is_(None))
            .order_by(PanelMember.id)
        )
    )


def active_members(project: Project, members: list[PanelMember] | None = None) -> list[PanelMember]:
    """The members who declared no conflict: they vote and sign."""
    members = panel_members(project) if members is None else members
    return [member for member in members if member.conflict_declared is False]


def chair_of(project: Project, members: list[PanelMember] | None = None) -> PanelMember | None:
    """The chair (组长), if one is appointed."""
    members = panel_members(project) if members is None else members
    return next((member for member in members if member.is_chair), None)


def membership(project: Project, user: User) -> PanelMember | None:
    """``user``'s current seat on this project's panel, or ``None``."""
    return db.session.scalar(
        sa.select(PanelMember).where(
            PanelMember.project_id == project.id, PanelMember.user_id == user.id, PanelMember.removed_at.is_(None)
        )
    )


def available_panel_accounts(project: Project) -> list[User]:
    """Active panel accounts not on this panel now (candidates to appoint)."""
    seated = sa.select(PanelMember.user_id).where(PanelMember.project_id == project.id, PanelMember.removed_at.is_(None))
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == ROLE_PANEL, User.active.is_(True), User.id.not_in(seated))
            .order_by(User.name)
        )
    )


def is_recused(member: PanelMember) -> bool:
    """Whether the member declared a conflict of interest (回避)."""
    return member.conflict_declared is True


def can_review(member: PanelMember | None, evaluation: Evaluation | None = None) -> bool:
    """Whether the member may see the suppliers' documents and review them.

    Only after declaring no conflict, and only once buyer staff have started the evaluation
    (``evaluation``, when the caller has it already, saves a statement).
    """
    if member is None or member.removed_at is not None or member.conflict_declared is not False:
        return False
    return (evaluation or evaluation_of(member.project)) is not None


# --- the participants ---------------------------------------------------------------------


def participants(project: Project) -> list[Registration]:
    """The registrations whose quotes were opened: the suppliers the panel evaluates."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .options(joinedload(Registration.company))
            .join(OpenedQuote, OpenedQuote.registration_id == Registration.id)
            .where(OpenedQuote.project_id == project.id)
            .order_by(Registration.id)
        )
    )


def opened_quotes(project: Project) -> dict[int, OpenedQuote]:
    """Registration id → its opened quote."""
    rows = db.session.scalars(sa.select(OpenedQuote).where(OpenedQuote.project_id == project.id))
    return {row.registration_id: row for row in rows}


def participant_ids(project: Project) -> list[int]:
    """The participants' registration ids, in order."""
    return list(
        db.session.scalars(
            sa.select(OpenedQuote.registration_id).where(OpenedQuote.project_id == project.id).order_by(OpenedQuote.registration_id)
        )
    )


@dataclass
class Evidence:
    """What the system established for one criterion, shown beside the member's vote."""

    status: str  # pass | fail | warning | none
    message: str
    params: dict
    source: str  # registration | review | computed | none
    run_at: datetime | None = None
    list_versions: list[BlacklistImport] = field(default_factory=list)


NO_EVIDENCE = Evidence("none", N_("无自动核验结果。"), {}, "none")


@dataclass(frozen=True)
class Participant:
    """One participant with everything the panel's pages show of it, loaded in bulk."""

    registration: Registration
    opened: OpenedQuote
    name: str
    uscc: str
    lines: tuple
    documents: tuple
    registration_check: QualificationCheck | None
    review_check: QualificationCheck | None
    credit_versions: tuple  # the list versions the review-time check used

    @property
    def id(self) -> int:
        """The registration id."""
        return self.registration.id


def _latest(checks: Iterable[QualificationCheck], context: str) -> QualificationCheck | None:
    chosen = [check for check in checks if check.context == context]
    return max(chosen, key=lambda c: (c.run_at, c.id)) if chosen else None


def _document_order(document: RegistrationDocument) -> int:
    return list(DOCUMENT_KINDS).index(document.kind) if document.kind in DOCUMENT_KINDS else 99


def load_participants(project: Project, registration_ids: Collection[int] | None = None, *, details: bool = True) -> list[Participant]:
    """The participants (all, or those of ``registration_ids``) in registration order.

    Five statements whatever their number: the opened quotes with registrations and companies,
    the quote lines, the checks, the documents with their files, the credit-list versions used.
    ``details=False`` loads only the first (names, totals).
    """
    query = (
        sa.select(OpenedQuote)
        .options(joinedload(OpenedQuote.registration).joinedload(Registration.company))
        .where(OpenedQuote.project_id == project.id)
        .order_by(OpenedQuote.registration_id)
    )
    if registration_ids is not None:
        query = query.where(OpenedQuote.registration_id.in_(list(registration_ids)))
    quotes = list(db.session.scalars(query))
    lines: dict[int, list] = defaultdict(list)
    checks: dict[int, list] = defaultdict(list)
    documents: dict[int, list] = defaultdict(list)
    imports: dict[int, BlacklistImport] = {}
    if details and quotes:
        ids = [quote.registration_id for quote in quotes]
        for line in db.session.scalars(
            sa.select(OpenedQuoteLine).where(OpenedQuoteLine.opened_quote_id.in_([quote.id for quote in quotes]))
        ):
            lines[line.opened_quote_id].append(line)
        for check in db.session.scalars(sa.select(QualificationCheck).where(QualificationCheck.registration_id.in_(ids))):
            checks[check.registration_id].append(check)
        for document in db.session.scalars(
            sa.select(RegistrationDocument)
            .options(joinedload(RegistrationDocument.stored_file))
            .where(RegistrationDocument.registration_id.in_(ids))
        ):
            documents[document.registration_id].append(document)
        version_ids = {
            version_id
            for group in checks.values()
            for check in group
            if check.context == "review"
            for version_id in (check.list_versions or {}).values()
        }
        if version_ids:
            imports = {row.id: row for row in db.session.scalars(sa.select(BlacklistImport).where(BlacklistImport.id.in_(version_ids)))}
    result = []
    for quote in quotes:
        registration = quote.registration
        review = _latest(checks[registration.id], "review")
        versions = [imports.get(i) for i in ((review.list_versions or {}).values() if review else ())]
        result.append(
            Participant(
                registration=registration,
                opened=quote,
                name=registered_value(registration, "name"),
                uscc=registered_value(registration, "uscc"),
                lines=tuple(lines[quote.id]),
                documents=tuple(sorted(documents[registration.id], key=_document_order)),
                registration_check=_latest(checks[registration.id], "registration"),
                review_check=review,
                credit_versions=tuple(version for version in versions if version is not None),
            )
        )
    return result


def boq_lines(project: Project) -> list[compliance.BoqLine]:
    """The project's bill of quantities as the compliance check reads it."""
    return [
        compliance.BoqLine(item.id, item.position, item.name, item.quantity, item.ceiling_unit_price)
        for item in project.items
    ]


def quote_compliance(project: Project, opened, boq: list[compliance.BoqLine] | None = None, lines=None):
    """The automatic compliance result of one opened quote sheet."""
    lines = opened.lines if lines is None else lines
    priced = [compliance.PricedLine(line.boq_item_id, line.unit_price, line.line_total) for line in lines]
    return compliance.check_quote_compliance(boq_lines(project) if boq is None else boq, priced, opened.total)


def _evidence(registration_check, review_check, versions, compliance_result) -> dict[str, Evidence]:
    evidence: dict[str, Evidence] = {}
    if registration_check is not None:
        for result in registration_check.results:
            evidence[result["criterion"]] = Evidence(
                result["status"], result["message"], result.get("params") or {}, "registration", registration_check.run_at
            )
    if review_check is not None:
        for result in review_check.results:
            evidence[result["criterion"]] = Evidence(
                result["status"], result["message"], result.get("params") or {}, "review", review_check.run_at, list(versions)
            )
    evidence[QUOTE_COMPLIANCE] = Evidence(
        compliance_result.status, compliance_result.message, dict(compliance_result.params), "computed"
    )
    return evidence


def evidence_for(project: Project, registration: Registration, opened) -> dict[str, Evidence]:
    """Criterion → the automatic evidence for one participant (loaded on its own)."""
    review = _latest(registration.checks, "review")
    versions = [db.session.get(BlacklistImport, i) for i in ((review.list_versions or {}).values() if review else ())]
    return _evidence(
        _latest(registration.checks, "registration"),
        review,
        [version for version in versions if version is not None],
        quote_compliance(project, opened),
    )


def participant_evidence(project: Project, participant: Participant, boq: list[compliance.BoqLine]) -> dict[str, Evidence]:
    """Criterion → the automatic evidence for a participant loaded by :func:`load_participants`."""
    return _evidence(
        participant.registration_check,
        participant.review_check,
        participant.credit_versions,
        quote_compliance(project, participant.opened, boq, participant.lines),
    )
