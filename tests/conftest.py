"""Fixtures shared by the integration and e2e tests: an app with a fresh database per test.

The database is SQLite unless ``TEST_DATABASE_URL`` (or ``DATABASE_URL``) names PostgreSQL.
SQLite: the schema is built once into a template file, copied per test. PostgreSQL: each
pytest-xdist worker gets its own database, built once and truncated per test.
"""
from __future__ import annotations

import os
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from jinja2 import StrictUndefined

from procurement.clock import FixedClock
from procurement.domain.schedule import BEIJING

DEFAULT_NOW = datetime(2024, 12, 20, 10, 0, tzinfo=BEIJING)

# Hypothesis profiles, for every test under tests/ (unit tests included: this is the root conftest).
# "ci" (the default) is steady on a loaded 2-core machine: no deadline, a bounded number of
# examples, derandomised (the same examples every run, so no example database is needed).
# "dev" explores more and remembers failures in .hypothesis/ (git-ignored):
#   HYPOTHESIS_PROFILE=dev make test
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=50,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def database_url() -> str:
    """The PostgreSQL URL under test, or '' for SQLite."""
    return os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def fresh_postgres_database(suffix: str) -> str:
    """Create (or re-create) an empty PostgreSQL database beside the one under test; its URL."""
    base = sa.engine.make_url(database_url().replace("postgres://", "postgresql+psycopg://", 1))
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    name = f"{base.database}_{suffix}_{_worker()}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    """Drop a database made by :func:`fresh_postgres_database`."""
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database=sa.engine.make_url(database_url()).database), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Build the schema once per worker; yield how to get a fresh copy."""
    from procurement import create_app
    from procurement.extensions import db

    url = database_url()
    if url:
        test_url = fresh_postgres_database("pytest")
        app = create_app({"SQLALCHEMY_DATABASE_URI": test_url, "INSTANCE_PATH": str(tmp_path_factory.mktemp("inst"))})
        with app.app_context():
            db.create_all()
            tables = [t.name for t in db.metadata.sorted_tables]
            db.engine.dispose()
        yield {"kind": "postgresql", "url": test_url, "tables": tables}
        drop_postgres_database(test_url)
    else:
        folder = tmp_path_factory.mktemp("dbtemplate")
        template = folder / "template.sqlite3"
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{template}", "INSTANCE_PATH": str(folder)})
        with app.app_context():
            db.create_all()
            db.session.remove()
            db.engine.dispose()
        yield {"kind": "sqlite", "template": template}


def _fresh_database(template, tmp_path: Path) -> str:
    if template["kind"] == "sqlite":
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(template["template"], target)
        return f"sqlite:///{target}"
    engine = sa.create_engine(template["url"])
    with engine.begin() as conn:
        quoted = ", ".join(f'"{name}"' for name in template["tables"])
        conn.execute(sa.text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return template["url"]


def app_settings(url: str, instance: Path) -> dict:
    """The settings of a test app on ``url``: files, the KEK and the audit key in ``instance``."""
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "DOCUMENT_FOLDER": str(instance / "generated"),
        "SEAL_KEK_FILE": str(instance / "seal.kek"),
        "AUDIT_KEY_FILE": str(instance / "audit.key"),
        "PUBLIC_BASE_URL": "http://testserver",
    }


def make_test_app(database_template, tmp_path: Path, **overrides):
    """An app on a fresh database, with StrictUndefined templates and a fixed clock."""
    return app_on_database(_fresh_database(database_template, tmp_path), tmp_path / "instance", **overrides)


def app_on_database(url: str, instance: Path, **overrides):
    """A test app on the database at ``url`` with ``instance`` as its instance folder (StrictUndefined templates)."""
    from procurement import create_app

    config = app_settings(url, instance) | overrides
    os.environ["INSTANCE_PATH"] = str(instance)
    try:
        app = create_app(config)
    finally:
        os.environ.pop("INSTANCE_PATH", None)
    app.jinja_env.undefined = StrictUndefined
    app.test_client_class = BufferedClient
    # Tests hold an app context around their requests, so Flask reuses it and ``g`` would
    # leak between requests (Flask-Login caches the user there). A real server has a fresh
    # ``g`` per request; give each test request one too, before any other hook runs.
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    return app


class BufferedClient(FlaskClient):
    """A test client that reads every response whole, so file responses close their files.

    Without it a ``send_file`` response left unread keeps its file open until garbage
    collection, whose ResourceWarning then fails whichever test happens to be running.
    """

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def _fresh_g() -> None:
    from flask import g

    g.__dict__.clear()


@pytest.fixture
def clock():
    """The fixed clock every test starts with; move it with ``clock.set(...)``."""
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def app_config() -> dict:
    """Configuration overrides for ``app``; a test module overrides this fixture (say, parametrised by store)."""
    return {}


@pytest.fixture
def app(database_template, tmp_path, clock, app_config):
    """The app under test, on a fresh database, with the fixed clock installed."""
    from procurement.extensions import db

    app = make_test_app(database_template, tmp_path, **app_config)
    app.extensions["clock"] = clock
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str = "/auth/login") -> str:
    """A CSRF token for the client's session, read from a page's form as a browser would."""
    response = client.get(url, follow_redirects=True)
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real forms."""

    def __init__(self, client):
        self._client = client

    def login(self, email: str, password: str = "tashi-delek-2025", *, follow: bool = False):
        token = csrf_token(self._client, "/auth/login")
        return self._client.post(
            "/auth/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=follow
        )

    def logout(self):
        token = csrf_token(self._client, "/")
        return self._client.post("/auth/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    """Sign-in helper for ``client``."""
    return AuthActions(client)


def post_form(client, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
    """POST a form with a CSRF token taken from ``page`` (default: the same URL)."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, page or url)
    return client.post(url, data=data, **kwargs)
