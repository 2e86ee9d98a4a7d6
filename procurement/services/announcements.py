"""The announcement PDF: issued at publication and re-issued on every amendment."""
from __future__ import annotations

from procurement.models import GeneratedDocument, Project
from procurement.queries.lookups import schedule_of
from procurement.services import documents
from procurement.services.unit_of_work import transaction


def issue_announcement(project: Project, actor=None) -> GeneratedDocument:
    """Render the notice as it now stands (the caller commits)."""
    return documents.issue(
        "announcement",
        "documents/announcement.html",
        title=f"{project.title}询比价公告",
        subject=f"询比价公告 {project.code}",
        project=project,
        schedule=schedule_of(project),
        actor=actor,
    )


def current_announcement(project: Project) -> GeneratedDocument:
    """The current announcement PDF, issued now if a published project has none yet."""
    with transaction():
        document = documents.current("announcement", project=project)
        if document is None:
            document = issue_announcement(project)
    return document
