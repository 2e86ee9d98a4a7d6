"""Where a committed job goes to run (config ``JOBS_RUN``; empty picks by ``REDIS_URL``).

- ``rq``: onto the RQ queue in Redis; ``flask worker`` processes (N in production) run it.
- ``after_response`` (the embedded default, no Redis): in this process once the response is
  sent (``response.call_on_close``); outside a request (a CLI command), at once.
- ``eager`` (the test configuration): at once, right after the command commits, so a test
  client sees the result when the request returns.
- ``manual``: not at all until :func:`procurement.jobs.runner.drain` (tests of the pending state).

The dispatcher imports no service: the queue carries only the job's id, and the function it
names (:func:`procurement.jobs.runner.perform`) loads everything from the database.
"""
from __future__ import annotations

import logging

from flask import Flask, after_this_request, current_app, has_request_context

PERFORM = "procurement.jobs.runner.perform"
log = logging.getLogger(__name__)


def mode(app: Flask | None = None) -> str:
    """``rq``, ``after_response``, ``eager`` or ``manual``."""
    config = (app or current_app).config
    chosen = config.get("JOBS_RUN") or ""
    if chosen:
        return chosen
    return "rq" if config.get("REDIS_URL") else "after_response"


def redis_connection(app: Flask | None = None):
    """The app's Redis connection (one per process, made on first use)."""
    from redis import Redis

    app = app or current_app
    connection = app.extensions.get("jobs.redis")
    if connection is None:
        connection = Redis.from_url(app.config["REDIS_URL"])
        app.extensions["jobs.redis"] = connection
    return connection


def rq_queue(app: Flask | None = None):
    """The RQ queue the app's jobs go to (config ``JOBS_QUEUE``)."""
    from rq import Queue

    app = app or current_app
    return Queue(app.config.get("JOBS_QUEUE", "procurement"), connection=redis_connection(app))


def rq_retry(app: Flask | None = None):
    """RQ's retries: the attempts after the first (``JOB_MAX_ATTEMPTS``), spaced by ``JOB_RETRY_INTERVALS``."""
    from rq import Retry

    app = app or current_app
    retries = max(1, int(app.config.get("JOB_MAX_ATTEMPTS", 3)) - 1)
    return Retry(max=retries, interval=list(app.config.get("JOB_RETRY_INTERVALS", [10, 60])))


def init_app(app: Flask) -> None:
    """With RQ, import it when the app is built, not in the first request that enqueues (~0.15 s)."""
    if mode(app) == "rq":
        import rq  # noqa: F401


def enqueue(job_id: int) -> None:
    """Send a committed job to run, the way the configuration says."""
    app = current_app._get_current_object()
    chosen = mode(app)
    if chosen == "manual":
        return
    if chosen == "rq":
        try:
            rq_queue(app).enqueue(PERFORM, job_id, retry=rq_retry(app), job_timeout=int(app.config.get("JOB_TIMEOUT", 1800)))
        except Exception:  # Redis down: the job stays queued in the database; `flask jobs resume` sends it again
            log.exception("job %s could not be enqueued", job_id)
        return
    from procurement.jobs.runner import run_here

    if chosen == "after_response" and has_request_context():

        @after_this_request
        def _later(response):
            response.call_on_close(lambda: run_here(app, job_id))
            return response

        return
    run_here(app, job_id)
