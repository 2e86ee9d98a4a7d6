"""Jobs as the pages read them: what is still being issued for a project, how far it got, and
whether buyer staff may retry it. Two statements per project page whatever the number of jobs
or documents.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from procurement import clock
from procurement.domain import N_
from procurement.extensions import db
from procurement.models import JOB_FAILED, JOB_QUEUED, JOB_RUNNING, JOB_UNFINISHED, Job, JobDocument, Project

KIND_AWARD_PUBLICATION = "award.publish"
KIND_EVALUATION_REPORT = "evaluation.report"
KIND_OPENING_RECORD = "opening.record"
KIND_ANNOUNCEMENT = "project.announcement"
KIND_TERMINATION = "project.termination"
KIND_MAIL = "mail.send"

#: What each kind of job issues, as the buyer's page names it.
LABELS = {
    KIND_AWARD_PUBLICATION: N_("发布成交结果：成交结果公告及各供应商的通知书"),
    KIND_EVALUATION_REPORT: N_("评审报告PDF"),
    KIND_OPENING_RECORD: N_("开标记录PDF"),
    KIND_ANNOUNCEMENT: N_("询比价公告PDF"),
    KIND_TERMINATION: N_("终止公告PDF"),
    KIND_MAIL: N_("发送邮件"),
}

NOTICE_STEP = "notice:"


def unfinished(project_id: int, kind: str) -> Job | None:
    """The project's job of ``kind`` that is not applied yet (queued, running or failed), if any."""
    return db.session.scalar(
        sa.select(Job)
        .where(Job.project_id == project_id, Job.kind == kind, Job.status.in_(JOB_UNFINISHED))
        .order_by(Job.id.desc())
        .limit(1)
    )


def is_stale(job: Job, now: datetime | None = None) -> bool:
    """Whether a queued or running job has not moved for ``JOB_STALE_SECONDS`` (its worker died)."""
    if job.status not in (JOB_QUEUED, JOB_RUNNING):
        return False
    limit = timedelta(seconds=int(current_app.config.get("JOB_STALE_SECONDS", 120)))
    return (now or clock.now()) - (job.updated_at or job.created_at) > limit


@dataclass(frozen=True)
class JobView:
    """One unfinished job as the buyer's project page shows it."""

    job: Job
    documents: tuple[JobDocument, ...]
    stale: bool

    @property
    def label(self) -> str:
        """What the job issues (untranslated; the template translates)."""
        return LABELS.get(self.job.kind, self.job.kind)

    @property
    def failed(self) -> bool:
        """Whether every attempt failed (the buyer sees the error and may retry)."""
        return self.job.status == JOB_FAILED

    @property
    def can_retry(self) -> bool:
        """A failed job, or one no worker has touched for a while (its process died)."""
        return self.failed or self.stale

    @property
    def notices_total(self) -> int:
        """How many notices a result publication issues (0 for other kinds)."""
        return len((self.job.payload or {}).get("notices", ())) if self.job.kind == KIND_AWARD_PUBLICATION else 0

    @property
    def notices_done(self) -> int:
        """How many of them are issued (staged) so far."""
        return sum(1 for document in self.documents if document.step.startswith(NOTICE_STEP))

    def as_json(self) -> dict:
        """The status endpoint's view of it (polled by ``static/js/jobs.js``)."""
        return {
            "id": self.job.id,
            "kind": self.job.kind,
            "status": self.job.status,
            "done": self.job.progress_done,
            "total": self.job.progress_total,
            "notices_done": self.notices_done,
            "notices_total": self.notices_total,
            "documents": [document.title for document in self.documents],
            "error": self.job.last_error if self.failed else None,
            "can_retry": self.can_retry,
        }


def project_jobs(project: Project, now: datetime | None = None) -> list[JobView]:
    """The project's unfinished jobs, oldest first, each with the documents staged so far."""
    rows = db.session.scalars(
        sa.select(Job)
        .where(Job.project_id == project.id, Job.status.in_(JOB_UNFINISHED))
        .options(selectinload(Job.documents))
        .order_by(Job.id)
    ).all()
    now = now or clock.now()
    return [JobView(job=row, documents=tuple(row.documents), stale=is_stale(row, now)) for row in rows]


def of_kind(views: list[JobView], kind: str) -> JobView | None:
    """The view of ``kind`` among a page's job views."""
    return next((view for view in views if view.job.kind == kind), None)
