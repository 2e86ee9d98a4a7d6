"""Jobs on RQ with a real Redis (DB 2, a queue name of this test's own): the request enqueues
after its commit, a burst ``SimpleWorker`` runs the job, and a failure is retried by RQ."""
from __future__ import annotations

import os
import uuid
from datetime import datetime

import pytest
import sqlalchemy as sa

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.jobs.queue import redis_connection, rq_queue
from procurement.models import STATUS_AWARDED, GeneratedDocument, Job, Project
from procurement.services import award as award_service
from tests.factories import make_buyer, make_evaluated_project
from tests.factories.jobs import recorded_renders

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


@pytest.fixture
def rq_app(app):
    """The app with Redis DB 2 and a fresh queue of its own (``JOBS_RUN="rq"`` is set by the test,
    after building its world with jobs run at once)."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(REDIS_URL).ping()
    except RedisDown:
        pytest.fail(f"Redis does not answer at {REDIS_URL} (.ci/run starts one)")
    app.config.update(REDIS_URL=REDIS_URL, JOBS_QUEUE=f"test-{uuid.uuid4().hex}", JOB_RETRY_INTERVALS=[0])
    yield app
    queue = rq_queue(app)
    queue.empty()
    queue.delete(delete_jobs=True)
    redis_connection(app).close()


def _work(app) -> None:
    from rq import SimpleWorker

    db.session.commit()  # the worker's job runs in a session of its own (SQLite: let go of the lock)
    SimpleWorker([rq_queue(app)], connection=redis_connection(app)).work(burst=True)


def _awarded(clock):
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock)
    clock.set(datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING))
    award_service.confirm(built.project, built.candidate(1)[1].id, buyer)
    return built


def _notices(project_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(GeneratedDocument.id)).where(
            GeneratedDocument.project_id == project_id, GeneratedDocument.kind.in_(("award_notice", "result_notice"))
        )
    )


def test_the_request_enqueues_and_a_worker_issues_every_notice(rq_app, clock):
    app = rq_app
    built = _awarded(clock)
    project_id = built.project.id
    app.config["JOBS_RUN"] = "rq"
    with recorded_renders() as renders:
        job = award_service.publish(built.project, built.buyer)
        assert renders.count == 0
        assert rq_queue(app).count == 1
        assert db.session.get(Job, job.id).status == "queued"
        _work(app)
        assert renders.count == 5 and renders.in_transaction == []
    db.session.expire_all()
    assert db.session.get(Job, job.id).status == "done"
    assert db.session.get(Project, project_id).status == STATUS_AWARDED
    assert _notices(project_id) == 4


def test_rq_retries_a_failing_job_and_the_second_attempt_issues_it(rq_app, clock):
    app = rq_app
    built = _awarded(clock)
    app.config["JOBS_RUN"] = "rq"
    with recorded_renders() as renders:
        renders.fail = 1  # the first render of the first attempt fails
        job = award_service.publish(built.project, built.buyer)
        _work(app)  # the attempt fails, RQ re-enqueues it (no interval), the burst worker runs it again
    db.session.expire_all()
    stored = db.session.get(Job, job.id)
    assert (stored.status, stored.attempts) == ("done", 2)
    assert renders.count == 1 + 5
    assert _notices(built.project.id) == 4
