"""Run a job by its id: claim it, render and stage each missing document outside any
transaction, then apply everything in one final command; on an error keep it for the retry.

No state lives in the process: a run starts from the job's row and its staged documents, so any
worker (or this process after a restart) can take a job over where another left it.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context

from procurement.extensions import db
from procurement.jobs.kinds import kind_of
from procurement.models import JOB_QUEUED, Job
from procurement.services import documents
from procurement.services import jobs as job_service
from procurement.services.unit_of_work import end_reading

log = logging.getLogger(__name__)


def run_once(job_id: int) -> str | None:
    """One attempt at a job; the job's status afterwards (``None``: nothing to run).

    :raise Exception: the attempt's error, after it was recorded (the job is ``queued`` again
        for the next attempt, or ``failed`` after the last).
    """
    job = job_service.claim(job_id)
    if job is None:
        return None
    try:
        kind = kind_of(job.kind)
        done = job_service.staged_steps(job_id)
        for step in kind.steps(job):
            if step in done:
                continue
            db.session.expire_all()
            spec = kind.prepare(job, step)
            base_url = (job.payload or {}).get("base_url")
            end_reading()  # nothing is held while WeasyPrint works
            job_service.stage(job_id, step, documents.render(spec, base_url=base_url))
        if kind.deliver is not None:
            db.session.expire_all()
            kind.deliver(job)
        job_service.finish(job_id, kind)
        return "done"
    except job_service.PermanentJobError as error:
        db.session.rollback()
        return job_service.record_failure(job_id, error, final=True)
    except Exception as error:
        db.session.rollback()
        log.exception("job %s failed", job_id)
        job_service.record_failure(job_id, error)
        raise


def run_here(app: Flask, job_id: int) -> str | None:
    """Run a job in this process until it is done or failed (every attempt at once, no wait)."""
    with app.app_context():  # a session of its own, as a worker has
        try:
            # Each attempt counts itself when it claims the job; the bound covers an attempt that
            # failed before it could (the database refusing the claim).
            for _ in range(job_service.max_attempts() + 1):
                try:
                    return run_once(job_id)
                except Exception:
                    status = _status(job_id)
                    if status != JOB_QUEUED:
                        return status
            return _status(job_id)
        finally:
            db.session.remove()


def _status(job_id: int) -> str | None:
    db.session.rollback()
    job = db.session.get(Job, job_id)
    return job.status if job is not None else None


_app: Flask | None = None


def _worker_app() -> Flask:
    """The app of ``flask worker``; under RQ's own ``rq worker``, one built from the environment, once."""
    global _app
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        from procurement import create_app

        _app = create_app()
    return _app


def perform(job_id: int) -> str | None:
    """The function RQ runs: one attempt; an error that leaves the job queued is raised for RQ's retry."""
    app = _worker_app()
    with app.app_context():
        try:
            return run_once(job_id)
        except Exception:
            status = _status(job_id)
            if status == JOB_QUEUED:
                raise
            return status
        finally:
            db.session.remove()


def drain(app: Flask | None = None) -> list[int]:
    """Run every queued job in this process (tests, ``flask jobs run``); the ids it ran.

    The caller's session is committed first, so the jobs' own sessions can write.
    """
    app = app or current_app._get_current_object()
    if has_app_context() and db.session().in_transaction():
        db.session.commit()  # the caller's session lets go (on SQLite a transaction holds the write lock)
    with app.app_context():
        ids = list(db.session.scalars(sa.select(Job.id).where(Job.status == JOB_QUEUED).order_by(Job.id)))
        db.session.remove()
    for job_id in ids:
        run_here(app, job_id)
    return ids
