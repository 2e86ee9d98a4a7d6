"""The opening (开标): refused before the time and twice; totals and hashes verified; the opening
record shown to buyer staff, the appointed panel and the suppliers whose quotes were opened."""
from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from procurement.domain.schedule import BEIJING
from procurement.domain.sealing import receipt_hash
from procurement.extensions import db
from procurement.models import AuditEvent, OpenedQuote, PanelMember, Project, SealedQuote
from procurement.services import ServiceError, opening, quotes
from tests.conftest import AuthActions, post_form
from tests.factories import (
    QUOTE_AT,
    make_accepted_registration,
    make_buyer,
    make_panel,
    make_project,
    make_sealed_quote,
    make_supplier,
)

DEADLINE = datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING)
AFTER = DEADLINE + timedelta(minutes=3)

# Unit prices for 复印纸 ×100, 硒鼓 ×10, 中性笔 ×20, and the totals they must open to.
PRICES = {
    "甲": (["25.50", "400.00", "12.30"], Decimal("6796.00")),  # 2550 + 4000 + 246
    "乙": (["28.00", "445.50", "9.99"], Decimal("7454.80")),  # 2800 + 4455 + 199.80
}


@pytest.fixture
def opened_setup(app, clock):
    """Two quoting suppliers (甲 revised once), one that withdrew, a panel member; the clock after the deadline."""
    buyer = make_buyer()
    project = make_project(buyer, clock)
    people = {}
    for key, name in (("甲", "拉萨甲商贸有限公司"), ("乙", "拉萨乙文具有限公司"), ("丙", "拉萨丙纸业有限公司")):
        user = make_supplier(company_name=name)
        people[key] = (user, make_accepted_registration(project, user, clock))
    user, registration = people["甲"]
    make_sealed_quote(registration, user, ["29", "440", "15"], clock, at=QUOTE_AT)
    make_sealed_quote(registration, user, PRICES["甲"][0], clock, at=DEADLINE - timedelta(seconds=1))
    user, registration = people["乙"]
    make_sealed_quote(registration, user, PRICES["乙"][0], clock, at=QUOTE_AT + timedelta(hours=2))
    user, registration = people["丙"]
    make_sealed_quote(registration, user, ["20", "300", "5"], clock, at=QUOTE_AT)
    clock.set(QUOTE_AT + timedelta(hours=3))
    quotes.withdraw_quote(registration.id, user)
    member = make_panel(name="扎西")
    db.session.add(PanelMember(project_id=project.id, user_id=member.id, appointed_at=QUOTE_AT))
    db.session.commit()
    clock.set(AFTER)

    class Setup:
        pass

    s = Setup()
    s.buyer, s.project, s.people, s.member = buyer, project, people, member
    return s


def _client(app, user):
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


def _pdf_text(client, url) -> str:
    with client.get(url) as response:
        assert response.status_code == 200, url
        assert response.mimetype == "application/pdf"
        data = response.data
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


@pytest.mark.parametrize("at", [DEADLINE - timedelta(microseconds=1), DEADLINE - timedelta(days=1)])
def test_opening_before_the_time_is_refused(app, opened_setup, clock, at):
    clock.set(at)
    with pytest.raises(ServiceError) as caught:
        opening.open_quotes(opened_setup.project.id, opened_setup.buyer)
    assert caught.value.code == "too_early"
    client = _client(app, opened_setup.buyer)
    url = f"/buyer/projects/{opened_setup.project.id}"
    response = post_form(client, f"{url}/open", page=f"{url}/opening", follow_redirects=True)
    assert "开启时间（2025年1月2日16点00分，北京时间）未到" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Project, opened_setup.project.id).status == "published"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OpenedQuote)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "project.open")) == 0


def test_the_buyer_opens_and_the_totals_match_what_was_submitted_and_every_hash_verifies(app, opened_setup):
    client = _client(app, opened_setup.buyer)
    url = f"/buyer/projects/{opened_setup.project.id}"
    assert "开启报价" in client.get(url).get_data(as_text=True)
    response = post_form(client, f"{url}/open", page=url)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{url}/opening")
    db.session.expire_all()
    project = db.session.get(Project, opened_setup.project.id)
    assert project.status == "opened" and project.opened_at == AFTER
    opened = {o.registration_id: o for o in db.session.scalars(sa.select(OpenedQuote))}
    expected = {opened_setup.people[key][1].id: PRICES[key] for key in ("甲", "乙")}
    assert set(opened) == set(expected)  # 丙 withdrew: nothing of it is opened
    for registration_id, (unit_prices, total) in expected.items():
        record = opened[registration_id]
        assert record.total == total
        assert record.hash_verified
        current = db.session.scalar(
            sa.select(SealedQuote).where(SealedQuote.registration_id == registration_id, SealedQuote.is_current.is_(True))
        )
        assert record.sealed_quote_id == current.id  # the last version counts
        assert receipt_hash(current.sealed) == current.receipt_hash
        by_position = sorted(record.lines, key=lambda line: line.item.position)
        assert [line.unit_price for line in by_position] == [Decimal(p) for p in unit_prices]
        assert sum(line.line_total for line in by_position) == total
    html = client.get(f"{url}/opening").get_data(as_text=True)
    for name, total in (("拉萨甲商贸有限公司", "¥6,796.00"), ("拉萨乙文具有限公司", "¥7,454.80")):
        assert name in html and total in html
    assert "拉萨丙纸业有限公司" not in html
    assert "人民币陆仟柒佰玖拾陆元整" in html
    jia = opened[opened_setup.people["甲"][1].id]
    assert jia.sealed_quote.receipt_hash in html
    assert "2025年1月2日 15:59:59" in html  # 甲's final submission, not its first
    actions = [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("quote.open") == 2 and "project.open" in actions


def test_opening_twice_is_impossible(app, opened_setup):
    opening.open_quotes(opened_setup.project.id, opened_setup.buyer)
    with pytest.raises(ServiceError) as caught:
        opening.open_quotes(opened_setup.project.id, opened_setup.buyer)
    assert caught.value.code == "already_opened"
    client = _client(app, opened_setup.buyer)
    url = f"/buyer/projects/{opened_setup.project.id}"
    response = post_form(client, f"{url}/open", page=url, follow_redirects=True)
    assert "报价已经开启过，不能重复开启" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OpenedQuote)) == 2


def test_the_opening_record_pdf_lists_supplier_total_time_and_receipt_hash(app, opened_setup):
    opening.open_quotes(opened_setup.project.id, opened_setup.buyer)
    client = _client(app, opened_setup.buyer)
    text = _pdf_text(client, f"/buyer/projects/{opened_setup.project.id}/opening-record.pdf")
    compact = re.sub(r"\s+", "", text)
    assert "开标记录" in compact
    assert "拉萨甲商贸有限公司" in compact and "¥6,796.00" in compact and "人民币陆仟柒佰玖拾陆元整" in compact
    assert "拉萨乙文具有限公司" in compact and "¥7,454.80" in compact
    assert "2025年1月2日15:59:59" in compact
    for key in ("甲", "乙"):
        quote = quotes.current_quote(opened_setup.people[key][1].id)
        # the hash may wrap inside its narrow cell; it is there in full once whitespace is removed
        assert quote.receipt_hash in compact


def test_the_appointed_panel_sees_the_record_and_others_do_not(app, opened_setup):
    url = f"/panel/projects/{opened_setup.project.id}/opening"
    member = _client(app, opened_setup.member)
    before = member.get(url)
    assert before.status_code == 200 and "仍处于密封状态" in before.get_data(as_text=True)
    assert member.get(url.replace("opening", "opening-record.pdf")).status_code == 404
    opening.open_quotes(opened_setup.project.id, opened_setup.buyer)
    html = member.get(url).get_data(as_text=True)
    assert "拉萨甲商贸有限公司" in html and "¥6,796.00" in html
    assert "拉萨甲商贸有限公司" in re.sub(r"\s+", "", _pdf_text(member, url.replace("opening", "opening-record.pdf")))
    outsider = _client(app, make_panel())
    assert outsider.get(url).status_code == 404
    assert outsider.get(url.replace("opening", "opening-record.pdf")).status_code == 404


def test_every_supplier_that_quoted_sees_the_record_and_one_that_withdrew_does_not(app, opened_setup):
    opening.open_quotes(opened_setup.project.id, opened_setup.buyer)
    project_id = opened_setup.project.id
    for key in ("甲", "乙"):
        client = _client(app, opened_setup.people[key][0])
        hub = client.get(f"/supplier/projects/{project_id}").get_data(as_text=True)
        assert 'data-testid="opening-section"' in hub
        assert "¥6,796.00" in hub and "¥7,454.80" in hub
        assert 'data-testid="own-row"' in hub
        assert client.get(f"/supplier/projects/{project_id}/opening").status_code == 200
        assert "拉萨乙文具有限公司" in re.sub(r"\s+", "", _pdf_text(client, f"/supplier/projects/{project_id}/opening-record.pdf"))
    withdrawn = _client(app, opened_setup.people["丙"][0])
    hub = withdrawn.get(f"/supplier/projects/{project_id}").get_data(as_text=True)
    assert "¥6,796.00" not in hub and 'data-testid="opening-section"' not in hub
    assert withdrawn.get(f"/supplier/projects/{project_id}/opening").status_code == 404
    assert withdrawn.get(f"/supplier/projects/{project_id}/opening-record.pdf").status_code == 404


def test_suppliers_see_nothing_of_the_record_before_the_opening(app, opened_setup):
    client = _client(app, opened_setup.people["甲"][0])
    assert client.get(f"/supplier/projects/{opened_setup.project.id}/opening").status_code == 404


def test_a_tampered_quote_stops_the_opening_and_names_the_supplier(app, opened_setup):
    registration = opened_setup.people["乙"][1]
    quote = quotes.current_quote(registration.id)
    quote.sealed = quote.sealed[:-1] + bytes([quote.sealed[-1] ^ 1])
    db.session.commit()
    with pytest.raises(ServiceError) as caught:
        opening.open_quotes(opened_setup.project.id, opened_setup.buyer)
    assert caught.value.code == "seal_broken"
    assert "拉萨乙文具有限公司" in str(caught.value) and "回执哈希不一致" in str(caught.value)
    db.session.expire_all()
    assert db.session.get(Project, opened_setup.project.id).status == "published"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OpenedQuote)) == 0
    failed = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "quote.open_failed"))
    assert failed.details["reason"] == "receipt_mismatch"


def test_no_submission_is_accepted_once_opened_even_if_the_clock_is_moved_back(app, opened_setup, clock):
    opening.open_quotes(opened_setup.project.id, opened_setup.buyer)
    clock.set(QUOTE_AT)  # the demo clock can be moved back; the stored state still decides
    user, registration = opened_setup.people["丙"]
    with pytest.raises(ServiceError) as caught:
        quotes.submit_quote(registration.id, {i.id: Decimal("1") for i in opened_setup.project.items}, user)
    assert caught.value.code == "deadline_passed"
