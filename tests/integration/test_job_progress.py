"""Feedback on long actions (issue 13): every action that starts a job leads the person who clicked it
to a page that follows the job (正在生成… N / M, then the document link, or the error and what
happens next), polled as JSON; a panel member reads only its own project's report job, without
the error text; every form that starts a job says 正在提交… while it is sent."""
from __future__ import annotations

from datetime import datetime

import lxml.html

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import Job
from procurement.services import evaluation
from tests.conftest import AuthActions, post_form
from tests.factories import OPENED_AT, PASSWORD, make_buyer, make_opened_project, make_panel, make_project
from tests.factories import attention as world
from tests.factories.jobs import manual_jobs, quick_renders, recorded_renders, run_jobs

STARTS_JOB = 'data-starts-job data-submitting="正在提交…"'


def signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def job_of(project_id: int, kind: str) -> Job:
    return db.session.scalar(db.select(Job).where(Job.project_id == project_id, Job.kind == kind).order_by(Job.id.desc()))


def test_publishing_leads_to_the_announcements_progress_then_its_pdf(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock, publish=False)
    client = signed_in(app, buyer)
    page = f"/buyer/projects/{project.id}/publish"
    assert STARTS_JOB in text(client.get(page))
    with quick_renders(), manual_jobs(app):
        response = post_form(client, page, {"confirm": "yes"})
        job = job_of(project.id, "project.announcement")
        progress = f"/buyer/projects/{project.id}/jobs/{job.id}"
        assert response.status_code == 302 and response.location == progress
        html = text(client.get(progress))
        assert "公告已发布。" in html and "询比价公告PDF" in html
        assert "正在生成：已完成 <span data-job-done>0</span> / 1" in html
        assert "公告内容已经公开；PDF生成前公告页面暂不提供下载。" in html
        assert f'data-job-poll="{progress}.json"' in html and "js/jobs.js" in html
        status = client.get(f"{progress}.json").get_json()
        assert status["jobs"][0] | {"documents": []} == {
            "id": job.id, "kind": "project.announcement", "status": "queued", "done": 0, "total": 1,
            "notices_done": 0, "notices_total": 0, "documents": [], "error": None, "can_retry": False,
        }
        run_jobs(app)
    html = text(client.get(progress))
    doc = lxml.html.document_fromstring(html)
    (link,) = doc.xpath('//*[@data-testid="job-published"]//a')
    assert link.text_content() == "西藏日报社遴选2025年办公用品供应商项目询比价公告"
    assert "询比价公告PDF已生成，公告页面现在提供下载。" in html and "js/jobs.js" not in html
    pdf = client.get(link.get("href"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert client.get(f"{progress}.json").get_json()["jobs"][0]["status"] == "done"


def test_an_amendment_and_a_cancellation_lead_to_their_jobs(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    client = signed_in(app, buyer)
    clock.set(datetime(2024, 12, 26, 9, 0, tzinfo=BEIJING))
    amend = f"/buyer/projects/{project.id}/amend"
    assert STARTS_JOB in text(client.get(amend))
    data = {
        "opening_at": "2025-01-02T16:00", "opening_place": "西藏传媒集团三楼会议室", "registration_working_days": "5",
        "requirements_text": "具体详见询比价文件及公告", "registration_documents_text": "", "contact_name": "措姆女士",
        "contact_phone": "13618906639", "summary": "地点改为三楼会议室", "reason": "会议室冲突",
    }
    with quick_renders():
        response = post_form(client, amend, data)
        announcement = job_of(project.id, "project.announcement")
        assert response.location == f"/buyer/projects/{project.id}/jobs/{announcement.id}"
        assert announcement.payload["amendments"] == 1
        cancel = f"/buyer/projects/{project.id}/cancel"
        assert STARTS_JOB in text(client.get(cancel))
        response = post_form(client, cancel, {"reason": "采购需求变更"})
    termination = job_of(project.id, "project.termination")
    assert response.location == f"/buyer/projects/{project.id}/jobs/{termination.id}"
    html = text(client.get(response.location))
    assert "终止公告已生成并公开" in html and "终止公告" in html and 'data-testid="job-published"' in html


def test_the_opening_page_follows_the_opening_records_pdf(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    client = signed_in(app, buyer)
    clock.set(OPENED_AT)
    assert STARTS_JOB in text(client.get(f"/buyer/projects/{project.id}"))
    with quick_renders(), manual_jobs(app):
        response = post_form(client, f"/buyer/projects/{project.id}/open", page=f"/buyer/projects/{project.id}")
        assert response.location == f"/buyer/projects/{project.id}/opening"
        html = text(client.get(response.location))
        job = job_of(project.id, "opening.record")
        assert "正在生成开标记录PDF" in html and 'data-testid="job-opening.record"' in html
        assert f'data-job-poll="/buyer/projects/{project.id}/jobs/{job.id}.json"' in html
        assert 'data-testid="opening-record-pdf"' not in html
        run_jobs(app)
    html = text(client.get(f"/buyer/projects/{project.id}/opening"))
    assert 'data-testid="opening-record-pdf"' in html and 'data-testid="job-opening.record"' not in html


def test_a_failed_job_shows_its_error_and_what_happens_next_and_its_retry_returns_to_it(app, clock):
    buyer = make_buyer()
    with quick_renders():
        project = world.failed_job(buyer, clock, "败")
    job = job_of(project.id, "project.announcement")
    client = signed_in(app, buyer)
    progress = f"/buyer/projects/{project.id}/jobs/{job.id}"
    html = text(client.get(progress))
    assert 'data-testid="job-failed"' in html and "injected failure" in html
    assert "点击“重试”从未完成的步骤继续生成" in html and "PDF生成前公告页面暂不提供下载" in html
    assert f'action="{progress}/retry"' in html and STARTS_JOB in html
    status = client.get(f"{progress}.json").get_json()["jobs"][0]
    assert status["status"] == "failed" and "injected failure" in status["error"] and status["can_retry"]
    with quick_renders():
        response = post_form(client, f"{progress}/retry", page=progress)
    assert response.location == progress
    assert 'data-testid="job-done"' in text(client.get(progress))


def test_a_job_answers_only_on_its_own_projects_address(app, clock):
    buyer = make_buyer()
    with quick_renders():
        first, second = make_project(buyer, clock, code="A-1"), make_project(buyer, clock, code="A-2")
    client = signed_in(app, buyer)
    job = job_of(first.id, "project.announcement")
    assert client.get(f"/buyer/projects/{first.id}/jobs/{job.id}").status_code == 200
    assert client.get(f"/buyer/projects/{second.id}/jobs/{job.id}").status_code == 404
    assert client.get(f"/buyer/projects/{second.id}/jobs/{job.id}.json").status_code == 404
    assert client.get(f"/buyer/projects/{first.id}/jobs/999999").status_code == 404


def _all_but_the_last_signed(buyer, clock):
    member = make_panel(name="次仁")
    built = world.seated(buyer, clock, member, "签", "signed")
    evaluation.confirm_report(built.members[1], PASSWORD, None, built.panel[1])
    return built


def test_the_last_signature_leads_to_the_reports_progress_then_its_link(app, clock):
    buyer = make_buyer()
    with quick_renders():
        built = _all_but_the_last_signed(buyer, clock)
    project_id = built.project.id
    last = signed_in(app, built.panel[2])
    report = f"/panel/projects/{project_id}/report"
    assert STARTS_JOB in text(last.get(report))
    with quick_renders(), manual_jobs(app):
        response = post_form(last, report, {"password": PASSWORD, "dissent": ""})
        assert response.status_code == 302 and response.location == report
        html = text(last.get(report))
        job = job_of(project_id, "evaluation.report")
        assert "全体成员均已确认，正在生成评审报告PDF。" in html
        assert "正在生成：已完成 <span data-job-done>0</span> / 1" in html
        assert f'data-job-poll="/panel/projects/{project_id}/jobs/{job.id}.json"' in html
        status = last.get(f"/panel/projects/{project_id}/jobs/{job.id}.json").get_json()["jobs"][0]
        assert status["status"] == "queued" and status["total"] == 1
        # Another member of this panel follows it too.
        assert signed_in(app, built.panel[0]).get(f"/panel/projects/{project_id}/jobs/{job.id}.json").status_code == 200
        run_jobs(app)
    html = text(last.get(report))
    assert 'data-testid="report-pdf"' in html and 'data-testid="report-progress"' not in html
    assert last.get(f"/panel/projects/{project_id}/report.pdf").status_code == 200
    assert last.get(f"/panel/projects/{project_id}/jobs/{job.id}.json").get_json()["jobs"][0]["status"] == "done"


def test_a_panel_member_reads_only_its_projects_report_job_and_never_its_error(app, clock):
    buyer = make_buyer()
    with quick_renders():
        built = _all_but_the_last_signed(buyer, clock)
        other = make_opened_project(buyer, clock, code="OTHER", panel=("外甲", "外乙", "外丙"), declare=True, start=True)
        with recorded_renders() as renders:
            renders.fail = -1
            evaluation.confirm_report(built.members[2], PASSWORD, None, built.panel[2])
    project_id = built.project.id
    job = job_of(project_id, "evaluation.report")
    assert job.status == "failed"
    member = signed_in(app, built.panel[0])
    url = f"/panel/projects/{project_id}/jobs/{job.id}.json"
    status = member.get(url).get_json()["jobs"][0]
    assert status["status"] == "failed" and status["error"] is None and status["can_retry"] is False
    html = text(member.get(f"/panel/projects/{project_id}/report"))
    assert 'data-testid="job-failed"' in html and "injected failure" not in html
    assert "采购人会看到此问题并重新生成" in html and 'data-testid="job-error"' not in html
    # Another project's panel member: 404, by its own project's address too.
    outsider = signed_in(app, other.panel[0])
    assert outsider.get(url).status_code == 404
    assert outsider.get(f"/panel/projects/{other.project.id}/jobs/{job.id}.json").status_code == 404
    # A job of another kind on the member's own project: 404.
    opening = job_of(project_id, "opening.record")
    assert member.get(f"/panel/projects/{project_id}/jobs/{opening.id}.json").status_code == 404
    # The buyer's failed-job item leads to the retry, which issues it.
    buyer_client = signed_in(app, buyer)
    assert "评审报告PDF" in text(buyer_client.get("/buyer/"))
    with quick_renders():
        post_form(buyer_client, f"/buyer/projects/{project_id}/jobs/{job.id}/retry", page=f"/buyer/projects/{project_id}/jobs/{job.id}")
    assert member.get(url).get_json()["jobs"][0]["status"] == "done"


def test_a_recused_member_cannot_read_the_report_job(app, clock):
    buyer = make_buyer()
    with quick_renders():
        built = make_opened_project(buyer, clock, code="REC", panel=("回甲", "回乙", "回丙", "回丁"))
        evaluation.declare(built.members[3], True, "与供应商一存在亲属关系", built.panel[3])
        for member, user in list(zip(built.members, built.panel))[:3]:
            evaluation.declare(member, False, None, user)
        evaluation.start_evaluation(built.project, buyer)
        for index in range(3):
            world.submit_votes(built, index)
        evaluation.rank(built.members[0], built.panel[0])
        for member, user in list(zip(built.members, built.panel))[:3]:
            evaluation.confirm_report(member, PASSWORD, None, user)
    job = job_of(built.project.id, "evaluation.report")
    recused = signed_in(app, built.panel[3])
    assert recused.get(f"/panel/projects/{built.project.id}/jobs/{job.id}.json").status_code == 403


def test_the_award_publication_and_the_retry_buttons_say_they_start_a_job(app, clock):
    from procurement.services import award as award_service

    buyer = make_buyer()
    with quick_renders():
        built = world.awaiting_award(buyer, clock, "按")
    clock.set(world.LOOK_AT)
    award_service.confirm(built.project, built.candidate(1)[1].id, buyer)
    html = text(signed_in(app, buyer).get(f"/buyer/projects/{built.project.id}"))
    doc = lxml.html.document_fromstring(html)
    (form,) = doc.xpath('//form[.//button[normalize-space()="发布成交结果"]]')
    assert form.get("data-starts-job") is not None and form.get("data-submitting") == "正在提交…"
