"""Slow work run by the queue's workers (design.md §9): the job is the source of truth, the queue
only says "run job 17". A job's documents are staged (rendered and stored, not yet visible) until
its final transaction publishes them all at once.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.extensions import db
from procurement.models._base import created_at_column, fk, utc

JOB_QUEUED = "queued"
JOB_RUNNING = "running"
JOB_DONE = "done"
JOB_FAILED = "failed"
JOB_STATUSES = (JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED)
#: A job whose result is not yet applied (a failed one waits for the buyer's retry).
JOB_UNFINISHED = (JOB_QUEUED, JOB_RUNNING, JOB_FAILED)


class Job(db.Model):
    """One piece of slow work: what to do (kind, payload), how far it got, and how it ended."""

    __tablename__ = "job"
    __table_args__ = (sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(48), index=True)
    project_id: Mapped[int | None] = fk("project.id", nullable=True)
    # One job per decision: the same decision asked twice (a double click, a retried request)
    # finds its job instead of making a second one.
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[str] = mapped_column(sa.String(16), default=JOB_QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = created_at_column()
    created_by_id: Mapped[int | None] = fk("user.id", nullable=True)
    started_at: Mapped[datetime | None] = utc()
    updated_at: Mapped[datetime | None] = utc()
    finished_at: Mapped[datetime | None] = utc()

    documents: Mapped[list["JobDocument"]] = relationship(order_by="JobDocument.id", viewonly=True)


class JobDocument(db.Model):
    """A document a job rendered and stored, waiting for the job's final transaction.

    One per (job, step): a step that finds its row already there (a retry, a second worker)
    renders nothing again.
    """

    __tablename__ = "job_document"
    __table_args__ = (sa.UniqueConstraint("job_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = fk("job.id", ondelete="CASCADE")
    step: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[str] = mapped_column(sa.String(300))
    project_id: Mapped[int | None] = mapped_column(sa.Integer)
    registration_id: Mapped[int | None] = mapped_column(sa.Integer)
    supersede: Mapped[bool] = mapped_column(default=True)
    verification_code: Mapped[str] = mapped_column(sa.String(32))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    storage_path: Mapped[str] = mapped_column(sa.String(255))
    rendered_at: Mapped[datetime] = created_at_column()
    # The GeneratedDocument the final transaction made of it.
    document_id: Mapped[int | None] = fk("generated_document.id", nullable=True)
