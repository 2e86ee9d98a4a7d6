"""Termination notices (终止公告): issued when a project fails (流标) or is cancelled (终止).

A termination notice is a public announcement: once issued, the public notice page, the
results list and every registered supplier's pages show it and link its PDF. A failed
evaluation's notice is issued only when the evaluation report is complete (every member
signed), so a dissent is on record before the notice is out; a cancellation's right after it,
by a job (kind ``project.termination``): the project is cancelled at once (no quote may come in
after the buyer's decision), and the notice appears on its pages once it is issued.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from procurement.extensions import db
from procurement.models import STATUS_CANCELLED, STATUS_FAILED, GeneratedDocument, Job, JobDocument, Project
from procurement.queries.jobs import KIND_TERMINATION as JOB_KIND
from procurement.services import documents as document_service
from procurement.services import jobs as job_service
from procurement.services import open_data
from procurement.services.documents import DocumentSpec
from procurement.services.jobs import PermanentJobError, publish_staged

KIND = "termination_notice"
ENDED_STATUSES = (STATUS_FAILED, STATUS_CANCELLED)
# What the notice prints before the reason, by the project's final status.
KIND_LABELS = {STATUS_FAILED: "流标", STATUS_CANCELLED: "项目终止"}
NOTICE_STEP = "notice"


def notice_spec(project: Project, reason: str, decided_at: datetime, *, ended_as: str | None = None) -> DocumentSpec:
    """What the termination notice of an ended project prints.

    ``ended_as`` (``failed`` or ``cancelled``; default the project's status) decides the wording:
    a failed evaluation's notice is rendered before its final transaction sets the status.
    """
    status = ended_as or project.status
    return DocumentSpec(
        KIND,
        "documents/termination_notice.html",
        title=f"{project.title}终止公告",
        subject=reason,
        project=project,
        context={"reason": reason, "kind_label": KIND_LABELS.get(status, "项目终止"), "decided_at": decided_at},
    )


def schedule_notice(project: Project, actor=None) -> Job:
    """A step of the cancellation: the job that issues its termination notice once it commits."""
    return job_service.create(
        JOB_KIND,
        project,
        f"{JOB_KIND}:{project.id}",
        {"decided_at": project.status_changed_at.isoformat()},
        total=1,
        actor=actor,
    )


def steps(job: Job) -> list[str]:
    """One step: the notice."""
    return [NOTICE_STEP]


def prepare(job: Job, step: str) -> DocumentSpec:
    """The cancelled project's notice, with the reason recorded."""
    project = db.session.get(Project, job.project_id)
    return notice_spec(project, project.status_reason or "", datetime.fromisoformat(job.payload["decided_at"]))


def apply(job: Job, staged: dict[str, JobDocument], actor) -> None:
    """The notice becomes public (the project stays ended; nothing else changes)."""
    project = db.session.get(Project, job.project_id)
    if project.status not in ENDED_STATUSES:
        raise PermanentJobError("项目未终止，终止公告未发布。")
    document = publish_staged(staged[NOTICE_STEP], actor=actor)
    open_data.record_release(project, open_data.TENDER_UPDATE, f"document:{document.id}")


def current_notice(project: Project) -> GeneratedDocument | None:
    """The project's current termination notice, or ``None`` (not ended, or not yet issued)."""
    return document_service.current(KIND, project)


def notices_by_project(project_ids) -> dict[int, GeneratedDocument]:
    """Project id → its current termination notice, for many projects in one query."""
    ids = list(set(project_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(GeneratedDocument)
        .where(
            GeneratedDocument.kind == KIND,
            GeneratedDocument.project_id.in_(ids),
            GeneratedDocument.superseded_at.is_(None),
        )
        .order_by(GeneratedDocument.id)
    )
    return {row.project_id: row for row in rows}


def public_notices() -> list[tuple[Project, GeneratedDocument]]:
    """Every issued termination notice of an ended project, newest first."""
    rows = db.session.execute(
        sa.select(Project, GeneratedDocument)
        .join(GeneratedDocument, GeneratedDocument.project_id == Project.id)
        .where(
            GeneratedDocument.kind == KIND,
            GeneratedDocument.superseded_at.is_(None),
            Project.status.in_(ENDED_STATUSES),
        )
        .order_by(GeneratedDocument.issued_at.desc(), GeneratedDocument.id.desc())
    ).all()
    return [(project, document) for project, document in rows]
