"""``flask worker`` (an RQ worker with the app) and ``flask jobs`` (resume, run, list)."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

jobs_cli = AppGroup("jobs", help="Slow work (documents) run by the workers.")


def _resume(everything: bool) -> list[int]:
    """Send the stalled queued or running jobs to run again (RQ, or here without Redis)."""
    from procurement.extensions import db
    from procurement.jobs.queue import enqueue
    from procurement.services.jobs import resumable

    ids = resumable(everything=everything)
    db.session.rollback()
    for job_id in ids:
        enqueue(job_id)
    return ids


@jobs_cli.command("resume")
@click.option("--all", "everything", is_flag=True, help="Every queued or running job, not only the stalled ones.")
def jobs_resume(everything: bool) -> None:
    """Run again the jobs a dead process left queued or running (each is idempotent)."""
    ids = _resume(everything)
    click.echo(f"resumed {len(ids)} job(s){': ' + ', '.join(map(str, ids)) if ids else ''}")


@jobs_cli.command("run")
def jobs_run() -> None:
    """Run every queued job in this process, now (no worker needed)."""
    from procurement.jobs.runner import drain

    ids = drain()
    click.echo(f"ran {len(ids)} job(s)")


@jobs_cli.command("list")
def jobs_list() -> None:
    """The jobs not yet done, with their progress and last error."""
    import sqlalchemy as sa

    from procurement.extensions import db
    from procurement.models import JOB_UNFINISHED, Job

    for job in db.session.scalars(sa.select(Job).where(Job.status.in_(JOB_UNFINISHED)).order_by(Job.id)):
        click.echo(f"{job.id}\t{job.kind}\tproject {job.project_id}\t{job.status}\t{job.progress_done}/{job.progress_total}\t{job.last_error or ''}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then exit.")
@click.option("--no-resume", is_flag=True, help="Do not resume stalled jobs on start.")
@with_appcontext
def worker(burst: bool, no_resume: bool) -> None:
    """An RQ worker for the app's queue (needs REDIS_URL); run N of them in production."""
    from rq import SimpleWorker

    from procurement.jobs.queue import mode, redis_connection, rq_queue

    if not current_app.config.get("REDIS_URL") or mode() != "rq":
        raise click.ClickException("REDIS_URL is not set: without Redis, jobs run in the app's own process.")
    if not no_resume:
        ids = _resume(False)
        if ids:
            click.echo(f"resumed {len(ids)} stalled job(s)")
    # SimpleWorker runs each job in this process: the FontConfiguration stays warm across jobs.
    SimpleWorker([rq_queue()], connection=redis_connection()).work(burst=burst, with_scheduler=not burst)


def init_app(app: Flask) -> None:
    """Register ``flask worker`` and ``flask jobs`` (and load the queue's client when the app uses RQ)."""
    from procurement.jobs import queue, reminder_clock

    queue.init_app(app)
    app.cli.add_command(worker)
    app.cli.add_command(jobs_cli)
    reminder_clock.init_app(app)  # issue 13: flask reminders tick, and the embedded default's tick
