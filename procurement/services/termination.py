"""Termination notices (终止公告): issued when a project fails (流标) or is cancelled (终止).

A termination notice is a public announcement: once issued, the public notice page, the
results list and every registered supplier's pages show it and link its PDF. A failed
evaluation's notice is issued only when the evaluation report is complete (every member
signed), so a dissent is on record before the notice is out; a cancellation's at once.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from procurement.extensions import db
from procurement.models import STATUS_CANCELLED, STATUS_FAILED, GeneratedDocument, Project
from procurement.services import documents as document_service

KIND = "termination_notice"
ENDED_STATUSES = (STATUS_FAILED, STATUS_CANCELLED)
# What the notice prints before the reason, by the project's final status.
KIND_LABELS = {STATUS_FAILED: "流标", STATUS_CANCELLED: "项目终止"}


def issue_notice(project: Project, reason: str, decided_at: datetime, *, actor=None) -> GeneratedDocument:
    """Render and store the termination notice of an ended project (no commit).

    ``project.status`` must already be ``failed`` or ``cancelled``; it decides the notice's wording.
    """
    return document_service.issue(
        KIND,
        "documents/termination_notice.html",
        title=f"{project.title}终止公告",
        subject=reason,
        project=project,
        actor=actor,
        reason=reason,
        kind_label=KIND_LABELS.get(project.status, "项目终止"),
        decided_at=decided_at,
    )


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
