"""``flask db upgrade`` builds an empty database, and the models and migrations do not drift."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from procurement import create_app
from procurement.extensions import db
from tests.conftest import database_url


def _empty_database(tmp_path) -> str:
    url = database_url()
    if not url:
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    base = sa.engine.make_url(url.replace("postgres://", "postgresql+psycopg://", 1))
    if base.drivername == "postgresql":
        base = base.set(drivername="postgresql+psycopg")
    import os

    name = f"{base.database}_migrate_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def test_upgrade_builds_the_schema_and_matches_the_models(tmp_path):
    from flask_migrate import upgrade

    url = _empty_database(tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            tables = set(sa.inspect(connection).get_table_names())
        db.engine.dispose()
    assert diff == []
    assert {"project", "registration", "sealed_quote", "audit_event", "alembic_version"} <= tables
