"""The buyer's pages are built by the read side in a fixed number of SQL statements.

Each page is built at two sizes (3 and 12 rows) and the statement counts must be equal: the
project list over projects, the project page and the registration list over registrations
(each with its latest registration check and a panel re-check on some), with RFQ files and
their downloads on the page too. Also: the registration list's paging and status filter.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from procurement.extensions import db
from procurement.models import FileDownload, ProjectFile, QualificationCheck, Registration, StoredFile
from tests.conftest import AuthActions
from tests.factories import (
    REGISTRATION_OPEN_AT,
    make_accepted_registration,
    make_buyer,
    make_project,
    make_supplier,
)
from tests.sqlcount import page_statements

SMALL, LARGE = 3, 12


def _measure(client, url: str):
    """The statements of one GET of ``url`` from a fresh session, as a real request starts."""
    db.session.remove()
    return page_statements(client, url)


def _signed_in_buyer(app):
    make_buyer()
    client = app.test_client()
    AuthActions(client).login("buyer@example.com")
    return client


def _add_registrations(project, count: int, *, start: int = 0, status: str = "accepted") -> list[Registration]:
    """``count`` registrations with a registration check; every other one also re-checked at review."""
    registrations = []
    for n in range(start, start + count):
        user = make_supplier(company_name=f"拉萨测试供应商{project.id}-{n}有限公司")
        registration = make_accepted_registration(project, user, at=REGISTRATION_OPEN_AT + timedelta(minutes=n))
        registration.status = status
        if n % 2:
            db.session.add(
                QualificationCheck(
                    registration_id=registration.id,
                    run_at=REGISTRATION_OPEN_AT + timedelta(days=8, minutes=n),
                    context="review",
                    overall="pass",
                    results=[{"criterion": "credit", "status": "pass", "message": "ok", "params": {}}],
                    list_versions={},
                )
            )
        registrations.append(registration)
    db.session.commit()
    return registrations


def _add_rfq_downloads(project, registrations) -> None:
    """One RFQ file of the project, downloaded once by each registrant."""
    stored = StoredFile(
        sha256="0" * 64, size=2048, mime_type="application/pdf", original_name="rfq.pdf", uploaded_at=REGISTRATION_OPEN_AT, storage_path=f"rfq-{project.id}.pdf"
    )
    db.session.add(stored)
    db.session.flush()
    project_file = ProjectFile(project_id=project.id, stored_file_id=stored.id, title="询比价文件", created_at=REGISTRATION_OPEN_AT)
    db.session.add(project_file)
    db.session.flush()
    for registration in registrations:
        db.session.add(
            FileDownload(
                project_file_id=project_file.id,
                user_id=registration.created_by_id,
                company_id=registration.company_id,
                downloaded_at=REGISTRATION_OPEN_AT,
            )
        )
    db.session.commit()


def _project_with(buyer, clock, count: int):
    project = make_project(buyer, clock)
    registrations = _add_registrations(project, count)
    _add_rfq_downloads(project, registrations)
    return project


def test_project_list_statements_do_not_grow_with_projects(app, clock):
    client = _signed_in_buyer(app)
    from procurement.models import User

    buyer = db.session.query(User).filter_by(email="buyer@example.com").one()
    for n in range(SMALL):
        make_project(buyer, clock, publish=n % 2 == 0)
    client.get("/buyer/")
    small = _measure(client, "/buyer/")
    for n in range(LARGE - SMALL):
        make_project(buyer, clock, publish=n % 2 == 0)
    large = _measure(client, "/buyer/")
    body = client.get("/buyer/").get_data(as_text=True)
    assert body.count('data-testid="phase"') == LARGE
    assert small.count == large.count, f"{SMALL} projects:\n{small}\n\n{LARGE} projects:\n{large}"


@pytest.mark.parametrize("path", ["/buyer/projects/{id}", "/buyer/projects/{id}/registrations"])
def test_project_pages_statements_do_not_grow_with_registrations(app, clock, path):
    client = _signed_in_buyer(app)
    from procurement.models import User

    buyer = db.session.query(User).filter_by(email="buyer@example.com").one()
    small_url = path.format(id=_project_with(buyer, clock, SMALL).id)
    large_url = path.format(id=_project_with(buyer, clock, LARGE).id)
    client.get(small_url)
    small = _measure(client, small_url)
    large = _measure(client, large_url)
    body = client.get(large_url).get_data(as_text=True)
    assert body.count("data-registration=") == LARGE
    assert body.count('data-testid="reviewed-credit"') == LARGE // 2
    assert small.count == large.count, f"{SMALL} registrations:\n{small}\n\n{LARGE} registrations:\n{large}"



def test_registration_list_pages_and_filters_by_status(app, clock, monkeypatch):
    from procurement.models import User
    from procurement.queries import buyer as buyer_queries

    monkeypatch.setattr(buyer_queries, "REGISTRATIONS_PER_PAGE", 4)
    client = _signed_in_buyer(app)
    buyer = db.session.query(User).filter_by(email="buyer@example.com").one()
    project = make_project(buyer, clock)
    accepted = _add_registrations(project, 6)
    rejected = _add_registrations(project, 3, start=6, status="rejected")
    base = f"/buyer/projects/{project.id}/registrations"

    def rows(url):
        body = client.get(url).get_data(as_text=True)
        return [int(part.split('"')[1]) for part in body.split("data-registration=")[1:]], body

    first, body = rows(base)
    assert first == [r.id for r in accepted[:4]]
    assert "第 1–4 条，共 9 条" in body and 'data-testid="registration-pages"' in body
    last, body = rows(base + "?page=3")
    assert last == [rejected[-1].id]
    assert rows(base + "?page=99")[0] == last  # past the last page: the last page
    only_rejected, body = rows(base + "?status=rejected")
    assert only_rejected == [r.id for r in rejected]
    assert 'data-testid="registration-pages"' not in body
    assert rows(base + "?status=draft")[1].count("没有符合条件的报名。") == 1
    assert rows(base + "?status=bogus")[0] == first  # an unknown filter shows every registration
    assert client.get(base.replace(str(project.id), "9999")).status_code == 404


def test_project_page_shows_the_first_page_and_links_the_full_list(app, clock, monkeypatch):
    from procurement.models import User
    from procurement.queries import buyer as buyer_queries

    monkeypatch.setattr(buyer_queries, "REGISTRATIONS_PER_PAGE", 4)
    client = _signed_in_buyer(app)
    buyer = db.session.query(User).filter_by(email="buyer@example.com").one()
    project = make_project(buyer, clock)
    _add_registrations(project, 6)
    body = client.get(f"/buyer/projects/{project.id}").get_data(as_text=True)
    assert body.count("data-registration=") == 4
    assert 'data-testid="registration-count">6<' in body
    assert f'href="/buyer/projects/{project.id}/registrations" data-testid="registration-list-link"' in body
    assert "查看全部 6 条报名" in body


def test_registration_list_is_for_buyer_staff_only(app, clock):
    from procurement.models import User

    _signed_in_buyer(app)
    buyer = db.session.query(User).filter_by(email="buyer@example.com").one()
    project = make_project(buyer, clock)
    supplier = make_supplier()
    client = app.test_client()
    AuthActions(client).login(supplier.email)
    assert client.get(f"/buyer/projects/{project.id}/registrations").status_code in (403, 404)
    anonymous = app.test_client()
    assert anonymous.get(f"/buyer/projects/{project.id}/registrations").status_code in (302, 401)
