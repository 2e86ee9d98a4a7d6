"""The announcement PDF: issued at publication and re-issued on every amendment."""
from __future__ import annotations

from procurement.extensions import db
from procurement.models import GeneratedDocument, Project
from procurement.services import documents


def issue_announcement(project: Project, actor=None) -> GeneratedDocument:
    """Render the notice as it now stands (the caller commits)."""
    from procurement.services.projects import schedule_of

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
    document = documents.current("announcement", project=project)
    if document is None:
        document = issue_announcement(project)
        db.session.commit()
    return document
