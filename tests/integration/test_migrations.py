"""``flask db upgrade`` builds an empty database, and the models and migrations do not drift."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from procurement import create_app
from procurement.extensions import db
from tests.conftest import database_url, drop_postgres_database, fresh_postgres_database


def _empty_database(tmp_path) -> str:
    if not database_url():
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    return fresh_postgres_database("migrate")


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
    if database_url():
        drop_postgres_database(url)
    assert diff == []
    assert {"project", "registration", "sealed_quote", "audit_event", "alembic_version"} <= tables
