"""``bench/pages.py`` cannot silently rot: its seed and its statement counter run in-process on SQLite.

A handful of rows (two opened projects of 2 and 4 participants), no gunicorn, no timing: every page
the benchmark measures must answer 200 to the role it signs in as, carry the statement count, and
the opened projects must hold what the pages read (opened quotes, the panel, the opening record).
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from jinja2 import StrictUndefined

from bench import pages as bench_pages
from bench.wsgi import STATEMENTS_HEADER, install
from tests.conftest import BufferedClient

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="module")
def bench_app(tmp_path_factory):
    """A fresh SQLite app with the bench-only routes and counter, seeded like the benchmark at a tiny size.

    Seeded once for the module (the opening record PDFs take most of the time); the tests only read.
    """
    from procurement import create_app
    from procurement.extensions import db

    tmp_path = tmp_path_factory.mktemp("bench-pages")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
                "PUBLIC_BASE_URL": "http://127.0.0.1",
                "SEAL_KEK": "ab" * 32,
            }
        )
    app.jinja_env.undefined = StrictUndefined
    app.test_client_class = BufferedClient
    install(app)
    seeded = bench_pages.seed(app, [2, 4], suppliers=8, projects=5, background_registrations=3)
    yield app, seeded
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def sign_in(client, email: str) -> None:
    """Sign in through the login form, as the benchmark does."""
    token = CSRF_RE.search(client.get("/auth/login").get_data(as_text=True)).group(1)
    response = client.post("/auth/login", data={"email": email, "password": bench_pages.PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_seed_builds_opened_projects_of_each_size(bench_app):
    app, seeded = bench_app
    from procurement.extensions import db
    from procurement.models import Evaluation, GeneratedDocument, OpenedQuote, OpenedQuoteLine, PanelMember, Project, Registration

    assert sorted(seeded.sized) == [2, 4]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)) == 5
        for size, sized in seeded.sized.items():
            project = db.session.get(Project, sized.project_id)
            assert project.status == "opened" and project.opened_at is not None
            count = lambda model: db.session.scalar(  # noqa: E731
                sa.select(sa.func.count()).select_from(model).where(model.project_id == project.id)
            )
            assert count(Registration) == size
            assert count(OpenedQuote) == size
            assert count(PanelMember) == 3
            assert count(Evaluation) == 1
            assert db.session.scalar(
                sa.select(sa.func.count()).select_from(OpenedQuoteLine).join(OpenedQuote).where(OpenedQuote.project_id == project.id)
            ) == size * len(bench_pages.ITEMS)
            assert db.session.scalar(
                sa.select(GeneratedDocument).where(GeneratedDocument.project_id == project.id, GeneratedDocument.kind == "opening_record")
            )
        assert seeded.registrations == db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def test_every_benchmarked_page_answers_200_with_its_statement_count(bench_app):
    app, seeded = bench_app
    clients = {"public": app.test_client()}
    for role, email in (("buyer", seeded.buyer_email), ("panel", seeded.panel_email)):
        clients[role] = app.test_client()
        sign_in(clients[role], email)

    trivial = clients["public"].get("/bench/trivial")
    assert trivial.status_code == 200 and trivial.get_data(as_text=True) == "ok"
    assert trivial.headers[STATEMENTS_HEADER] == "0"

    pages = bench_pages.pages_for(app, seeded)
    names = {page.name for page in pages}
    assert names == {
        "public home", "notice", "buyer project list", "buyer project page", "registration list",
        "panel review", "opening record", "opening record PDF", "supplier home",
    }
    counts = {}
    for page in pages:
        if page.role not in clients:
            clients[page.role] = app.test_client()
            sign_in(clients[page.role], page.role.split(":", 1)[1])
        response = clients[page.role].get(page.path.split("#", 1)[0])
        assert response.status_code == 200, (page, response.status_code)
        counts[(page.name, page.size)] = int(response.headers[STATEMENTS_HEADER])
    assert all(count >= 1 for count in counts.values()), counts
    # What the pages show: the participants are on the review matrix, the PDF is a PDF.
    review = clients["panel"].get(f"/panel/projects/{seeded.sized[4].project_id}/review").get_data(as_text=True)
    assert review.count("拉萨基准") >= 4
    pdf = clients["buyer"].get(f"/buyer/projects/{seeded.sized[2].project_id}/opening-record.pdf")
    assert pdf.data.startswith(b"%PDF")
