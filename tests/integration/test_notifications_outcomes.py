"""Notifications of how a project ends (issue 13): the result (the winner's award notice, the
others' result notice, when the publication job applies), a challenge filed (buyer staff, with the
answer's deadline, reminded as its last day begins) and answered (the challenger), a project
cancelled or failed (every registrant), and a job that failed (buyer staff; a failed mail in the
app only, never by mail). Each reaches a real SMTP server; nobody else is told.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from procurement.domain import notifications as kinds
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import JOB_FAILED, Job, MailMessage
from procurement.queries import reminders as reminder_reads
from procurement.services import award as award_service
from procurement.services import challenges, projects, reminders
from tests.factories import make_accepted_registration, make_buyer, make_evaluated_project, make_project, make_supplier, register
from tests.factories.jobs import manual_jobs, recorded_renders, run_jobs
from tests.mailserver import smtp_server
from tests.notices import arrived, kinds_told, mail_rows, mailed_text, smtp, told

RESULT_DAY = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)
FILED_AT = datetime(2025, 1, 8, 15, 0, tzinfo=BEIJING)  # the answer is due 2025-01-17


@pytest.fixture
def received(app):
    with smtp(app) as received:
        yield received


@pytest.fixture
def published(app, clock, received):
    buyer = make_buyer()
    buyer2 = make_buyer(email="buyer2@example.com", name="次仁")
    built = make_evaluated_project(buyer, clock)
    clock.set(RESULT_DAY)
    winner_user, winner = built.candidate(1)
    award_service.confirm(built.project, winner.id, buyer)
    with manual_jobs(app):
        award_service.publish(built.project, buyer)
        built.before_job = [told(user, kinds.RESULT_PUBLISHED) for user in built.suppliers]
        while run_jobs(app):
            pass
    built.buyer2, built.winner_user = buyer2, winner_user
    return built


def test_the_result_tells_the_winner_of_its_award_notice_and_the_others_of_their_result_notice(app, published, received):
    assert published.before_job == [[], [], [], []]  # nothing before the job applied the result
    winner = published.winner_user
    [award] = told(winner, kinds.RESULT_PUBLISHED)
    assert "成交通知书" in award.title and "被确定为成交供应商" in award.body
    [mail] = arrived(received, winner, "成交通知书")
    assert "被确定为成交供应商" in mailed_text(mail)
    for user in published.suppliers:
        if user.id == winner.id:
            continue
        [result] = told(user, kinds.RESULT_PUBLISHED)
        assert "成交结果通知" in result.title and "未被确定为成交供应商" in result.body
        assert len(arrived(received, user, "成交结果通知")) == 1 and arrived(received, user, "成交通知书") == []
    assert told(published.buyer, kinds.RESULT_PUBLISHED) == []


def test_a_challenge_tells_buyer_staff_is_reminded_as_its_last_day_begins_and_its_answer_tells_the_challenger(
    app, clock, published, received
):
    challenger, registration = published.candidate(2)
    clock.set(FILED_AT)
    challenge = challenges.file_challenge(published.project, registration, "成交供应商报价低于成本。", [], challenger)
    for staff in (published.buyer, published.buyer2):
        [filed] = told(staff, kinds.CHALLENGE_FILED)
        assert "2025年1月17日" in filed.body and filed.link == f"/buyer/challenges/{challenge.id}"
        assert len(arrived(received, staff, "收到质疑")) == 1
    assert all(kinds.CHALLENGE_FILED not in kinds_told(user) for user in published.suppliers)

    last_day = datetime(2025, 1, 17, 0, 0, tzinfo=BEIJING)
    assert reminders.tick(last_day - timedelta(minutes=1)) == 0
    assert reminders.tick(last_day + timedelta(hours=9)) == 2
    assert reminder_reads.answers_due(last_day + timedelta(hours=10)) == []  # the sent ones are left out in SQL
    assert reminders.tick(last_day + timedelta(hours=10)) == 0
    for staff in (published.buyer, published.buyer2):
        [reminder] = told(staff, kinds.CHALLENGE_ANSWER_REMINDER)
        assert "2025年1月17日（当日24时止）" in reminder.body
        assert len(arrived(received, staff, "质疑答复期限提醒")) == 1

    clock.set(last_day + timedelta(hours=11))
    challenges.answer_challenge(challenge, "经复核，评审程序合法，维持原成交结果。", published.buyer)
    [answered] = told(challenger, kinds.CHALLENGE_ANSWERED)
    assert answered.link == f"/supplier/challenges/{challenge.id}"
    assert len(arrived(received, challenger, "质疑已答复")) == 1
    assert all(told(user, kinds.CHALLENGE_ANSWERED) == [] for user in published.suppliers if user.id != challenger.id)
    assert reminders.tick(last_day + timedelta(hours=12)) == 0


def test_a_cancelled_project_tells_every_registrant_with_the_reason(app, clock, received):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    accepted, refused, outsider = make_supplier(), make_supplier(), make_supplier()
    make_accepted_registration(project, accepted, clock)
    register(project, refused, clock, consortium=True)
    clock.set(datetime(2024, 12, 30, 10, 0, tzinfo=BEIJING))
    projects.cancel(project, "采购需求发生重大变化", buyer)
    for user in (accepted, refused):
        [ended] = told(user, kinds.PROJECT_ENDED)
        assert "项目终止" in ended.title and "采购需求发生重大变化" in ended.body
        assert len(arrived(received, user, "项目终止")) == 1
    assert told(outsider) == [] and told(buyer, kinds.PROJECT_ENDED) == []


def test_a_failed_evaluation_tells_every_registrant_and_buyer_staff(app, clock, received):
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock, failing=(1, 2, 3))  # one valid quote: fewer than three
    assert built.project.status == "failed"
    for user in built.suppliers:
        [ended] = told(user, kinds.PROJECT_ENDED)
        assert "项目流标" in ended.title and "流标" in ended.body
        assert len(arrived(received, user, "项目流标")) == 1
    [signed] = told(buyer, kinds.REPORT_SIGNED)
    assert "项目已流标" in signed.body


def test_a_job_that_fails_for_good_tells_buyer_staff_in_the_app_and_by_mail(app, clock, received):
    buyer = make_buyer()
    with recorded_renders() as renders:
        renders.fail = -1
        project = make_project(buyer, clock)  # the announcement's job fails every attempt
    job = db.session.scalar(sa.select(Job).where(Job.project_id == project.id))
    assert job.status == JOB_FAILED
    [failed] = told(buyer, kinds.JOB_FAILED)
    assert "询比价公告PDF" in failed.title and failed.link == f"/buyer/projects/{project.id}"
    [mail] = arrived(received, buyer, "后台任务失败")
    assert project.code in mailed_text(mail)


def test_a_failed_mail_tells_buyer_staff_in_the_app_only(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    supplier = make_supplier()
    with smtp_server() as (port, _):
        pass  # nothing listens on this port any more
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=2)
    make_accepted_registration(project, supplier, clock)  # its mail cannot be delivered
    [mail] = mail_rows(supplier, kinds.REGISTRATION_CHECKED)
    assert db.session.get(Job, mail.job_id).status == JOB_FAILED
    [failed] = told(buyer, kinds.JOB_FAILED)
    assert "发送邮件" in failed.title and failed.mail_message_id is None
    assert supplier.email in failed.body and mail.subject in failed.body and "重新发送" in failed.body
    assert failed.link == "/buyer/#failed-mails"
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id)).where(MailMessage.kind == kinds.JOB_FAILED)) == 0
