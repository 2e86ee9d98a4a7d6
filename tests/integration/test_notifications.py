"""Notifications at the moments people must act or learn (issue 13): each event tells the right
people in the app and by mail (a real SMTP server receives it), and nobody else — another
supplier never; a person who switched a kind's e-mail off is told in the app only.

The reminders from the clock are in test_reminders.py; the pages in test_inbox_pages.py; the
opening, the evaluation and the result in test_notifications_after_opening.py.
"""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from werkzeug.datastructures import FileStorage

from procurement.domain import notifications as kinds
from procurement.domain.schedule import BEIJING
from procurement.models import REG_ACCEPTED, REG_REJECTED
from procurement.services import notifications, projects, rfq
from tests.factories import make_buyer, make_project, make_supplier, register, tiny_pdf
from tests.notices import arrived, kinds_told, mail_rows, mailed_text, smtp, told

AMENDED_AT = datetime(2024, 12, 27, 11, 0, tzinfo=BEIJING)


@pytest.fixture
def received(app):
    with smtp(app) as received:
        yield received


@pytest.fixture
def registered(app, clock, received):
    """A published project: A registered and accepted, B refused (a consortium), C never registered."""
    buyer = make_buyer()
    project = make_project(buyer, clock)
    a = make_supplier(company_name="拉萨甲商贸有限公司")
    b = make_supplier(company_name="拉萨乙文具有限公司")
    c = make_supplier(company_name="拉萨丙纸业有限公司")
    assert register(project, a, clock).registration.status == REG_ACCEPTED
    assert register(project, b, clock, consortium=True).registration.status == REG_REJECTED
    return buyer, project, a, b, c


def test_a_checked_registration_tells_its_supplier_passed_or_failed_with_the_reasons(app, registered, received):
    _, project, a, b, c = registered
    [passed] = told(a, kinds.REGISTRATION_CHECKED)
    assert "已通过资格审核" in passed.title and project.code in passed.title
    assert passed.link == f"/supplier/projects/{project.id}/registration" and passed.read_at is None
    [failed] = told(b, kinds.REGISTRATION_CHECKED)
    assert "未通过资格审核" in failed.title
    assert "不接受联合体投标：本项目不接受联合体投标。" in failed.body
    assert told(c) == []
    [mail_a] = arrived(received, a, "已通过资格审核")
    assert "已通过自动资格审核" in mailed_text(mail_a)
    assert f"http://testserver/supplier/projects/{project.id}/registration" in mailed_text(mail_a)
    assert mail_a.get_body(("html",)) is not None and "消息设置" in mailed_text(mail_a)
    [mail_b] = arrived(received, b, "未通过资格审核")
    assert "本项目不接受联合体投标。" in mailed_text(mail_b)
    assert "拉萨甲商贸有限公司" not in mailed_text(mail_b) and "拉萨乙文具有限公司" not in mailed_text(mail_a)
    assert arrived(received, c) == []


def test_a_correction_notice_tells_every_registrant_and_a_switched_off_mail_stays_in_the_app(app, clock, registered, received):
    buyer, project, a, b, c = registered
    notifications.set_email_switches(a, {code: code != kinds.PROJECT_AMENDED for code in kinds.KINDS})
    clock.set(AMENDED_AT)
    projects.amend(project, {"contact_phone": "0891-6831234"}, "联系电话变更", "原电话号码有误", buyer)
    for supplier in (a, b):
        [amended] = told(supplier, kinds.PROJECT_AMENDED)
        assert "更正公告" in amended.title and "联系电话变更" in amended.body and "原电话号码有误" in amended.body
    assert mail_rows(a, kinds.PROJECT_AMENDED) == []  # A switched this kind's mail off: in the app only
    assert arrived(received, a, "更正公告") == []
    [mail_b] = arrived(received, b, "更正公告")
    assert "联系电话变更" in mailed_text(mail_b)
    assert kinds_told(c) == [] and arrived(received, c) == []
    assert told(buyer) == []
    # A still receives the kinds it left on
    rfq.add_file(project, FileStorage(io.BytesIO(tiny_pdf("rfq")), filename="询比价文件.pdf"), "询比价文件（第二版）", buyer)
    assert len(arrived(received, a, "询比价文件变更")) == 1


def test_an_rfq_document_added_or_removed_tells_every_registrant(app, clock, registered, received):
    buyer, project, a, b, c = registered
    added = rfq.add_file(project, FileStorage(io.BytesIO(tiny_pdf("rfq")), filename="询比价文件.pdf"), "技术规格书", buyer)
    rfq.remove_file(added, buyer)
    for supplier in (a, b):
        bodies = [n.body for n in told(supplier, kinds.RFQ_CHANGED)]
        assert len(bodies) == 2 and "新增了询比价文件《技术规格书》" in bodies[0] and "已被采购人撤下" in bodies[1]
        assert len(arrived(received, supplier, "询比价文件变更")) == 2
    assert told(c) == [] and arrived(received, c) == []


def test_a_draft_projects_documents_tell_nobody(app, clock, received):
    buyer = make_buyer()
    project = make_project(buyer, clock, publish=False)
    rfq.add_file(project, FileStorage(io.BytesIO(tiny_pdf("rfq")), filename="询比价文件.pdf"), "询比价文件", buyer)
    assert received.messages == []


def test_the_same_occasion_twice_tells_each_person_once(app, registered, received):
    _, project, a, _, _ = registered
    from procurement.services.unit_of_work import transaction

    for _ in range(2):
        with transaction():
            notifications.notify(a, kinds.PROJECT_AMENDED, project=project, title="更正公告", body="正文", key="probe:1")
    assert len(told(a, kinds.PROJECT_AMENDED)) == 1
    assert len(arrived(received, a, "更正公告")) == 1
    with pytest.raises(RuntimeError):
        notifications.notify(a, kinds.PROJECT_AMENDED, project=project, title="更正公告", body="正文", key="probe:2")
