"""The write side of jobs (design.md §9): a command records its decision and a job row; the job's
short transactions claim it, stage each rendered document, record a failure, and apply the result.

A job is the source of truth (the queue only carries its id) and is applied all at once: its
documents are staged (``JobDocument``: rendered and stored, seen by nobody) one by one, and one
final command (:func:`finish`) checks the decision still stands, makes every document visible
and changes what the decision changes. Every step is idempotent: a step finds its staged
document and renders nothing again, and the final command does nothing for a job already done.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from procurement import audit, clock
from procurement.domain import N_
from procurement.extensions import db
from procurement.models import JOB_DONE, JOB_FAILED, JOB_QUEUED, JOB_RUNNING, Job, JobDocument, Project, User
from procurement.queries.jobs import is_stale
from procurement.services import ServiceError
from procurement.services.documents import DocumentSpec, Rendered, record, request_base_url
from procurement.services.unit_of_work import after_commit, command, lock_project, transaction

MAX_ERROR_LENGTH = 2000


class PermanentJobError(Exception):
    """The decision no longer applies (the project moved on): retrying cannot help."""


@dataclass(frozen=True)
class JobKind:
    """What a kind of job does: its steps, each step's document, and its final change."""

    #: The step names, in order (from the payload alone: no statement).
    steps: Callable[[Job], list[str]]
    #: Read what one step renders (no write): a document spec with its context loaded.
    prepare: Callable[[Job, str], DocumentSpec]
    #: Inside the final command, the project locked: check, make the documents visible, change.
    apply: Callable[[Job, dict[str, JobDocument], User | None], None]
    #: Outside any transaction, after the steps: work that is not a document (sending a mail).
    deliver: Callable[[Job], None] | None = None


def max_attempts() -> int:
    """How many times a job runs before it is shown failed (config ``JOB_MAX_ATTEMPTS``)."""
    return int(current_app.config.get("JOB_MAX_ATTEMPTS", 3))


def _enqueue_after_commit(job: Job) -> None:
    from procurement.jobs.queue import enqueue  # the dispatcher imports no service

    job_id = job.id
    after_commit(lambda: enqueue(job_id))


def create(kind: str, project: Project | None, key: str, payload: dict, *, total: int, actor=None) -> Job:
    """Record a job for ``project`` (``None``: a site job, such as a mail) in the current command; it is enqueued once the command commits.

    ``key`` names the decision: asking for the same one again returns its job. The deciding
    request's address goes into the payload, for the verification URLs the documents print.
    """
    existing = db.session.scalar(sa.select(Job).where(Job.key == key))
    if existing is not None:
        return existing
    now = clock.now()
    job = Job(
        kind=kind,
        project_id=project.id if project is not None else None,
        key=key,
        payload={**payload, "base_url": request_base_url()},
        status=JOB_QUEUED,
        attempts=0,
        progress_done=0,
        progress_total=total,
        created_at=now,
        updated_at=now,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(job)
    db.session.flush()
    _enqueue_after_commit(job)
    return job


def create_many(kind: str, entries: list[tuple[str, dict]], *, total: int) -> dict[str, int]:
    """Record many site jobs of ``kind`` at once (``entries``: key and payload each): key → job id.

    A key that already has a job keeps it. Two statements whatever the number (the existing
    keys, one multi-row INSERT), each job enqueued once the command commits.
    """
    keys = [key for key, _ in entries]
    if not keys:
        return {}
    found = dict(db.session.execute(sa.select(Job.key, Job.id).where(Job.key.in_(keys))).tuples().all())
    now = clock.now()
    base_url = request_base_url()
    rows = [
        {
            "kind": kind,
            "project_id": None,
            "key": key,
            "payload": {**payload, "base_url": base_url},
            "status": JOB_QUEUED,
            "attempts": 0,
            "progress_done": 0,
            "progress_total": total,
            "created_at": now,
            "updated_at": now,
        }
        for key, payload in entries
        if key not in found
    ]
    if rows:
        made = db.session.execute(sa.insert(Job).returning(Job.key, Job.id), rows).tuples().all()
        from procurement.jobs.queue import enqueue  # the dispatcher imports no service

        for key, job_id in made:
            found[key] = job_id
            after_commit(lambda job_id=job_id: enqueue(job_id))
    return found


@command
def claim(job_id: int) -> Job | None:
    """Start a run: the job becomes ``running`` with one more attempt; ``None`` when there is nothing to run."""
    job = db.session.execute(
        sa.select(Job).where(Job.id == job_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if job is None or job.status in (JOB_DONE, JOB_FAILED):
        return None
    now = clock.now()
    job.status = JOB_RUNNING
    job.attempts += 1
    job.started_at = job.started_at or now
    job.updated_at = now
    return job


def stage(job_id: int, step: str, rendered: Rendered) -> None:
    """Keep a rendered document for the job's final transaction, and count it in the progress.

    A second run of the same job that staged the step first wins; this one's bytes stay unused.
    """
    try:
        with transaction():
            db.session.add(
                JobDocument(
                    job_id=job_id,
                    step=step,
                    kind=rendered.kind,
                    title=rendered.title,
                    project_id=rendered.project_id,
                    registration_id=rendered.registration_id,
                    supersede=rendered.supersede,
                    verification_code=rendered.verification_code,
                    sha256=rendered.sha256,
                    size=rendered.size,
                    storage_path=rendered.storage_path,
                    rendered_at=clock.now(),
                )
            )
            db.session.flush()
            staged = sa.select(sa.func.count(JobDocument.id)).where(JobDocument.job_id == job_id).scalar_subquery()
            db.session.execute(sa.update(Job).where(Job.id == job_id).values(progress_done=staged, updated_at=clock.now()))
    except IntegrityError:
        return


def staged_steps(job_id: int) -> set[str]:
    """The steps whose document is already staged."""
    return set(db.session.scalars(sa.select(JobDocument.step).where(JobDocument.job_id == job_id)))


@command
def finish(job_id: int, kind: JobKind) -> bool:
    """The final transaction: lock the project, check, make everything visible at once, done.

    Returns whether this run applied it (``False``: another run already had).
    :raise PermanentJobError: (from ``kind.apply``) the decision no longer applies.
    """
    project_id = db.session.scalar(sa.select(Job.project_id).where(Job.id == job_id))
    if project_id is not None:
        lock_project(project_id)
    job = db.session.execute(
        sa.select(Job).where(Job.id == job_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    if job.status == JOB_DONE:
        return False
    staged = {document.step: document for document in db.session.scalars(sa.select(JobDocument).where(JobDocument.job_id == job_id))}
    missing = [step for step in kind.steps(job) if step not in staged]
    if missing:
        raise RuntimeError(f"job {job_id}: steps not staged: {missing}")
    actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
    kind.apply(job, staged, actor)
    now = clock.now()
    job.status = JOB_DONE
    job.progress_done = job.progress_total
    job.last_error = None
    job.finished_at = now
    job.updated_at = now
    return True


def publish_staged(document: JobDocument, actor=None):
    """A step of a kind's ``apply``: the staged document becomes a GeneratedDocument (superseding, audited)."""
    issued = record(document, actor=actor)
    document.document_id = issued.id
    return issued


@command
def record_failure(job_id: int, error: BaseException, *, final: bool = False) -> str:
    """Keep the error; the job waits for its next attempt, or is ``failed`` after the last one (its status)."""
    job = db.session.execute(
        sa.select(Job).where(Job.id == job_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    if job.status == JOB_DONE:
        return job.status
    now = clock.now()
    job.last_error = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
    job.updated_at = now
    if final or job.attempts >= max_attempts():
        was = job.status
        job.status = JOB_FAILED
        job.finished_at = now
        if was != JOB_FAILED:
            for listener in _FAILURE_LISTENERS:
                listener(job)  # in this transaction: the alert exists exactly when the failure does
    else:
        job.status = JOB_QUEUED
    return job.status


#: Told of every job's final failure inside :func:`record_failure`'s transaction (buyer staff's
#: notification, registered by ``procurement.jobs.kinds``; services.jobs imports no notification).
_FAILURE_LISTENERS: list[Callable[[Job], None]] = []


def on_final_failure(listener: Callable[[Job], None]) -> None:
    """Call ``listener(job)`` whenever a job fails for good (once per listener)."""
    if listener not in _FAILURE_LISTENERS:
        _FAILURE_LISTENERS.append(listener)


def lock(job_id: int) -> Job:
    """The job's row, locked for the rest of the command and freshly loaded."""
    return db.session.execute(
        sa.select(Job).where(Job.id == job_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def requeue(job: Job) -> str:
    """Inside a command, ``job`` locked (:func:`lock`): queue a failed (or stalled) job again with
    fresh attempts, enqueued once the command commits; the status it had.

    :raise ServiceError: ``not_retryable`` when the job is done, or is running normally.
    """
    if job.status != JOB_FAILED and not is_stale(job):
        raise ServiceError(N_("该任务正在进行或已完成，无需重试。"), "not_retryable")
    was = job.status
    job.status = JOB_QUEUED
    job.attempts = 0
    job.finished_at = None
    job.updated_at = clock.now()
    _enqueue_after_commit(job)
    return was


@command
def retry(job: Job, actor) -> Job:
    """Buyer staff run a failed (or stalled) job again, from the steps it has not staged yet.

    :raise ServiceError: ``not_retryable`` when the job is done, or is running normally.
    """
    if job.project_id is not None:
        lock_project(job.project_id)
    job = lock(job.id)
    was = requeue(job)
    audit.record(
        "job.retry",
        object_type="job",
        object_id=job.id,
        project_id=job.project_id,
        details={"kind": job.kind, "was": was, "error": job.last_error},
        actor=actor,
    )
    return job


def resumable(*, everything: bool = False) -> list[int]:
    """Jobs a dead process left queued or running (stalled, see ``queries.jobs.is_stale``; all with ``everything``)."""
    rows = db.session.scalars(sa.select(Job).where(Job.status.in_((JOB_QUEUED, JOB_RUNNING))).order_by(Job.id)).all()
    now = clock.now()
    return [job.id for job in rows if everything or is_stale(job, now)]
