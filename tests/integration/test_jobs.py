"""Slow work off the request (issue 12): a decision's request renders nothing and sends a bounded
number of statements; its job issues every document outside any transaction and applies the
result at once; a re-run duplicates nothing; a failing job is retried, shown failed with its
error, and its retry button works; nobody outside the buyer's office sees a result before every
document it refers to exists."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.jobs.kinds import kind_of
from procurement.jobs.runner import run_once
from procurement.models import STATUS_AWARDED, STATUS_EVALUATED, AuditEvent, GeneratedDocument, Job, JobDocument, Project
from procurement.queries import award as award_queries
from procurement.queries import opening as opening_queries
from procurement.services import award as award_service
from procurement.services import jobs as job_service
from procurement.services import ServiceError, project_amendment, project_cancellation
from tests.conftest import AuthActions, csrf_token, post_form
from tests.factories import make_buyer, make_evaluated_project, make_opened_project, make_project
from tests.factories.jobs import manual_jobs, recorded_renders, run_jobs
from tests.sqlcount import count_statements

RESULT_DAY = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)


def _awarded(clock, participants: int, buyer=None):
    """An evaluated project with ``participants`` qualified suppliers, its first candidate awarded."""
    buyer = buyer or make_buyer()
    prices = [("24.50", "398.75", f"{30 + n}.00") for n in range(participants)]
    built = make_evaluated_project(buyer, clock, prices=prices, failing=())
    clock.set(RESULT_DAY)
    award_service.confirm(built.project, built.candidate(1)[1].id, buyer)
    return built


def _publish(client, project_id: int):
    page = f"/buyer/projects/{project_id}"
    return post_form(client, f"/buyer/projects/{project_id}/award/publish", page=page)


def _documents(project_id: int, kinds=award_queries.NOTICE_KINDS + (award_queries.KIND_ANNOUNCEMENT,)) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(GeneratedDocument.id)).where(
            GeneratedDocument.project_id == project_id, GeneratedDocument.kind.in_(kinds)
        )
    )


def _issue_events(project_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.project_id == project_id, AuditEvent.action == "document.issue")
    )


def _job(project_id: int, kind: str = "award.publish") -> Job:
    db.session.expire_all()
    return db.session.scalar(sa.select(Job).where(Job.project_id == project_id, Job.kind == kind).order_by(Job.id.desc()))


def _nothing_public(client, built) -> None:
    """No participant and no member of the public sees the result or a notice."""
    project = db.session.get(Project, built.project.id)
    assert project.status == STATUS_EVALUATED
    assert not award_queries.result_is_public(project)
    assert client.get(f"/results/{project.id}").status_code == 404
    assert client.get(f"/results/{project.id}/result.pdf").status_code == 404
    assert f"/results/{project.id}" not in client.get("/results").get_data(as_text=True)
    for result in award_queries.results(project):
        assert award_queries.own_notice(project, result.registration) is None


def _supplier_client(app, user):
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


# --------------------------------------------------------------------------- publishing the result


def test_the_publish_request_renders_nothing_and_its_statements_do_not_grow(app, clock):
    small = _awarded(clock, 3)
    large = _awarded(clock, 7, buyer=small.buyer)
    client = app.test_client()
    AuthActions(client).login(small.buyer.email)
    counts = {}
    with manual_jobs(app), recorded_renders() as renders:
        sizes = {len(built.suppliers): built.project.id for built in (small, large)}
        for size, project_id in sizes.items():
            token = csrf_token(client, f"/buyer/projects/{project_id}")
            db.session.remove()  # a fresh session per request, as a server's
            with count_statements() as log:
                response = client.post(f"/buyer/projects/{project_id}/award/publish", data={"csrf_token": token})
            assert response.status_code == 302
            counts[size] = log.count
        assert renders.count == 0, renders.templates
        assert counts[3] == counts[7], counts
        assert counts[3] <= 40, counts
        for built in (small, large):
            job = _job(built.project.id)
            participants = len(award_queries.results(db.session.get(Project, job.project_id)))
            assert (job.status, job.progress_done, job.progress_total) == ("queued", 0, 1 + participants)
            _nothing_public(app.test_client(), built)
            assert _documents(built.project.id) == 0
        # The buyer's page shows the publication being issued, N of M, and offers no second publish.
        html = client.get(f"/buyer/projects/{large.project.id}").get_data(as_text=True)
        assert 'data-testid="job-award.publish"' in html and "0</span> / 7" in html
        assert "award/publish" not in html
        assert client.get(f"/buyer/projects/{large.project.id}/jobs.json").get_json()["jobs"][0]["notices_total"] == 7
        run_jobs(app)
        assert renders.count == (1 + 3) + (1 + 7)
        assert renders.in_transaction == [] and renders.statements == []
    for built in (small, large):
        project = db.session.get(Project, built.project.id)
        assert project.status == STATUS_AWARDED and award_queries.result_is_public(project)
        assert _documents(project.id) == 1 + len(award_queries.results(project))
        assert _job(project.id).status == "done"
        assert all(award_queries.own_notice(project, result.registration) for result in award_queries.results(project))
    assert client.get(f"/results/{large.project.id}").status_code == 200


def test_a_second_run_of_a_job_issues_nothing_again(app, clock):
    built = _awarded(clock, 3)
    with manual_jobs(app):
        award_service.publish(built.project, built.buyer)
        job_id = _job(built.project.id).id
        run_jobs(app)
    issued, events = _documents(built.project.id), _issue_events(built.project.id)
    assert issued == 4
    with recorded_renders() as renders:
        # A second delivery of the same job (an RQ retry, a resume after a crash) finds it done.
        assert run_once(job_id) is None
        assert job_service.finish(job_id, kind_of("award.publish")) is False
        # Publishing the same decision again is refused: it is published.
        with pytest.raises(ServiceError) as refused:
            award_service.publish(built.project, built.buyer)
        assert refused.value.code == "already_published"
    assert renders.count == 0
    assert (_documents(built.project.id), _issue_events(built.project.id)) == (issued, events)


def test_a_crash_midway_resumes_from_the_staged_documents(app, clock):
    built = _awarded(clock, 3)
    app.config["JOB_MAX_ATTEMPTS"] = 1
    before = _issue_events(built.project.id)
    with manual_jobs(app), recorded_renders() as renders:
        award_service.publish(built.project, built.buyer)
        job = _job(built.project.id)
        # The third render fails: two documents are staged, nothing is visible.
        calls = []

        def third_fails(template, **kwargs):
            calls.append(template)
            if len(calls) == 3:
                raise RuntimeError("worker killed")
            return real(template, **kwargs)

        from procurement.services import documents

        real = documents.render_pdf
        documents.render_pdf = third_fails
        try:
            run_jobs(app)
        finally:
            documents.render_pdf = real
        job = _job(built.project.id)
        assert job.status == "failed" and "worker killed" in job.last_error
        staged = db.session.scalar(sa.select(sa.func.count(JobDocument.id)).where(JobDocument.job_id == job.id))
        assert staged == 2
        assert _documents(built.project.id) == 0 and _issue_events(built.project.id) == before
        _nothing_public(app.test_client(), built)
        job_service.retry(job, built.buyer)
        run_jobs(app)
        assert renders.count == 4  # two before the failure, then only the two not staged yet
    assert _job(built.project.id).status == "done"
    assert _documents(built.project.id) == 4 and _issue_events(built.project.id) == before + 4


def test_a_failing_job_is_retried_then_shown_failed_and_the_retry_button_works(app, clock):
    built = _awarded(clock, 3)
    client = app.test_client()
    AuthActions(client).login(built.buyer.email)
    with recorded_renders() as renders:
        renders.fail = -1
        response = _publish(client, built.project.id)  # eager: every attempt runs before the answer
        assert response.status_code == 302
        job = _job(built.project.id)
        assert (job.status, job.attempts) == ("failed", 3)
        assert "injected failure" in job.last_error
        assert renders.count == 3
        _nothing_public(app.test_client(), built)
        winner_user, _ = built.candidate(1)
        supplier = _supplier_client(app, winner_user)
        assert supplier.get(f"/supplier/projects/{built.project.id}/my-notice.pdf").status_code == 404
        html = client.get(f"/buyer/projects/{built.project.id}").get_data(as_text=True)
        assert 'data-testid="job-failed"' in html and "injected failure" in html
        retry = f"/buyer/projects/{built.project.id}/jobs/{job.id}/retry"
        assert retry in html
        # Decisions wait for the publication: a drop-out is refused while it is pending.
        with pytest.raises(ServiceError) as refused:
            award_service.drop_out(built.project, built.candidate(1)[1].id, "declined", "放弃", built.buyer)
        assert refused.value.code == "publishing"
        renders.fail = 0
        response = post_form(client, retry, page=f"/buyer/projects/{built.project.id}")
        assert response.status_code == 302
    job = _job(built.project.id)
    assert job.status == "done" and job.last_error is None
    project = db.session.get(Project, built.project.id)
    assert project.status == STATUS_AWARDED and _documents(project.id) == 4
    assert supplier.get(f"/supplier/projects/{built.project.id}/my-notice.pdf").status_code == 200
    retried = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "job.retry"))
    assert retried is not None and retried.project_id == project.id


# --------------------------------------------------------------------------- the other documents


def test_the_last_signature_renders_nothing_and_the_project_waits_for_its_report(app, clock):
    buyer = make_buyer()
    with manual_jobs(app), recorded_renders() as renders:
        built = make_evaluated_project(buyer, clock)
        assert renders.count == 0
        project = db.session.get(Project, built.project.id)
        assert project.status == "opened"  # not evaluated before the report exists
        assert _job(project.id, "evaluation.report").status == "queued"
        run_jobs(app)  # the announcement, the opening record, the report
        assert renders.templates.count("documents/evaluation_report.html") == 1
        assert renders.in_transaction == [] and renders.statements == []
    project = db.session.get(Project, built.project.id)
    assert project.status == STATUS_EVALUATED
    assert _documents(project.id, ("evaluation_report",)) == 1


def test_a_failed_evaluation_shows_nothing_until_report_and_termination_notice_exist(app, clock):
    buyer = make_buyer()
    with manual_jobs(app):
        built = make_evaluated_project(buyer, clock, failing=(0, 1, 2))
        project = db.session.get(Project, built.project.id)
        assert project.status == "opened"
        client = app.test_client()
        assert 'data-testid="termination"' not in client.get(f"/notices/{project.id}").get_data(as_text=True)
        run_jobs(app)
    project = db.session.get(Project, built.project.id)
    assert project.status == "failed"
    html = app.test_client().get(f"/notices/{project.id}").get_data(as_text=True)
    assert 'data-testid="termination-pdf"' in html
    assert _documents(project.id, ("evaluation_report", "termination_notice")) == 2


def test_suppliers_see_the_opening_record_once_its_pdf_exists(app, clock):
    buyer = make_buyer()
    with manual_jobs(app), recorded_renders() as renders:
        built = make_opened_project(buyer, clock)
        assert renders.count == 0
        project = db.session.get(Project, built.project.id)
        company = built.suppliers[0].company_id
        assert project.status == "opened" and not opening_queries.supplier_may_see(project, company)
        supplier = _supplier_client(app, built.suppliers[0])
        assert supplier.get(f"/supplier/projects/{project.id}/opening").status_code == 404
        run_jobs(app)
    assert opening_queries.supplier_may_see(db.session.get(Project, built.project.id), company)
    assert supplier.get(f"/supplier/projects/{built.project.id}/opening").status_code == 200
    assert supplier.get(f"/supplier/projects/{built.project.id}/opening-record.pdf").status_code == 200


def test_an_amendment_pdf_and_a_cancellation_notice_come_from_jobs(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    client = app.test_client()
    assert client.get(f"/notices/{project.id}/notice.pdf").status_code == 200
    with manual_jobs(app), recorded_renders() as renders:
        project_amendment.amend(db.session.get(Project, project.id), {"opening_place": "西藏日报社三楼会议室"}, "更正开启地点", "会议室调整", buyer)
        html = client.get(f"/notices/{project.id}").get_data(as_text=True)
        assert 'data-testid="pdf-pending"' in html and "三楼会议室" in html
        assert client.get(f"/notices/{project.id}/notice.pdf").status_code == 404  # never the old text
        project_cancellation.cancel(db.session.get(Project, project.id), "采购需求发生变化", buyer)
        assert renders.count == 0
        html = client.get(f"/notices/{project.id}").get_data(as_text=True)
        assert 'data-testid="termination-pending"' in html
        run_jobs(app)
        assert renders.count == 2 and renders.in_transaction == []
    html = client.get(f"/notices/{project.id}").get_data(as_text=True)
    assert 'data-testid="termination-pdf"' in html
    pdf = client.get(f"/notices/{project.id}/notice.pdf")
    assert pdf.status_code == 200


def test_without_redis_a_job_runs_in_the_process_after_the_response(app, clock):
    """The embedded default (no REDIS_URL): the request answers first, then the same process runs the job."""
    built = _awarded(clock, 3)
    project_id, email = built.project.id, built.buyer.email
    app.config.update(JOBS_RUN="", REDIS_URL="")
    client = app.test_client()
    AuthActions(client).login(email)
    token = csrf_token(client, f"/buyer/projects/{project_id}")
    seen_in_request = []

    def _seen(response):
        seen_in_request.append(_job(project_id).status)
        return response

    app.after_request_funcs.setdefault(None, []).append(_seen)
    # A server's request ends its session before the response is closed (its app context goes);
    # the test's app context outlives the request, so end the session with the request here.
    app.teardown_request_funcs.setdefault(None, []).append(lambda error: db.session.remove())
    with recorded_renders() as renders:
        response = client.post(f"/buyer/projects/{project_id}/award/publish", data={"csrf_token": token})
        assert response.status_code == 302
    assert seen_in_request[-1] == "queued"  # nothing rendered before the answer
    assert renders.count == 4 and renders.in_transaction == []
    assert _job(project_id).status == "done"


def test_jobs_left_by_a_dead_process_are_resumed_from_the_command_line(app, clock, runner):
    built = _awarded(clock, 3)
    with manual_jobs(app):
        award_service.publish(built.project, built.buyer)
        job_id = _job(built.project.id).id
        # As if a worker died mid-run: running, untouched for longer than JOB_STALE_SECONDS.
        db.session.execute(sa.update(Job).where(Job.id == job_id).values(status="running"))
        db.session.commit()
        listed = runner.invoke(args=["jobs", "list"])
        assert f"{job_id}\taward.publish" in listed.output and "running" in listed.output
        assert "resumed 0 job(s)" in runner.invoke(args=["jobs", "resume"]).output  # not stalled yet
    clock.set(RESULT_DAY + timedelta(minutes=5))
    html_client = app.test_client()
    AuthActions(html_client).login(built.buyer.email)
    assert f"/jobs/{job_id}/retry" in html_client.get(f"/buyer/projects/{built.project.id}").get_data(as_text=True)
    result = runner.invoke(args=["jobs", "resume"])  # without Redis: run here, now
    assert f"resumed 1 job(s): {job_id}" in result.output
    assert _job(built.project.id).status == "done" and _documents(built.project.id) == 4
    refused = runner.invoke(args=["worker", "--burst"])
    assert refused.exit_code != 0 and "REDIS_URL" in refused.output
