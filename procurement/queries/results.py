"""Published results as the public and the participants read them: the results list (paged),
one result announcement, the supplier's result section, an ended project's termination notice.

Each page model is built once per request in a fixed number of statements.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from procurement.extensions import db
from procurement.domain.money import format_yuan
from procurement.models import (
    STATUS_AWARDED,
    STATUS_CANCELLED,
    STATUS_FAILED,
    Challenge,
    GeneratedDocument,
    Project,
    Registration,
)
from procurement.queries.award import KIND_ANNOUNCEMENT, current_document, quote_totals, result_is_public, winners
from procurement.queries.award_documents import announcement_context
from procurement.queries.challenges import ChallengeWindow, is_participant, of_registration, window_of
from procurement.queries.lookups import supplier_name

#: The termination notice's document kind (issued by ``services.termination``).
KIND_TERMINATION = "termination_notice"
ENDED_STATUSES = (STATUS_FAILED, STATUS_CANCELLED)

#: Entries per page of the public results list.
RESULTS_PER_PAGE = 20


def termination_notice_of(project: Project) -> GeneratedDocument | None:
    """The termination notice the public may read: only of a failed or cancelled project."""
    if project.status not in ENDED_STATUSES:
        return None
    return current_document(KIND_TERMINATION, project)


# --------------------------------------------------------------------------- the public list


@dataclass(frozen=True)
class ResultEntry:
    """One line of the results list: a result announcement or a termination notice."""

    kind: str  # "result" or "termination"
    project: Project
    document: GeneratedDocument


@dataclass(frozen=True)
class ResultsPage:
    """One page of the public results list, newest first."""

    entries: tuple[ResultEntry, ...]
    page: int
    pages: int
    total: int


def _listed():
    """Current result announcements of awarded projects and termination notices of ended ones."""
    return sa.and_(
        GeneratedDocument.superseded_at.is_(None),
        sa.or_(
            sa.and_(GeneratedDocument.kind == KIND_ANNOUNCEMENT, Project.status == STATUS_AWARDED),
            sa.and_(GeneratedDocument.kind == KIND_TERMINATION, Project.status.in_(ENDED_STATUSES)),
        ),
    )


def results_page(page: int = 1, per_page: int = RESULTS_PER_PAGE) -> ResultsPage:
    """Page ``page`` (1 first; out of range shows the last) of every published result and termination notice."""
    total = db.session.scalar(
        sa.select(sa.func.count(GeneratedDocument.id))
        .join(Project, GeneratedDocument.project_id == Project.id)
        .where(_listed())
    )
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(
        sa.select(Project, GeneratedDocument)
        .join(Project, GeneratedDocument.project_id == Project.id)
        .where(_listed())
        .order_by(GeneratedDocument.issued_at.desc(), GeneratedDocument.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    entries = tuple(
        ResultEntry("result" if document.kind == KIND_ANNOUNCEMENT else "termination", project, document)
        for project, document in rows
    )
    return ResultsPage(entries=entries, page=page, pages=pages, total=total)


# --------------------------------------------------------------------------- one announcement


@dataclass(frozen=True)
class ResultAnnouncementPage:
    """The public page of one result announcement: the document (``None`` while withdrawn) and
    what the announcement prints (the winners whose result is published)."""

    project: Project
    document: GeneratedDocument | None
    context: dict


def result_announcement_page(project: Project) -> ResultAnnouncementPage:
    """The announcement page of a project whose result is public."""
    return ResultAnnouncementPage(
        project=project,
        document=current_document(KIND_ANNOUNCEMENT, project),
        context=announcement_context(project, only_published=True),
    )


# --------------------------------------------------------------------------- the supplier's section


@dataclass(frozen=True)
class PublishedWinner:
    """A winner as the participants' result section names it."""

    name: str
    amount: Decimal | None

    @property
    def amount_figures(self) -> str:
        """¥1,234.50, or blank without an amount."""
        return format_yuan(self.amount) if self.amount is not None else ""


@dataclass(frozen=True)
class SupplierResultSection:
    """A participant's result section: the published winners, the challenge period, its challenges."""

    public: bool
    winners: tuple[PublishedWinner, ...]
    window: ChallengeWindow
    challenges: tuple[Challenge, ...]


def supplier_result_section(
    project: Project, registration: Registration | None, now: datetime | None = None
) -> SupplierResultSection | None:
    """The section of a participant's project page; ``None`` for anyone who did not take part.

    The participant's own outcome and notice are the page's outcome section (``supplier.outcomes``).
    """
    if registration is None or not is_participant(project, registration):
        return None
    public = result_is_public(project)
    published = [award for award in winners(project) if award.publicity_ends is not None] if project.status == STATUS_AWARDED else []
    shown: tuple[PublishedWinner, ...] = ()
    if public:
        totals = quote_totals(award.registration_id for award in published if award.amount is None)
        shown = tuple(
            PublishedWinner(
                supplier_name(award.registration),
                award.amount if award.amount is not None else totals.get(award.registration_id),
            )
            for award in published
        )
    return SupplierResultSection(
        public=public,
        winners=shown,
        window=window_of(published, now),
        challenges=tuple(of_registration(registration)),
    )
