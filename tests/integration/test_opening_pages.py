"""The opening record (开标记录) is built from one page model with a fixed number of SQL statements:
the buyer's, the supplier's and the panel's pages, the hubs' sections and the PDF's context send
as many statements for 12 opened quotes as for 3."""
from __future__ import annotations

from datetime import timedelta

import pytest

from procurement.extensions import db
from procurement.models import STATUS_OPENED, PanelMember, Registration
from procurement.queries import opening as opening_queries
from procurement.services import opening as opening_service
from tests.conftest import AuthActions
from tests.factories import OPENED_AT, QUOTE_AT, make_buyer, make_opened_quote, make_panel, make_project, make_supplier
from tests.sqlcount import count_statements, page_statements

PRICES = ("25.00", "420.00", "21.50")


def _opened_world(clock, size: int):
    """A project opened with ``size`` quotes (each supplier its own, submitted a minute apart)."""
    buyer = make_buyer(email=f"buyer{size}@example.com")
    project = make_project(buyer, clock)
    suppliers = []
    for n in range(size):
        user = make_supplier(company_name=f"拉萨开标测试{size}-{n}有限公司")
        registration = Registration(
            project_id=project.id,
            company_id=user.company_id,
            status="accepted",
            company_snapshot={"name": user.company.name},
            created_at=QUOTE_AT,
            submitted_at=QUOTE_AT,
            created_by_id=user.id,
        )
        db.session.add(registration)
        db.session.commit()
        make_opened_quote(project, registration, user, PRICES, submitted_at=QUOTE_AT + timedelta(minutes=n))
        suppliers.append(user)
    project.status = STATUS_OPENED
    project.opened_at = OPENED_AT
    member = make_panel(email=f"panel{size}@example.com")
    db.session.add(PanelMember(project_id=project.id, user_id=member.id, appointed_at=OPENED_AT))
    db.session.commit()
    clock.set(OPENED_AT + timedelta(minutes=30))
    # Suppliers see the record once its PDF exists (the opening's job issues it; here, built from rows, on demand).
    assert opening_service.opening_record_document(project) is not None
    return project, buyer, suppliers, member


def _counts(app, clock, size: int) -> dict[str, int]:
    project, buyer, suppliers, member = _opened_world(clock, size)
    project_id, project_class = project.id, type(project)
    counts = {}
    for role, email, urls in (
        # (the buyer's hub is left out here: its registration list is another section's page)
        ("buyer", buyer.email, (f"/buyer/projects/{project_id}/opening",)),
        ("supplier", suppliers[0].email, (f"/supplier/projects/{project_id}/opening", f"/supplier/projects/{project_id}")),
        ("panel", member.email, (f"/panel/projects/{project_id}/opening",)),
    ):
        client = app.test_client()
        AuthActions(client).login(email)
        for url in urls:
            db.session.remove()  # a fresh session per page, as a server's request has
            response_log = page_statements(client, url)
            counts[url.replace(str(project_id), "<id>")] = response_log.count
    db.session.remove()
    with app.test_request_context():
        with count_statements() as log:
            record = opening_queries.opening_record(db.session.get(project_class, project_id))
        assert len(record.rows) == size
        counts["pdf context"] = log.count
        with count_statements() as log:
            opening_queries.opening_record(db.session.get(project_class, project_id), with_received=True)
        counts["buyer hub section"] = log.count
    return counts


def test_opening_record_pages_send_the_same_statements_at_3_and_12_quotes(app, clock):
    small = _counts(app, clock, 3)
    large = _counts(app, clock, 12)
    assert small == large, (small, large)


def test_opening_record_page_lists_every_opened_quote(app, clock):
    project, buyer, suppliers, member = _opened_world(clock, 3)
    client = app.test_client()
    AuthActions(client).login(buyer.email)
    html = client.get(f"/buyer/projects/{project.id}/opening").get_data(as_text=True)
    for n in range(3):
        assert f"拉萨开标测试3-{n}有限公司" in html
    assert html.count("¥7,130.00") == 3 or html.count("7,130.00") >= 3
