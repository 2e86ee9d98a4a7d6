"""The buyer's pages as page models: the project list, a project's page and its registration list.

Each is built once per request in a fixed number of SQL statements, whatever the number of
projects or registrations: rows are loaded with their relations eagerly, and the latest check of
each registration (at registration and at review) comes from one query with a window function.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from procurement import clock
from procurement.extensions import db
from procurement.models import (
    REG_ACCEPTED,
    REG_DRAFT,
    REG_REJECTED,
    AuditEvent,
    FileDownload,
    OpeningOfficial,
    Project,
    ProjectFile,
    QualificationCheck,
    Registration,
)
from procurement.queries.lookups import schedule_of
from procurement.queries.project_state import AffectedProject, phases, schedule_drift_of

#: Registrations per page of the registration list (and shown on the project page).
REGISTRATIONS_PER_PAGE = 50
#: The status filters of the registration list: every registration, or one status.
STATUS_FILTERS: tuple[str, ...] = ("all", REG_ACCEPTED, REG_REJECTED, REG_DRAFT)
#: Events the project page's audit section shows.
RECENT_EVENTS = 5


# --- The project list (buyer home) ------------------------------------------------------


@dataclass(frozen=True)
class ProjectListPage:
    """Every project, drafts included, newest first, each with its phase."""

    projects: tuple[Project, ...]
    phases: dict[int, str]

    def phase(self, project: Project) -> str:
        """The phase of one listed project."""
        return self.phases[project.id]


def project_list_page(now: datetime | None = None) -> ProjectListPage:
    """The buyer's home: all projects, newest first (at most three statements)."""
    now = now or clock.now()
    projects = tuple(db.session.scalars(sa.select(Project).order_by(Project.created_at.desc(), Project.id.desc())))
    return ProjectListPage(projects=projects, phases=phases(projects, now))


# --- Registrations ------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistrationRow:
    """One registration as the buyer's table shows it.

    ``results`` are the registration check's results by criterion, overridden by the panel's
    re-check at review time when that is as recent or newer; ``reviewed`` names those criteria.
    """

    registration: Registration
    name: str
    uscc: str
    check: QualificationCheck | None
    review: QualificationCheck | None
    results: dict[str, dict]
    reviewed: frozenset[str]


@dataclass(frozen=True)
class RegistrationList:
    """One page of a project's registrations under a status filter, with the counts per status."""

    project: Project
    rows: tuple[RegistrationRow, ...]
    status: str
    counts: dict[str, int]
    page: int
    per_page: int

    @property
    def total(self) -> int:
        """Every registration of the project, whatever its status."""
        return self.counts["all"]

    @property
    def matching(self) -> int:
        """The registrations the filter selects."""
        return self.counts.get(self.status, 0)

    @property
    def pages(self) -> int:
        """How many pages the filtered list has (at least one)."""
        return max(1, math.ceil(self.matching / self.per_page))

    @property
    def first_number(self) -> int:
        """The position of the page's first row in the filtered list (1-based)."""
        return (self.page - 1) * self.per_page + 1

    @property
    def last_number(self) -> int:
        """The position of the page's last row."""
        return self.first_number + len(self.rows) - 1

    @property
    def complete(self) -> bool:
        """Whether this page shows every registration of the project."""
        return self.status == "all" and self.page == 1 and len(self.rows) == self.total


def latest_checks(registration_ids: Sequence[int]) -> dict[tuple[int, str], QualificationCheck]:
    """The latest check of each context per registration, keyed ``(registration_id, context)``.

    One statement: the checks ranked per registration and context by (run_at, id), newest first.
    """
    if not registration_ids:
        return {}
    ranked = (
        sa.select(
            QualificationCheck.id,
            sa.func.row_number()
            .over(
                partition_by=(QualificationCheck.registration_id, QualificationCheck.context),
                order_by=(QualificationCheck.run_at.desc(), QualificationCheck.id.desc()),
            )
            .label("place"),
        )
        .where(QualificationCheck.registration_id.in_(registration_ids))
        .subquery()
    )
    checks = db.session.scalars(
        sa.select(QualificationCheck).join(ranked, ranked.c.id == QualificationCheck.id).where(ranked.c.place == 1)
    )
    return {(check.registration_id, check.context): check for check in checks}


def _row(registration: Registration, check: QualificationCheck | None, review: QualificationCheck | None) -> RegistrationRow:
    results = {res["criterion"]: res for res in (check.results if check else [])}
    reviewed: set[str] = set()
    # The panel's re-run at review time (credit lists may have changed) overrides the registration's result.
    if review is not None and (check is None or review.run_at >= check.run_at):
        for res in review.results:
            results[res["criterion"]] = res
            reviewed.add(res["criterion"])
    snapshot = registration.company_snapshot or {}
    return RegistrationRow(
        registration=registration,
        name=snapshot.get("name") or registration.company.name,
        uscc=snapshot.get("uscc") or registration.company.uscc or "",
        check=check,
        review=review,
        results=results,
        reviewed=frozenset(reviewed),
    )


def status_counts(project: Project) -> dict[str, int]:
    """How many registrations the project has in each status, and ``all``."""
    counts = dict.fromkeys(STATUS_FILTERS, 0)
    for status, count in db.session.execute(
        sa.select(Registration.status, sa.func.count(Registration.id))
        .where(Registration.project_id == project.id)
        .group_by(Registration.status)
    ):
        counts[status] = count
        counts["all"] += count
    return counts


def registration_list(
    project: Project, *, status: str = "all", page: int = 1, per_page: int | None = None
) -> RegistrationList:
    """One page of the project's registrations: earliest submission first, drafts last.

    ``per_page`` defaults to :data:`REGISTRATIONS_PER_PAGE`. An unknown ``status`` reads as
    ``all``; a page past the last shows the last (three statements).
    """
    per_page = per_page or REGISTRATIONS_PER_PAGE
    status = status if status in STATUS_FILTERS else "all"
    counts = status_counts(project)
    pages = max(1, math.ceil(counts[status] / per_page))
    page = min(max(page, 1), pages)
    query = (
        sa.select(Registration)
        .options(joinedload(Registration.company))
        .where(Registration.project_id == project.id)
        .order_by(
            Registration.submitted_at.is_(None),
            sa.func.coalesce(Registration.submitted_at, Registration.created_at),
            Registration.id,
        )
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    if status != "all":
        query = query.where(Registration.status == status)
    registrations = db.session.scalars(query).unique().all()
    checks = latest_checks([r.id for r in registrations])
    rows = tuple(_row(r, checks.get((r.id, "registration")), checks.get((r.id, "review"))) for r in registrations)
    return RegistrationList(project=project, rows=rows, status=status, counts=counts, page=page, per_page=per_page)


# --- The project page ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectPage:
    """What the buyer's project page shows of the notice, RFQ files, registrations and audit trail.

    The quotes, panel and award sections are built by their own areas.
    """

    project: Project
    phase: str
    schedule: object | None
    schedule_drift: AffectedProject | None
    rfq_files: tuple[ProjectFile, ...]
    rfq_downloads: tuple[FileDownload, ...]
    registrations: RegistrationList
    audit_count: int
    audit_events: tuple[AuditEvent, ...] = field(default_factory=tuple)


def project_page(project: Project, now: datetime | None = None) -> ProjectPage:
    """The buyer's page of one project, in a number of statements independent of its rows."""
    now = now or clock.now()
    files = tuple(
        db.session.scalars(
            sa.select(ProjectFile)
            .options(joinedload(ProjectFile.stored_file))
            .where(ProjectFile.project_id == project.id)
            .order_by(ProjectFile.id)
        )
    )
    downloads: tuple[FileDownload, ...] = ()
    if files:
        downloads = tuple(
            db.session.scalars(
                sa.select(FileDownload)
                .options(joinedload(FileDownload.company), joinedload(FileDownload.project_file))
                .where(FileDownload.project_file_id.in_([f.id for f in files]))
                .order_by(FileDownload.downloaded_at.desc())
            )
        )
    audit_count = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.project_id == project.id)) or 0
    events: tuple[AuditEvent, ...] = ()
    if audit_count:
        events = tuple(
            db.session.scalars(
                sa.select(AuditEvent)  # its actor is joined eagerly by the model
                .where(AuditEvent.project_id == project.id)
                .order_by(AuditEvent.id.desc())
                .limit(RECENT_EVENTS)
            )
        )
    return ProjectPage(
        project=project,
        phase=phases([project], now)[project.id],
        schedule=schedule_of(project),
        schedule_drift=schedule_drift_of(project),
        rfq_files=tuple(f for f in files if f.removed_at is None),
        rfq_downloads=downloads,
        registrations=registration_list(project),
        audit_count=audit_count,
        audit_events=events,
    )


def load_project(project_id: int) -> Project | None:
    """A project with what its page prints of it (bill of quantities, amendments) loaded eagerly."""
    return db.session.scalar(
        sa.select(Project)
        .options(
            selectinload(Project.items),
            selectinload(Project.amendments),
            selectinload(Project.officials).joinedload(OpeningOfficial.user),
        )
        .where(Project.id == project_id)
    )
