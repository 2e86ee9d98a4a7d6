"""Issue 11 for the supplier's pages outside quotes and results: 我的报名 and the project page are built by
page models in a number of SQL statements that does not grow with the rows shown."""
from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from procurement.extensions import db
from procurement.models import QualificationCheck
from procurement.services import rfq
from tests.conftest import AuthActions
from tests.factories import REGISTRATION_OPEN_AT, make_accepted_registration, make_buyer, make_project, make_supplier, register, tiny_pdf
from tests.sqlcount import page_statements


def _signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def _page(client, url: str):
    db.session.commit()  # a request starts from a fresh transaction
    log = page_statements(client, url)
    return client.get(url).get_data(as_text=True), log


def test_my_home_lists_open_projects_in_the_same_statements_for_3_and_12(app, clock):
    buyer = make_buyer()
    user = make_supplier()
    clock.set(REGISTRATION_OPEN_AT)
    client = _signed_in(app, user)
    for n in range(3):
        make_project(buyer, clock, code=f"OPEN-{n:02d}")
    clock.set(REGISTRATION_OPEN_AT)
    page, few = _page(client, "/supplier/")
    assert page.count('href="/supplier/projects/') == 3
    for n in range(3, 12):
        make_project(buyer, clock, code=f"OPEN-{n:02d}")
    clock.set(REGISTRATION_OPEN_AT)
    page, many = _page(client, "/supplier/")
    assert page.count('href="/supplier/projects/') == 12
    assert 'data-testid="open-for-me"' in page
    assert many.count == few.count, f"3 rows: {few.count}, 12 rows: {many.count}\n{many}"


def _add_files(project, buyer, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        rfq.add_file(project, FileStorage(io.BytesIO(tiny_pdf(f"rfq {n}")), filename=f"文件{n:02d}.pdf"), f"询比价文件{n:02d}", buyer)


def test_the_project_page_costs_the_same_statements_for_3_and_12_files_and_checks(app, clock):
    buyer = make_buyer()
    user = make_supplier()
    project = make_project(buyer, clock)
    registration = register(project, user, clock).registration
    assert registration.status == "accepted"
    clock.set(REGISTRATION_OPEN_AT)
    client = _signed_in(app, user)
    url = f"/supplier/projects/{project.id}"
    _add_files(project, buyer, 3)
    page, few = _page(client, url)
    assert page.count("/files/") == 3
    assert 'data-testid="registration-accepted"' in page and 'data-testid="check-results"' in page
    _add_files(project, buyer, 9, start=3)
    for n in range(3):  # more checks in the registration's history (the page shows the latest)
        db.session.add(
            QualificationCheck(registration_id=registration.id, run_at=REGISTRATION_OPEN_AT, context="review", overall="pass", results=[], list_versions={})
        )
    page, many = _page(client, url)
    assert page.count("/files/") == 12
    assert "文件11.pdf" in page
    assert many.count == few.count, f"3 rows: {few.count}, 12 rows: {many.count}\n{many}"


def test_the_project_page_of_a_supplier_not_registered_yet(app, clock):
    buyer = make_buyer()
    user = make_supplier()
    project = make_project(buyer, clock)
    _add_files(project, buyer, 2)
    clock.set(REGISTRATION_OPEN_AT)
    page, _ = _page(_signed_in(app, user), f"/supplier/projects/{project.id}")
    assert 'data-testid="register-button"' in page
    assert "/files/" not in page  # the RFQ documents wait for an accepted registration
    other = make_supplier()
    make_accepted_registration(project, other)
    assert "/files/" not in _page(_signed_in(app, user), f"/supplier/projects/{project.id}")[0]
