"""Configuration: production refuses unsafe settings; development generates its secrets once."""
from __future__ import annotations

import pytest

from procurement import create_app
from procurement.clock import SimulatedClock, SystemClock


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    import config

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", None)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_has_no_simulated_clock(monkeypatch, tmp_path):
    import config

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "x" * 32)
    monkeypatch.setattr(config.ProductionConfig, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/p.db")
    monkeypatch.setattr(config.ProductionConfig, "PUBLIC_BASE_URL", "")
    monkeypatch.setattr(config.ProductionConfig, "OCID_PREFIX", "ocds-a1b2c3")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app("production")
    monkeypatch.setattr(config.ProductionConfig, "PUBLIC_BASE_URL", "https://caigou.example.cn")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setattr(config.ProductionConfig, "AUDIT_KEY", "")
    monkeypatch.setattr(config.ProductionConfig, "AUDIT_KEY_FILE", "")
    with pytest.raises(RuntimeError, match="AUDIT_KEY"):
        create_app("production")
    monkeypatch.setattr(config.ProductionConfig, "AUDIT_KEY", "cd" * 32)
    app = create_app("production")
    assert isinstance(app.extensions["clock"], SystemClock)
    assert app.config["ALLOW_SIMULATED_CLOCK"] is False
    from procurement.extensions import db
    from procurement.services import accounts
    from tests.conftest import AuthActions

    app.config["SESSION_COOKIE_SECURE"] = False  # the test client speaks plain HTTP
    with app.app_context():
        db.create_all()
        accounts.create_buyer("boss@example.com", "tashi-delek-2025", "措姆")
        client = app.test_client()
        AuthActions(client).login("boss@example.com")
        assert client.get("/buyer/").status_code == 200
        assert "模拟时间" not in client.get("/buyer/").get_data(as_text=True)
        assert client.get("/buyer/clock").status_code == 404
        db.session.remove()
        db.engine.dispose()
    monkeypatch.setattr(config.ProductionConfig, "ALLOW_SIMULATED_CLOCK", True)
    with pytest.raises(RuntimeError, match="simulated clock"):
        create_app("production")


def _production_ready(monkeypatch, tmp_path) -> None:
    """Every setting production requires, except the ocid prefix."""
    import config

    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "x" * 32)
    monkeypatch.setattr(config.ProductionConfig, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/p.db")
    monkeypatch.setattr(config.ProductionConfig, "PUBLIC_BASE_URL", "https://caigou.example.cn")
    monkeypatch.setattr(config.ProductionConfig, "AUDIT_KEY", "cd" * 32)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))


@pytest.mark.parametrize("prefix", [None, "ocds-demo00", "", "ocds-ABC123", "ocds-a1b2c", "ocds-a1b2c3d", "ocds_a1b2c3", "a1b2c3", " ocds-a1b2c3"])
def test_production_refuses_the_placeholder_or_a_malformed_ocid_prefix(monkeypatch, tmp_path, prefix):
    import config

    _production_ready(monkeypatch, tmp_path)
    if prefix is not None:  # None: the default, the placeholder
        monkeypatch.setattr(config.ProductionConfig, "OCID_PREFIX", prefix)
    assert config.Config.OCID_PREFIX == "ocds-demo00"
    with pytest.raises(RuntimeError, match=r"^OCID_PREFIX must be set in production .*Open Contracting Partnership") as refused:
        create_app("production")
    if prefix in (None, "ocds-demo00"):
        assert "'ocds-demo00' (the placeholder)" in str(refused.value)


def test_production_accepts_a_registered_ocid_prefix_and_its_releases_carry_it(monkeypatch, tmp_path):
    import config

    _production_ready(monkeypatch, tmp_path)
    monkeypatch.setattr(config.ProductionConfig, "OCID_PREFIX", "ocds-a1b2c3")
    app = create_app("production")
    assert app.config["OCID_PREFIX"] == "ocds-a1b2c3"
    with app.app_context():
        from procurement.queries import open_data

        assert open_data.settings().ocid(7) == "ocds-a1b2c3-7"


def test_development_and_test_keep_the_placeholder_ocid_prefix(monkeypatch, tmp_path):
    import config

    monkeypatch.setattr(config.DevelopmentConfig, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path}/d.db")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    assert create_app("development").config["OCID_PREFIX"] == "ocds-demo00"
    assert create_app("test").config["OCID_PREFIX"] == "ocds-demo00"
    assert create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db", "OCID_PREFIX": "not-a-prefix"}).config["OCID_PREFIX"] == "not-a-prefix"


def test_development_generates_a_secret_key_once_and_uses_sqlite_in_the_instance(monkeypatch, tmp_path):
    import config

    monkeypatch.setattr(config.DevelopmentConfig, "SECRET_KEY", None)
    monkeypatch.setattr(config.DevelopmentConfig, "SQLALCHEMY_DATABASE_URI", "")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    first = create_app("development")
    second = create_app("development")
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/procurement.sqlite3"
    assert isinstance(first.extensions["clock"], SimulatedClock)
    assert first.config["UPLOAD_FOLDER"] == str(tmp_path / "uploads")


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    from procurement.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_the_audit_key_comes_from_hex_a_named_file_or_the_instance_folder_once(monkeypatch, tmp_path):
    from procurement.keys import load_audit_key

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/k.db", "AUDIT_KEY": "", "AUDIT_KEY_FILE": ""})
    with app.app_context():
        made = load_audit_key()
        assert len(made) == 32 and load_audit_key() == made
        assert (tmp_path / "audit.key").read_text() == made.hex()
        assert (tmp_path / "audit.key").stat().st_mode & 0o777 == 0o600
        named = tmp_path / "elsewhere" / "audit.key"
        named.parent.mkdir()
        named.write_text("ab" * 32 + "\n")
        app.config["AUDIT_KEY_FILE"] = str(named)
        assert load_audit_key() == bytes.fromhex("ab" * 32)
        app.config["AUDIT_KEY"] = "cd" * 32
        assert load_audit_key() == bytes.fromhex("cd" * 32)
        app.config["AUDIT_KEY"] = "cd" * 8
        with pytest.raises(RuntimeError, match="32 bytes"):
            load_audit_key()
    assert sorted(p.name for p in tmp_path.iterdir() if "audit" in p.name) == ["audit.key"]  # no draft left behind
