"""Notifications from the opening on (issue 13): panel members appointed, the opening record (only
once its job has issued it, only to the suppliers whose quotes were opened), the evaluation
started, an explanation asked for (with its deadline, its reminder) and given, the report ready
to sign and signed by all. Every message reaches a real SMTP server; another supplier never
receives one meant for someone else.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from procurement.domain import notifications as kinds
from procurement.queries import reminders as reminder_reads
from procurement.services import evaluation, notify_staff, reminders
from procurement.services.unit_of_work import transaction
from tests.factories import (
    OPENED_SUPPLIERS,
    PANEL_NAMES,
    QUOTE_AT,
    REVIEW_AT,
    SupplierSpec,
    appoint_panel,
    make_accepted_registration,
    make_buyer,
    make_evaluated_project,
    make_opened_registration,
    make_project,
    make_sealed_quote,
    make_supplier,
    open_quotes,
    unanimous_votes,
)
from tests.factories.jobs import manual_jobs, run_jobs
from tests.notices import arrived, kinds_told, mailed_text, smtp, told

LOW = SupplierSpec("拉萨低价商贸有限公司", ("10.00", "150.00", "5.00"))  # 2,600.00: abnormally low
SPECS = (*OPENED_SUPPLIERS[:3], LOW)


@pytest.fixture
def received(app):
    with smtp(app) as received:
        yield received


class World:
    pass


@pytest.fixture
def opened(app, clock, received):
    """Four quotes opened (the last abnormally low), one accepted registrant without a quote, one
    supplier never registered; the panel appointed before the opening; two buyer staff."""
    world = World()
    world.buyer = make_buyer()
    world.buyer2 = make_buyer(email="buyer2@example.com", name="次仁")
    world.project = project = make_project(world.buyer, clock)
    world.users, world.registrations = [], []
    for spec in SPECS:
        user, registration = make_opened_registration(project, spec, clock=clock)
        world.users.append(user)
        world.registrations.append(registration)
    world.no_quote = make_supplier(company_name="拉萨未报价商贸有限公司")
    make_accepted_registration(project, world.no_quote, clock)
    world.outsider = make_supplier(company_name="拉萨局外商贸有限公司")
    for user, registration, spec in zip(world.users, world.registrations, SPECS):
        make_sealed_quote(registration, user, spec.prices, clock)
    world.panel, world.members = appoint_panel(project, PANEL_NAMES, at=QUOTE_AT, clock=clock)
    with manual_jobs(app):
        open_quotes(project, world.buyer, clock)
        world.record_before_job = [told(user, kinds.OPENING_RECORD) for user in world.users]
        while run_jobs(app):  # the record, then the mails its final transaction queued
            pass
    return world


def test_panel_members_are_told_of_their_appointment(app, opened, received):
    chair, *others = opened.panel
    [appointed] = told(chair, kinds.PANEL_APPOINTED)
    assert "组长" in appointed.title and appointed.link == f"/panel/projects/{opened.project.id}"
    assert all("成员" in told(member, kinds.PANEL_APPOINTED)[0].title for member in others)
    assert all(len(arrived(received, member, "询比价小组")) == 1 for member in opened.panel)
    assert all(kinds.PANEL_APPOINTED not in kinds_told(user) for user in opened.users)


def test_the_opening_record_is_told_once_its_job_issued_it_to_the_suppliers_whose_quotes_were_opened(app, opened, received):
    assert opened.record_before_job == [[], [], [], []]  # the job had not issued the record yet
    for user in opened.users:
        [record] = told(user, kinds.OPENING_RECORD)
        assert record.link == f"/supplier/projects/{opened.project.id}/opening"
        assert len(arrived(received, user, "开标记录已公布")) == 1
    assert told(opened.no_quote, kinds.OPENING_RECORD) == [] and arrived(received, opened.no_quote, "开标记录") == []
    assert told(opened.outsider) == [] and told(opened.buyer, kinds.OPENING_RECORD) == []


def test_the_evaluation_start_an_explanation_asked_reminded_and_given(app, clock, opened, received):
    project, members, panel = opened.project, opened.members, opened.panel
    clock.set(REVIEW_AT)  # 2025-01-02 16:30
    for user, member in zip(panel, members):
        evaluation.declare(member, False, None, user)
    evaluation.start_evaluation(project, opened.buyer)
    for user in panel:
        [started] = told(user, kinds.EVALUATION_STARTED)
        assert started.link == f"/panel/projects/{project.id}/review"
        assert len(arrived(received, user, "评审已开始")) == 1
    assert all(told(user, kinds.EVALUATION_STARTED) == [] for user in (*opened.users, opened.buyer))

    for user, member in zip(panel, members):
        evaluation.save_votes(member, unanimous_votes(project, {}), submit=True, actor=user)
    low_user, low_registration = opened.users[-1], opened.registrations[-1]
    assert set(evaluation.abnormal_low_flags(project)) == {low_registration.id}
    due = clock.now() + timedelta(days=2)
    review = evaluation.request_explanation(members[0], low_registration, due, panel[0])
    [asked] = told(low_user, kinds.EXPLANATION_REQUESTED)
    assert "2025年1月4日 16:30" in asked.body and asked.link == f"/supplier/projects/{project.id}/explanation"
    [mail] = arrived(received, low_user, "书面说明")
    assert "2025年1月4日 16:30" in mailed_text(mail)
    assert all(told(user, kinds.EXPLANATION_REQUESTED) == [] for user in opened.users[:-1])

    assert reminders.tick(due - timedelta(hours=24, minutes=1)) == 0
    assert reminders.tick(due - timedelta(hours=23)) == 1
    assert reminder_reads.explanations_due(due - timedelta(hours=1)) == []  # the sent one is left out in SQL
    assert reminders.tick(due - timedelta(hours=1)) == 0
    [reminder] = told(low_user, kinds.EXPLANATION_REMINDER)
    assert "尚未提交" in reminder.body
    assert all(told(user, kinds.EXPLANATION_REMINDER) == [] for user in opened.users[:-1])

    clock.set(due - timedelta(hours=20))
    evaluation.submit_explanation(review, "我公司为厂家直销，成本清单附后。", None, low_user)
    for staff in (opened.buyer, opened.buyer2, panel[0]):
        [given] = told(staff, kinds.EXPLANATION_SUBMITTED)
        assert "拉萨低价商贸有限公司" in given.body
        assert len(arrived(received, staff, "书面说明")) == 1
    assert all(told(user, kinds.EXPLANATION_SUBMITTED) == [] for user in (*panel[1:], *opened.users))
    assert reminders.tick(due - timedelta(hours=2)) == 0  # explained: nothing more to remind

    # The supplier revises its explanation before the decision: told again, as a revision, once.
    clock.set(due - timedelta(hours=10))
    evaluation.submit_explanation(review, "我公司为厂家直销，成本清单及进货发票附后。", None, low_user)
    with transaction():  # the same submission told again (a retried step) tells nobody twice
        notify_staff.explanation_submitted(review, revised=True)
    for staff in (opened.buyer, opened.buyer2, panel[0]):
        first, revised = sorted(told(staff, kinds.EXPLANATION_SUBMITTED), key=lambda n: n.id)
        assert "已提交书面说明" in first.title and "已修改书面说明" in revised.title
        assert "修改" in revised.body and "2025年1月4日 06:30" in revised.body
        assert len(arrived(received, staff, "书面说明")) == 2
    assert all(told(user, kinds.EXPLANATION_SUBMITTED) == [] for user in (*panel[1:], *opened.users))


def test_the_report_is_ready_to_sign_then_signed_by_all(app, clock, received):
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock)
    for user in built.panel:
        [ready] = told(user, kinds.REPORT_READY)
        assert ready.link == f"/panel/projects/{built.project.id}/report"
        assert len(arrived(received, user, "评审报告待您确认")) == 1
    [signed] = told(buyer, kinds.REPORT_SIGNED)
    assert "确定成交供应商" in signed.body
    assert len(arrived(received, buyer, "评审报告已全部签署")) == 1
    assert all(kinds.REPORT_READY not in kinds_told(user) and kinds.REPORT_SIGNED not in kinds_told(user) for user in built.suppliers)
