"""The announcement PDF: issued at publication and re-issued on every amendment, by a job.

Publishing or amending a project takes effect at once (the notice page shows the new text, the
registration window and the deadline follow the frozen schedule); the PDF, the notice in print,
follows from a job (kind ``project.announcement``). While it is being issued the public page
offers no PDF (``queries.public`` says it is being generated), so nobody downloads a PDF that
does not match the notice on the page. Each amendment makes a job of its own; a job whose
amendment was followed by another before it finished is done without recording its PDF: the
later job's is the current one.
"""
from __future__ import annotations

import sqlalchemy as sa

from procurement.extensions import db
from procurement.models import Amendment, GeneratedDocument, Job, JobDocument, Project
from procurement.queries.jobs import KIND_ANNOUNCEMENT as JOB_KIND
from procurement.queries.jobs import unfinished
from procurement.queries.lookups import schedule_of
from procurement.services import documents, open_data
from procurement.services import jobs as job_service

KIND = "announcement"
STEP = "announcement"


def _amendments(project: Project) -> int:
    return db.session.scalar(sa.select(sa.func.count(Amendment.id)).where(Amendment.project_id == project.id)) or 0


def schedule_announcement(project: Project, actor=None) -> Job:
    """A step of publishing or amending: the job that issues the notice as it now stands."""
    amendments = _amendments(project)
    return job_service.create(
        JOB_KIND, project, f"{JOB_KIND}:{project.id}:{amendments}", {"amendments": amendments}, total=1, actor=actor
    )


def announcement_spec(project: Project) -> documents.DocumentSpec:
    """The notice as it now stands, everything it prints loaded."""
    project.items, project.amendments  # noqa: B018 - loaded now, not while rendering
    return documents.DocumentSpec(
        KIND,
        "documents/announcement.html",
        title=f"{project.title}询比价公告",
        subject=f"询比价公告 {project.code}",
        project=project,
        context={"schedule": schedule_of(project)},
    )


def steps(job: Job) -> list[str]:
    """One step: the notice."""
    return [STEP]


def prepare(job: Job, step: str) -> documents.DocumentSpec:
    """The notice as it stands when the job runs."""
    return announcement_spec(db.session.get(Project, job.project_id))


def apply(job: Job, staged: dict[str, JobDocument], actor) -> None:
    """The PDF becomes the current announcement, unless a later amendment's job will issue its own."""
    project = db.session.get(Project, job.project_id)
    if _amendments(project) != job.payload["amendments"]:
        return
    document = job_service.publish_staged(staged[STEP], actor=actor)
    open_data.record_release(project, open_data.TENDER_UPDATE, f"document:{document.id}")


def current_announcement(project: Project) -> GeneratedDocument | None:
    """The current announcement PDF; ``None`` while a job is issuing a new one.

    A published project with none and no job for it (published before announcements were
    issued by jobs) has it issued now, rendered outside any transaction.
    """
    if unfinished(project.id, JOB_KIND) is not None:
        return None
    document = documents.current(KIND, project=project)
    if document is None and project.published_at is not None:
        document = documents.issue(announcement_spec(project))
    return document
