"""The award: candidates confirmed in order, drop-outs with reasons, framework awards, publication."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import Award, AuditEvent, GeneratedDocument
from tests.conftest import post_form
from tests.factories import make_buyer, make_evaluated_project, make_supplier

RESULT_DAY = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)  # Monday after the Friday report


@pytest.fixture
def evaluated(app, clock):
    """An evaluated project (report 2025-01-03), the clock on the next Monday, the buyer signed in."""
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock)
    clock.set(RESULT_DAY)
    return built


def _page(client, project_id: int) -> str:
    return client.get(f"/buyer/projects/{project_id}").get_data(as_text=True)


def confirm(client, built, place: int):
    _, registration = built.candidate(place)
    pid = built.project.id
    url = f"/buyer/projects/{pid}/award/{registration.id}/confirm"
    return post_form(client, url, page=f"/buyer/projects/{pid}", follow_redirects=True)


def publish(client, built):
    pid = built.project.id
    url = f"/buyer/projects/{pid}/award/publish"
    return post_form(client, url, page=f"/buyer/projects/{pid}", follow_redirects=True)


def drop_out(client, built, place: int, status: str = "declined", reason: str = "供应商书面声明放弃成交"):
    _, registration = built.candidate(place)
    url = f"/buyer/projects/{built.project.id}/award/{registration.id}/drop-out"
    return post_form(client, url, {"status": status, "reason": reason})


def test_award_section_lists_candidates_in_order_with_confirmation_deadline(client, auth, evaluated):
    auth.login("buyer@example.com")
    html = _page(client, evaluated.project.id)
    assert 'data-testid="award-section"' in html
    first = html.index("拉萨雪域办公用品有限公司")
    second = html.index("西藏圣地商贸有限公司")
    assert first < second
    assert "¥7,037.50" in html and "¥7,270.00" in html
    # Report on Friday 2025-01-03; five working days after it end on Friday 2025-01-10.
    assert "确认期限：2025年1月10日" in html
    assert "已逾期" not in html


def test_confirm_first_candidate_and_publish_the_result(client, auth, evaluated):
    auth.login("buyer@example.com")
    response = confirm(client, evaluated, 1)
    assert "已确定“拉萨雪域办公用品有限公司”为成交供应商" in response.get_data(as_text=True)
    response = publish(client, evaluated)
    assert "成交结果已发布" in response.get_data(as_text=True)

    project = evaluated.project
    db.session.refresh(project)
    assert project.status == "awarded"
    award = db.session.scalar(sa.select(Award).where(Award.project_id == project.id))
    _, winner_registration = evaluated.candidate(1)
    assert award.registration_id == winner_registration.id
    assert award.status == "awarded"
    assert award.amount == Decimal("7037.50")
    # Published Monday 2025-01-06: one working day of publicity (that day), seven working days of
    # challenge from the next working day, the contract within 30 days of the award notice.
    assert award.publicity_ends == date(2025, 1, 6)
    assert award.challenge_deadline == date(2025, 1, 15)
    assert award.contract_deadline == date(2025, 2, 5)

    documents = db.session.scalars(sa.select(GeneratedDocument).where(GeneratedDocument.project_id == project.id)).all()
    # What the award issued (the announcement, opening record and evaluation report came before it).
    earlier = ("announcement", "opening_record", "evaluation_report")
    kinds = sorted((d.kind, d.registration_id) for d in documents if d.kind not in earlier)
    others = sorted(r.id for r in evaluated.registrations if r.id != winner_registration.id)
    assert kinds == sorted(
        [("result_announcement", None), ("award_notice", winner_registration.id)]
        + [("result_notice", registration_id) for registration_id in others]
    )
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.project_id == project.id)).all()
    assert "award.confirm" in actions and "award.publish" in actions
    assert actions.count("document.issue") >= 5


def test_award_goes_to_second_candidate_after_the_first_declines(client, auth, evaluated):
    auth.login("buyer@example.com")
    response = drop_out(client, evaluated, 1, "declined", "供应商书面声明放弃成交")
    assert response.status_code == 302
    response = confirm(client, evaluated, 2)
    assert "已确定“西藏圣地商贸有限公司”为成交供应商" in response.get_data(as_text=True)
    publish(client, evaluated)

    rows = db.session.scalars(sa.select(Award).where(Award.project_id == evaluated.project.id))
    awards = {a.candidate_place: a for a in rows}
    assert awards[1].status == "declined" and awards[1].reason == "供应商书面声明放弃成交"
    assert awards[2].status == "awarded" and awards[2].amount == Decimal("7270.00")
    _, first = evaluated.candidate(1)
    _, second = evaluated.candidate(2)
    kinds = {
        d.registration_id: d.kind
        for d in db.session.scalars(sa.select(GeneratedDocument).where(GeneratedDocument.registration_id.is_not(None)))
    }
    assert kinds[second.id] == "award_notice"
    assert kinds[first.id] == "result_notice"
    page = client.get(f"/results/{evaluated.project.id}").get_data(as_text=True)
    assert "西藏圣地商贸有限公司" in page and "拉萨雪域办公用品有限公司" not in page
    assert "人民币柒仟贰佰柒拾元整" in page


def test_ineligible_candidate_is_recorded_with_reason(client, auth, evaluated):
    auth.login("buyer@example.com")
    drop_out(client, evaluated, 1, "ineligible", "经核实营业执照已被吊销")
    award = db.session.scalar(sa.select(Award).where(Award.candidate_place == 1))
    assert (award.status, award.reason) == ("ineligible", "经核实营业执照已被吊销")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "award.drop_out"))
    assert event.details["reason"] == "经核实营业执照已被吊销"
    assert event.details["status"] == "ineligible"


def test_candidates_must_be_decided_in_order(client, auth, evaluated):
    auth.login("buyer@example.com")
    response = confirm(client, evaluated, 2)
    assert "请按候选人顺序确定：应先处理第 1 名候选人“拉萨雪域办公用品有限公司”" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 0


def test_only_one_winner_without_a_framework_award(client, auth, evaluated):
    auth.login("buyer@example.com")
    confirm(client, evaluated, 1)
    response = confirm(client, evaluated, 2)
    assert "成交供应商已经确定" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 1


def test_drop_out_needs_a_reason_and_keeps_the_form(client, auth, evaluated):
    auth.login("buyer@example.com")
    response = drop_out(client, evaluated, 1, "declined", "   ")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'data-field-error="reason"' in html
    assert re.search(r'<input checked[^>]*value="declined"', html)  # the choice made is kept
    assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 0


def test_publishing_needs_a_winner(client, auth, evaluated):
    auth.login("buyer@example.com")
    response = publish(client, evaluated)
    assert "请先确定成交供应商" in response.get_data(as_text=True)
    db.session.refresh(evaluated.project)
    assert evaluated.project.status == "evaluated"


def test_late_confirmation_is_flagged_and_audited(client, auth, evaluated, clock):
    clock.set(datetime(2025, 1, 13, 10, 0, tzinfo=BEIJING))
    auth.login("buyer@example.com")
    assert "已逾期" in _page(client, evaluated.project.id)
    confirm(client, evaluated, 1)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "award.confirm"))
    assert event.details["late"] is True
    assert event.details["confirmation_due"] == "2025-01-10"


def test_framework_award_goes_to_both_candidates(app, client, auth, clock):
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock, framework_award=True)
    clock.set(RESULT_DAY)
    auth.login(buyer.email)
    confirm(client, built, 1)
    response = publish(client, built)
    assert "请先对每一名候选人作出决定" in response.get_data(as_text=True)
    confirm(client, built, 2)
    publish(client, built)
    awards = db.session.scalars(sa.select(Award).where(Award.status == "awarded")).all()
    assert sorted(a.candidate_place for a in awards) == [1, 2]
    notices = db.session.scalars(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "award_notice")).all()
    assert len(notices) == 2
    page = client.get(f"/results/{built.project.id}").get_data(as_text=True)
    assert "成交供应商共2家" in page
    assert "拉萨雪域办公用品有限公司" in page and "西藏圣地商贸有限公司" in page


def test_winner_declines_after_publication_and_the_next_is_awarded(client, auth, evaluated):
    auth.login("buyer@example.com")
    confirm(client, evaluated, 1)
    publish(client, evaluated)
    _, first = evaluated.candidate(1)
    _, second = evaluated.candidate(2)
    drop_out(client, evaluated, 1, "declined", "未在期限内签订合同")
    first_notice = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "award_notice"))
    assert first_notice.superseded_at is not None
    confirm(client, evaluated, 2)
    publish(client, evaluated)
    current = {
        d.registration_id: d.kind
        for d in db.session.scalars(
            sa.select(GeneratedDocument).where(
                GeneratedDocument.superseded_at.is_(None), GeneratedDocument.registration_id.is_not(None)
            )
        )
    }
    assert current[second.id] == "award_notice"
    assert current[first.id] == "result_notice"
    publish_events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "award.publish")).all()
    assert [e.details["republished"] for e in publish_events] == [False, True]


def test_public_result_page_is_404_until_published(client, auth, evaluated):
    assert client.get(f"/results/{evaluated.project.id}").status_code == 404
    assert client.get(f"/results/{evaluated.project.id}/result.pdf").status_code == 404
    auth.login("buyer@example.com")
    confirm(client, evaluated, 1)
    assert client.get(f"/results/{evaluated.project.id}").status_code == 404  # confirmed, not yet published
    publish(client, evaluated)
    auth.logout()
    assert client.get(f"/results/{evaluated.project.id}").status_code == 200
    assert "查看成交结果公告" in client.get(f"/notices/{evaluated.project.id}").get_data(as_text=True)
    listing = client.get("/results").get_data(as_text=True)
    assert evaluated.project.code in listing


def test_public_result_announcement_content(client, auth, evaluated):
    auth.login("buyer@example.com")
    confirm(client, evaluated, 1)
    publish(client, evaluated)
    auth.logout()
    html = client.get(f"/results/{evaluated.project.id}").get_data(as_text=True)
    project = evaluated.project
    for expected in (
        project.code,
        project.title,
        "拉萨雪域办公用品有限公司",
        "西藏自治区拉萨市城关区北京中路 10 号",
        "¥7,037.50",
        "人民币柒仟零叁拾柒元伍角",
        # main items: name, specification, quantity, unit price
        "复印纸", "A4 70g", "¥24.50", "CF228A", "¥398.75", ">100<",
        # panel members, publicity period, buyer contact, challenge deadline
        "扎西次仁、卓玛、王建国",
        "2025年1月6日至2025年1月6日",
        "措姆女士", "13618906639",
        "2025年1月15日",
    ):
        assert expected in html, expected


def test_supplier_cannot_use_award_views(client, auth, evaluated):
    supplier = make_supplier()
    auth.login(supplier.email)
    _, registration = evaluated.candidate(1)
    response = client.get(f"/buyer/projects/{evaluated.project.id}/award/{registration.id}/drop-out")
    assert response.status_code == 403


def test_framework_winner_dropping_out_after_publication_allows_republishing(app, client, auth, clock):
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock, framework_award=True)
    clock.set(RESULT_DAY)
    auth.login(buyer.email)
    confirm(client, built, 1)
    confirm(client, built, 2)
    publish(client, built)
    publish_url = f'action="/buyer/projects/{built.project.id}/award/publish"'
    assert publish_url not in _page(client, built.project.id)
    clock.set(datetime(2025, 1, 8, 10, 0, tzinfo=BEIJING))
    drop_out(client, built, 2, "declined", "未签订框架协议")
    assert publish_url in _page(client, built.project.id)
    response = publish(client, built)
    assert "成交结果已发布" in response.get_data(as_text=True)
    page = client.get(f"/results/{built.project.id}").get_data(as_text=True)
    assert "拉萨雪域办公用品有限公司" in page and "西藏圣地商贸有限公司" not in page
    _, second = built.candidate(2)
    notice = db.session.scalar(
        sa.select(GeneratedDocument).where(
            GeneratedDocument.registration_id == second.id, GeneratedDocument.superseded_at.is_(None)
        )
    )
    assert notice.kind == "result_notice"


# --------------------------------------------------------------------------- a year the calendar lacks

LATE_2026_REPORT = datetime(2026, 12, 28, 11, 0, tzinfo=BEIJING)  # Monday; five working days reach 2027


def test_missing_calendar_year_is_a_message_not_an_error(app, client, auth, clock):
    from procurement.domain.calendar import YearSchedule
    from procurement.services.calendar import enter_year

    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock, report_at=LATE_2026_REPORT)
    clock.set(datetime(2026, 12, 30, 10, 0, tzinfo=BEIJING))
    auth.login(buyer.email)
    response = client.get(f"/buyer/projects/{built.project.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="award-calendar-missing"' in html
    assert "工作日历缺少 2027 年的国务院节假日安排" in html
    assert 'href="/buyer/calendar"' in html

    # Confirming needs no 2027 date; publishing does and is refused with the message, changing nothing.
    assert "已确定“拉萨雪域办公用品有限公司”为成交供应商" in confirm(client, built, 1).get_data(as_text=True)
    pid = built.project.id
    response = post_form(client, f"/buyer/projects/{pid}/award/publish", page=f"/buyer/projects/{pid}")
    assert response.status_code == 302
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "工作日历缺少 2027 年的国务院节假日安排，请先录入该年度安排。" in shown
    db.session.refresh(built.project)
    assert built.project.status == "evaluated"
    result_kinds = ("result_announcement", "award_notice", "result_notice")
    issued = sa.select(sa.func.count(GeneratedDocument.id)).where(GeneratedDocument.kind.in_(result_kinds))
    assert db.session.scalar(issued) == 0

    # Once buyer staff enter 2027 (New Year's Day off), the page shows the deadline and publishing works.
    enter_year(YearSchedule(2027, frozenset({date(2027, 1, 1)}), frozenset()), {}, buyer)
    html = _page(client, pid)
    assert "award-calendar-missing" not in html
    assert "确认期限：2027年1月5日" in html
    assert "成交结果已发布" in publish(client, built).get_data(as_text=True)
    award = db.session.scalar(sa.select(Award).where(Award.project_id == pid))
    # Published Wednesday 2026-12-30: seven working days from 12-31, skipping 2027-01-01, end 2027-01-11.
    assert award.challenge_deadline == date(2027, 1, 11)


# --------------------------------------------------------------------------- terminating when no candidate is left


def test_awarded_project_can_be_terminated_once_every_candidate_dropped_out(client, auth, evaluated):
    auth.login("buyer@example.com")
    pid = evaluated.project.id
    cancel_url = f"/buyer/projects/{pid}/cancel"
    confirm(client, evaluated, 1)
    publish(client, evaluated)
    # A standing winner: not cancellable.
    assert post_form(client, cancel_url, {"reason": "采购需求取消"}).status_code == 400
    drop_out(client, evaluated, 1, "declined", "未在期限内签订合同")
    # The second candidate can still be awarded: not cancellable either.
    response = post_form(client, cancel_url, {"reason": "采购需求取消"})
    assert response.status_code == 400 and "该项目当前状态不能终止" in response.get_data(as_text=True)
    db.session.refresh(evaluated.project)
    assert evaluated.project.status == "awarded"

    drop_out(client, evaluated, 2, "ineligible", "经核实不符合资格条件")
    html = _page(client, pid)
    assert 'data-testid="candidates-exhausted"' in html
    assert f'href="/buyer/projects/{pid}/cancel"' in html
    response = post_form(client, cancel_url, {"reason": "所有成交候选人均放弃成交或不符合条件"})
    assert response.status_code == 302
    db.session.refresh(evaluated.project)
    assert evaluated.project.status == "cancelled"
    assert evaluated.project.status_reason == "所有成交候选人均放弃成交或不符合条件"
    assert client.get(f"/results/{pid}").status_code == 404


# --------------------------------------------------------------------------- the announcement after a drop-out


def test_winner_dropping_out_withdraws_the_result_announcement(client, auth, evaluated):
    auth.login("buyer@example.com")
    pid = evaluated.project.id
    confirm(client, evaluated, 1)
    publish(client, evaluated)
    first = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "result_announcement"))
    pdf = client.get(f"/results/{pid}/result.pdf")
    assert pdf.status_code == 200
    pdf.close()

    drop_out(client, evaluated, 1, "declined", "未在期限内签订合同")
    # The buyer is offered the next candidate (and the flashed message is shown here, not below).
    _, second = evaluated.candidate(2)
    assert f'action="/buyer/projects/{pid}/award/{second.id}/confirm"' in _page(client, pid)
    db.session.refresh(first)
    assert first.superseded_at is not None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "award.drop_out"))
    assert event.details["announcement_withdrawn"] == first.id
    page = client.get(f"/results/{pid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "拉萨雪域办公用品有限公司" not in html
    assert "成交结果正在更新" in html and 'data-testid="result-withdrawn"' in html
    assert "result.pdf" not in html
    assert client.get(f"/results/{pid}/result.pdf").status_code == 404
    assert f"/results/{pid}" not in client.get("/results").get_data(as_text=True)

    confirm(client, evaluated, 2)
    publish(client, evaluated)
    html = client.get(f"/results/{pid}").get_data(as_text=True)
    assert "西藏圣地商贸有限公司" in html and "拉萨雪域办公用品有限公司" not in html
    current = db.session.scalar(
        sa.select(GeneratedDocument).where(
            GeneratedDocument.kind == "result_announcement", GeneratedDocument.superseded_at.is_(None)
        )
    )
    assert current is not None and current.id != first.id
    pdf = client.get(f"/results/{pid}/result.pdf")
    assert pdf.status_code == 200 and pdf.headers["X-Document-SHA256"] == current.sha256
    pdf.close()


# --------------------------------------------------------------------------- double clicks


def test_confirming_the_same_candidate_twice_is_a_plain_message(client, auth, evaluated):
    auth.login("buyer@example.com")
    confirm(client, evaluated, 1)
    response = confirm(client, evaluated, 1)
    assert response.status_code == 200
    assert "“拉萨雪域办公用品有限公司”已被确定为成交供应商，无需重复确定。" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "award.confirm")) == 1


def test_confirming_a_framework_candidate_twice_is_a_plain_message(app, client, auth, clock):
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock, framework_award=True)
    clock.set(RESULT_DAY)
    auth.login(buyer.email)
    confirm(client, built, 1)
    html = confirm(client, built, 1).get_data(as_text=True)
    assert "已被确定为成交供应商，无需重复确定" in html and "请按候选人顺序确定" not in html
    assert db.session.scalar(sa.select(sa.func.count(Award.id))) == 1


def test_confirming_a_candidate_that_dropped_out_is_refused(client, auth, evaluated):
    auth.login("buyer@example.com")
    drop_out(client, evaluated, 1, "declined", "书面放弃")
    html = confirm(client, evaluated, 1).get_data(as_text=True)
    assert "已记录“拉萨雪域办公用品有限公司”放弃成交或不符合条件，不能再确定为成交供应商。" in html
    assert db.session.scalar(sa.select(Award.status)) == "declined"


def test_publishing_twice_issues_the_documents_once(client, auth, evaluated):
    auth.login("buyer@example.com")
    confirm(client, evaluated, 1)
    publish(client, evaluated)
    count = db.session.scalar(sa.select(sa.func.count(GeneratedDocument.id)))
    response = publish(client, evaluated)
    assert response.status_code == 200 and "成交结果已经发布" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(GeneratedDocument.id))) == count
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "award.publish")) == 1
