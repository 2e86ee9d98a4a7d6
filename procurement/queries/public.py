"""The public pages' models: the list of announcements (paged) and one announcement (询比价公告).

Each is built in a fixed number of SQL statements, whatever the number of projects on the page
or of lines in the bill of quantities.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from procurement.domain.schedule import RegistrationStatus, Schedule
from procurement.extensions import db
from procurement.models import (
    STATUS_AWARDED,
    STATUS_CANCELLED,
    STATUS_DRAFT,
    STATUS_FAILED,
    STATUS_PUBLISHED,
    GeneratedDocument,
    Project,
)
from procurement.queries.jobs import KIND_ANNOUNCEMENT as KIND_ANNOUNCEMENT_JOB
from procurement.queries.jobs import unfinished
from procurement.queries.lookups import schedule_of
from procurement.queries.phases import phases, registration_state

#: Projects per page of the public list.
PER_PAGE = 20
#: An ended project (its notice is a termination notice), and the documents the notice page links.
ENDED_STATUSES = (STATUS_FAILED, STATUS_CANCELLED)
KIND_TERMINATION = "termination_notice"  # services.termination.KIND
KIND_RESULT_ANNOUNCEMENT = "result_announcement"  # services.award.KIND_ANNOUNCEMENT


@dataclass(frozen=True)
class Paging:
    """Where a page sits in a long list: ``number`` of ``pages`` (1-based), ``total`` rows in all."""

    number: int
    pages: int
    total: int

    @property
    def has_links(self) -> bool:
        """Whether the list needs page links at all."""
        return self.pages > 1

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and ``around`` either side of this one; ``None`` is a gap."""
        shown = sorted({1, self.pages, *range(max(1, self.number - around), min(self.pages, self.number + around) + 1)})
        numbers: list[int | None] = []
        for n in shown:
            if numbers and n - numbers[-1] > 1:
                numbers.append(None)
            numbers.append(n)
        return numbers


def page_number(raw: str | None, pages: int) -> int:
    """The page asked for in the query string, kept within 1…``pages`` (nonsense reads as 1)."""
    try:
        number = int(raw or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), max(pages, 1))


@dataclass(frozen=True)
class ProjectRow:
    """One project in a list, with its phase (see :mod:`procurement.queries.phases`)."""

    project: Project
    phase: str


@dataclass(frozen=True)
class HomePage:
    """The public list: this page's open projects, then its past ones, and the paging."""

    open_rows: tuple[ProjectRow, ...]
    other_rows: tuple[ProjectRow, ...]
    paging: Paging


def home_page(raw_page: str | None, now: datetime, per_page: int = PER_PAGE) -> HomePage:
    """Published announcements, open ones first, newest first, ``per_page`` at a time (drafts never)."""
    public = Project.status != STATUS_DRAFT
    total = db.session.scalar(sa.select(sa.func.count(Project.id)).where(public)) or 0
    pages = max(1, -(-total // per_page))
    number = page_number(raw_page, pages)
    projects = db.session.scalars(
        sa.select(Project)
        .where(public)
        .order_by(
            sa.case((Project.status == STATUS_PUBLISHED, 0), else_=1),
            Project.published_at.desc(),
            Project.id.desc(),
        )
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    phase_of = phases(projects, now)
    rows = [ProjectRow(p, phase_of[p.id]) for p in projects]
    return HomePage(
        open_rows=tuple(r for r in rows if r.project.status == STATUS_PUBLISHED),
        other_rows=tuple(r for r in rows if r.project.status != STATUS_PUBLISHED),
        paging=Paging(number, pages, total),
    )


@dataclass(frozen=True)
class NoticePage:
    """One announcement: the project with its lines and amendments, where it stands, and what it links.

    ``termination`` is an ended project's current termination notice; ``result_public`` says
    whether a result announcement has been published (the page then links it); ``pdf_pending``
    that the announcement's PDF is being issued (after publication or an amendment).
    """

    project: Project
    schedule: Schedule | None
    phase: str
    registration: RegistrationStatus | None
    termination: GeneratedDocument | None
    result_public: bool
    pdf_pending: bool = False  # the announcement PDF (or the amended one) is being issued


def public_project(project_id: int) -> Project | None:
    """A project the public may read (anything after publication), or ``None``."""
    project = db.session.get(Project, project_id)
    return project if project is not None and project.is_public else None


def notice_page(project_id: int, now: datetime) -> NoticePage | None:
    """The notice page's model, or ``None`` when the project does not exist or is a draft."""
    project = db.session.scalar(
        sa.select(Project)
        .where(Project.id == project_id, Project.status != STATUS_DRAFT)
        .options(selectinload(Project.items), selectinload(Project.amendments))
    )
    if project is None:
        return None
    termination = None
    result_public = False
    if project.status in ENDED_STATUSES:
        termination = current_termination(project)
    elif project.status == STATUS_AWARDED:
        result_public = result_announced(project)
    return NoticePage(
        project=project,
        schedule=schedule_of(project),
        phase=phases([project], now)[project.id],
        registration=registration_state(project, now),
        termination=termination,
        result_public=result_public,
        pdf_pending=unfinished(project.id, KIND_ANNOUNCEMENT_JOB) is not None,
    )


def current_termination(project: Project) -> GeneratedDocument | None:
    """An ended project's current termination notice (``None`` if not ended or not yet issued)."""
    if project.status not in ENDED_STATUSES:
        return None
    return db.session.scalar(
        sa.select(GeneratedDocument)
        .where(
            GeneratedDocument.kind == KIND_TERMINATION,
            GeneratedDocument.project_id == project.id,
            GeneratedDocument.superseded_at.is_(None),
        )
        .order_by(GeneratedDocument.id.desc())
        .limit(1)
    )


def result_announced(project: Project) -> bool:
    """Whether an awarded project's result announcement has ever been issued (see ``award.result_is_public``)."""
    if project.status != STATUS_AWARDED:
        return False
    issued = db.session.scalar(
        sa.select(GeneratedDocument.id)
        .where(GeneratedDocument.kind == KIND_RESULT_ANNOUNCEMENT, GeneratedDocument.project_id == project.id)
        .limit(1)
    )
    return issued is not None


def normalise_code(raw: str | None) -> str:
    """A verification code as typed: printed in groups (XWZ4-XNCP-59MX), people type dashes,
    spaces, lower case; only its letters and digits count (at most 64)."""
    return "".join(ch for ch in (raw or "").upper() if ch.isascii() and ch.isalnum())[:64]


def document_by_code(code: str) -> GeneratedDocument | None:
    """The generated document with this verification code (already normalised), if any."""
    if not code:
        return None
    return db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.verification_code == code))
