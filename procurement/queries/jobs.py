"""Jobs as the pages read them: what is still being issued for a project, how far it got, and
whether buyer staff may retry it (two statements per project page whatever the number of jobs
or documents); one job's progress page (:func:`job_progress`: what it issued once done).
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
from procurement.models import JOB_DONE, JOB_FAILED, JOB_QUEUED, JOB_RUNNING, JOB_UNFINISHED, GeneratedDocument, Job, JobDocument, Project

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

#: What a done job has made available, as its progress page says.
DONE_TEXTS = {
    KIND_AWARD_PUBLICATION: N_("成交结果已发布：成交结果公告已公开，成交通知书和成交结果通知书已发给各供应商。"),
    KIND_EVALUATION_REPORT: N_("评审报告已生成，评审已完成。"),
    KIND_OPENING_RECORD: N_("开标记录PDF已生成，评审小组和参加开启的供应商现在可以查看。"),
    KIND_ANNOUNCEMENT: N_("询比价公告PDF已生成，公告页面现在提供下载。"),
    KIND_TERMINATION: N_("终止公告已生成并公开，各报名供应商的页面同时显示。"),
}

#: What stays as it is until a job is done (shown while it runs and when it failed).
PENDING_TEXTS = {
    KIND_AWARD_PUBLICATION: N_("全部出具后成交结果一并公开；在此之前供应商和公众看不到成交结果。"),
    KIND_EVALUATION_REPORT: N_("评审报告生成后评审才算完成；在此之前不能确定成交。"),
    KIND_OPENING_RECORD: N_("报价已开启；开标记录PDF生成后，供应商才能查看开标记录。"),
    KIND_ANNOUNCEMENT: N_("公告内容已经公开；PDF生成前公告页面暂不提供下载。"),
    KIND_TERMINATION: N_("项目已终止；终止公告生成后在公告页面和供应商页面显示。"),
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


def latest(project_id: int, kind: str) -> Job | None:
    """The project's newest job of ``kind``, whatever its status (the one a decision just made)."""
    return db.session.scalar(
        sa.select(Job).where(Job.project_id == project_id, Job.kind == kind).order_by(Job.id.desc()).limit(1)
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
    def done(self) -> bool:
        """Whether the job's result is applied (its documents visible)."""
        return self.job.status == JOB_DONE

    @property
    def done_text(self) -> str:
        """What the done job made available (untranslated)."""
        return DONE_TEXTS.get(self.job.kind, "")

    @property
    def pending_text(self) -> str:
        """What waits for the job (untranslated)."""
        return PENDING_TEXTS.get(self.job.kind, "")

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

    def as_json(self, *, detailed: bool = True) -> dict:
        """The status endpoint's view of it (polled by ``static/js/jobs.js``).

        ``detailed=False`` (for a panel member) leaves out the error text and the retry.
        """
        return {
            "id": self.job.id,
            "kind": self.job.kind,
            "status": self.job.status,
            "done": self.job.progress_done,
            "total": self.job.progress_total,
            "notices_done": self.notices_done,
            "notices_total": self.notices_total,
            "documents": [document.title for document in self.documents],
            "error": self.job.last_error if self.failed and detailed else None,
            "can_retry": self.can_retry and detailed,
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


def view_of(job: Job | None, now: datetime | None = None) -> JobView | None:
    """The view of one job (its staged documents load on first use), or ``None``."""
    if job is None:
        return None
    return JobView(job=job, documents=tuple(job.documents), stale=is_stale(job, now))


@dataclass(frozen=True)
class JobProgress:
    """One job's progress page: how far it got and, once done, the documents it made visible."""

    project: Project
    view: JobView
    published: tuple[GeneratedDocument, ...]


def job_progress(project: Project, job_id: int, kinds: tuple[str, ...] | None = None, now: datetime | None = None) -> JobProgress | None:
    """The progress of the project's job ``job_id`` (``None`` when it is another project's, or not of ``kinds``).

    At most three statements: the job, its staged documents, and (done) the documents issued.
    """
    job = db.session.scalar(
        sa.select(Job).options(selectinload(Job.documents)).where(Job.id == job_id, Job.project_id == project.id)
    )
    if job is None or (kinds is not None and job.kind not in kinds):
        return None
    issued = [document.document_id for document in job.documents if document.document_id is not None]
    published: tuple[GeneratedDocument, ...] = ()
    if job.status == JOB_DONE and issued:
        published = tuple(
            db.session.scalars(sa.select(GeneratedDocument).where(GeneratedDocument.id.in_(issued)).order_by(GeneratedDocument.id))
        )
    return JobProgress(project=project, view=view_of(job, now), published=published)
