"""Migration ``audit01``: the single old chain becomes one chain per project plus the site's, every
hash recomputed exactly as the application computes it, the heads left unsealed until ``flask
audit seal``; a broken old chain stops the upgrade instead of being rehashed. SQLite and PostgreSQL."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa

from procurement import audit, create_app
from procurement.clock import FixedClock
from procurement.extensions import db
from tests.conftest import DEFAULT_NOW, app_settings, database_url, drop_postgres_database, fresh_postgres_database
from tests.factories import make_accepted_registration, make_buyer, make_project, make_sealed_quote, make_supplier

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "audit01_per_project_audit_chains.py"


def _migration_module():
    spec = importlib.util.spec_from_file_location("audit01", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def migrated(tmp_path, monkeypatch):
    """An app on a database built by the migrations, with two projects' events and the site's."""
    from flask_migrate import upgrade

    url = fresh_postgres_database("auditmig") if database_url() else f"sqlite:///{tmp_path / 'audit.sqlite3'}"
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app(app_settings(url, tmp_path))
    clock = FixedClock(DEFAULT_NOW)
    app.extensions["clock"] = clock
    with app.app_context():
        upgrade()
        buyer = make_buyer()
        first = make_project(buyer, clock)
        make_project(buyer, clock)
        supplier = make_supplier()
        registration = make_accepted_registration(first, supplier, clock)
        make_sealed_quote(registration, supplier, ["25.50", "400", "12.30"], clock)
        db.session.commit()
        app.config["TEST_PROJECT_ID"] = first.id
        yield app
        db.session.remove()
        db.engine.dispose()
    if database_url():
        drop_postgres_database(url)


def _events() -> list[tuple]:
    return db.session.execute(sa.text("SELECT id, chain, seq, prev_hash, hash FROM audit_event ORDER BY id")).all()


def _heads() -> list[tuple]:
    return db.session.execute(sa.text("SELECT chain, seq, hash, last_action, mac FROM audit_chain_head ORDER BY chain")).all()


def _migrate(step, *args) -> None:
    db.session.remove()  # no transaction of the test's open (SQLite: its write lock) while migrating
    step(*args)


def test_downgrade_then_upgrade_gives_back_the_applications_own_hashes(migrated):
    from flask_migrate import downgrade, upgrade

    written, heads = _events(), _heads()
    project_id = migrated.config["TEST_PROJECT_ID"]
    assert {row.chain for row in written} >= {"site", f"project:{project_id}", f"project:{project_id + 1}"}
    assert all(status.ok for status in audit.verify())

    _migrate(downgrade, None, "store01")
    assert "chain" not in {column["name"] for column in sa.inspect(db.engine).get_columns("audit_event")}
    assert not sa.inspect(db.engine).has_table("audit_chain_head")
    migration = _migration_module()
    old = list(migration._rows_in_id_order(db.session.connection()))
    assert [row.id for row in old] == [row.id for row in written]
    prev = "0" * 64
    for row in old:  # one chain over every event, under the old rules
        assert row.prev_hash == prev and migration._v1_hash(prev, row) == row.hash
        prev = row.hash

    _migrate(upgrade)
    assert _events() == written
    assert [head[:4] for head in _heads()] == [head[:4] for head in heads]
    assert {head.mac for head in _heads()} == {None}
    statuses = audit.verify()
    assert statuses and all(status.broken is not None and status.broken.unsealed for status in statuses)

    result = migrated.test_cli_runner().invoke(args=["audit", "seal"])
    assert result.exit_code == 0, result.output
    assert all(status.ok for status in audit.verify())
    # The first append after the upgrade seals its own chain too.
    audit.record("test.note", object_type="project", object_id=project_id, project_id=project_id)
    db.session.commit()
    assert all(status.ok for status in audit.verify())


def test_a_broken_old_chain_stops_the_upgrade(migrated):
    from alembic import command
    from flask_migrate import downgrade

    _migrate(downgrade, None, "store01")
    victim = db.session.execute(sa.text("SELECT id FROM audit_event ORDER BY id LIMIT 1 OFFSET 3")).scalar_one()
    db.session.execute(sa.text("UPDATE audit_event SET actor = 'someone else' WHERE id = :id"), {"id": victim})
    db.session.commit()
    db.session.remove()
    # Alembic itself: Flask-Migrate would log the error and exit.
    with pytest.raises(RuntimeError, match=f"the audit chain is broken at event id {victim} "):
        command.upgrade(migrated.extensions["migrate"].migrate.get_config(), "head")
    db.session.remove()
    assert db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "store01"
