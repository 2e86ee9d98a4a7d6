"""The supplier's page models: 我的报名 (its registrations and the projects open to it) and its page for one project.

Both are built in a fixed number of SQL statements, however many registrations, open projects,
RFQ documents or checks there are. The quote, opening, result and explanation sections of the
project page are their features' own (they read what they need themselves).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from procurement.domain import N_
from procurement.domain.schedule import RegistrationStatus, Schedule
from procurement.domain.submission_window import submission_opens
from procurement.extensions import db
from procurement.formatting import translate
from procurement.models import (
    REG_ACCEPTED,
    STATUS_DRAFT,
    STATUS_PUBLISHED,
    Company,
    Project,
    ProjectFile,
    QualificationCheck,
    Registration,
    RegistrationDocument,
)
from procurement.queries.attention import Attention, ordered
from procurement.queries.attention_supplier import Deadline, RowAttention, deadline, supplier_attention
from procurement.queries.lookups import schedule_of
from procurement.queries.phases import CalendarOnce, phases, registration_state
from procurement.queries.registrations import labels, latest_check
from procurement.queries.supplier_outcomes import Outcome, outcome_of, outcomes_for


@dataclass(frozen=True)
class RegistrationRow:
    """One of my registrations on 我的报名, with my outcome on its project and its deadlines."""

    registration: Registration
    project: Project
    outcome: Outcome
    attention: RowAttention


@dataclass(frozen=True)
class OpenRow:
    """A project I may still register for, with its phase and when registration closes."""

    project: Project
    phase: str
    closes: Deadline | None = None


@dataclass(frozen=True)
class SupplierHome:
    """我的报名: what I must do next, my registrations (newest first) with their deadlines, then the
    open projects I have not registered for."""

    company: Company
    rows: tuple[RegistrationRow, ...]
    open_rows: tuple[OpenRow, ...]
    attention: Attention


def supplier_home(company: Company, now: datetime) -> SupplierHome:
    """The page model of 我的报名 for ``company`` at ``now``."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.company_id == company.id)
        .options(joinedload(Registration.project))
        .order_by(Registration.created_at.desc(), Registration.id.desc())
    ).all()
    calendar = CalendarOnce()
    outcomes = outcomes_for(registrations, now, calendar)
    registered = {r.project_id for r in registrations}
    published = db.session.scalars(
        sa.select(Project).where(Project.status == STATUS_PUBLISHED).order_by(Project.opening_at, Project.id)
    ).all()
    open_projects = [
        p for p in published if p.id not in registered and registration_state(p, now, calendar).state != "closed"
    ]
    phase_of = phases(open_projects, now)
    rows = supplier_attention(list(registrations), outcomes, now)
    return SupplierHome(
        company=company,
        rows=tuple(RegistrationRow(r, r.project, outcomes[r.id], rows[r.id]) for r in registrations),
        open_rows=tuple(
            OpenRow(p, phase_of[p.id], deadline(now, N_("报名截止"), due=schedule_of(p).closes_at)) for p in open_projects
        ),
        attention=Attention(ordered(row.todo for row in rows.values() if row.todo is not None)),
    )


@dataclass(frozen=True)
class ProjectPage:
    """My page for one project: my outcome, the schedule, my registration and its checks, the RFQ documents.

    ``opens_text`` says when submitting opens next (今日15:30起可提交) while the window is open
    but this moment is outside the hours; ``rfq_files`` are offered only to an accepted
    registration. ``labels`` are what the registration section prints with.
    """

    project: Project
    company: Company
    registration: Registration | None
    outcome: Outcome | None
    schedule: Schedule | None
    phase: str
    registration_state: RegistrationStatus | None
    latest_check: QualificationCheck | None
    opens_text: str
    rfq_files: tuple[ProjectFile, ...]
    labels: dict


def _own_registration(project_id: int, company_id: int) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration)
        .where(Registration.project_id == project_id, Registration.company_id == company_id)
        .options(
            selectinload(Registration.documents).joinedload(RegistrationDocument.stored_file),
            selectinload(Registration.checks),
        )
    )


def opens_text(state: RegistrationStatus | None, now: datetime) -> str:
    """今日15:30起可提交 when the window is open but ``now`` is outside the hours (or before the start), else ``""``."""
    if state is None or state.state not in ("not_yet_open", "outside_hours") or state.next_open_at is None:
        return ""
    opens = submission_opens(now, state.next_open_at)
    return translate(opens.message, opens.params) if opens else ""


def rfq_files(project: Project) -> tuple[ProjectFile, ...]:
    """The RFQ documents currently offered, oldest first, with their stored files."""
    return tuple(
        db.session.scalars(
            sa.select(ProjectFile)
            .where(ProjectFile.project_id == project.id, ProjectFile.removed_at.is_(None))
            .options(joinedload(ProjectFile.stored_file))
            .order_by(ProjectFile.id)
        )
    )


def project_page(project_id: int, company: Company, now: datetime) -> ProjectPage | None:
    """The page model of my page for one project; ``None`` when it does not exist or is a draft."""
    project = db.session.get(Project, project_id)
    if project is None or project.status == STATUS_DRAFT:
        return None
    registration = _own_registration(project.id, company.id)
    state = registration_state(project, now)
    accepted = registration is not None and registration.status == REG_ACCEPTED
    return ProjectPage(
        project=project,
        company=company,
        registration=registration,
        outcome=outcome_of(project, registration, now),
        schedule=schedule_of(project),
        phase=phases([project], now)[project.id],
        registration_state=state,
        latest_check=latest_check(registration) if registration is not None else None,
        opens_text=opens_text(state, now),
        rfq_files=rfq_files(project) if accepted else (),
        labels=labels(),
    )
