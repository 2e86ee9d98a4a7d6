"""``flask backup`` and ``flask restore`` (issue 14, point 7), on both file stores and on the database under test.

The demo is backed up after its quotes are in (sealed, before the opening), restored into a fresh
instance (a new SQLite file or a new PostgreSQL database, new folders) that has only the KEK and
the audit key configured, and its quotes are opened there by the normal opening service: the
totals are what the suppliers submitted. A changed archive is refused before anything is loaded;
no archive carries the KEK or the audit key.
"""
from __future__ import annotations

import io
import json
import os
import tarfile
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from procurement.clock import FixedClock
from procurement.documents.storage import FILE_STORES
from procurement.extensions import db
from tests.conftest import app_on_database, database_url, drop_postgres_database, fresh_postgres_database


@pytest.fixture(params=FILE_STORES)
def app_config(request) -> dict:
    """Each test runs on the folder store and on the database store."""
    return {"FILE_STORE": request.param}


class Restored:
    """A fresh instance beside the test's app, sharing only its KEK and audit key (and file store kind)."""

    def __init__(self, source_app, folder: Path, **overrides) -> None:
        url = fresh_postgres_database("restore") if database_url() else f"sqlite:///{folder / 'restored.sqlite3'}"
        self.url = url
        keys = {"SEAL_KEK_FILE": source_app.config["SEAL_KEK_FILE"], "AUDIT_KEY_FILE": source_app.config["AUDIT_KEY_FILE"]}
        self.app = app_on_database(url, folder, FILE_STORE=source_app.config["FILE_STORE"], **(keys | overrides))
        self.clock = FixedClock(source_app.extensions["clock"].now())
        self.app.extensions["clock"] = self.clock

    def restore(self, archive: Path, *args: str):
        """Run ``flask restore`` in the fresh instance."""
        return self.app.test_cli_runner().invoke(args=["restore", str(archive), *args])

    def close(self) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        if database_url():
            drop_postgres_database(self.url)


@pytest.fixture
def restored(app, tmp_path):
    """Make a fresh instance (``restored(**config)``); each is dropped at the end."""
    made = []

    def make(**overrides) -> Restored:
        instance = Restored(app, tmp_path / f"restored{len(made)}", **overrides)
        made.append(instance)
        return instance

    yield make
    for instance in made:
        instance.close()


def _backup(runner, path: Path) -> Path:
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert path.is_file() and not path.with_name(path.name + ".partial").exists()
    return path


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {info.name: tar.extractfile(info).read() for info in tar}


def _rewrite(archive: Path, target: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(target, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def _small_state(clock):
    """A published project (its announcement PDF stored) with one accepted supplier's sealed quote."""
    from tests.factories import make_accepted_registration, make_buyer, make_project, make_sealed_quote, make_supplier

    project = make_project(make_buyer(), clock)
    supplier = make_supplier()
    registration = make_accepted_registration(project, supplier, clock)
    make_sealed_quote(registration, supplier, ("25.00", "420.00", "21.50"), clock)
    return project


def test_the_demo_backed_up_before_the_opening_is_restored_and_opened_there(app, runner, tmp_path, restored):
    from procurement.demo import ITEMS, OPENING_AT, PRICE_FACTORS, SUPPLIERS
    from procurement.models import OpenedQuote, Project, User
    from procurement.restore_checks import verify_instance
    from procurement.services import ServiceError, opening
    from tests.factories import open_demo

    assert runner.invoke(args=["demo"]).exit_code == 0
    submitted = {
        name: sum(Decimal(quantity) * (Decimal(ceiling) * factor).quantize(Decimal("0.01")) for _, _, _, quantity, ceiling in ITEMS)
        for (name, *_), factor in zip(SUPPLIERS, PRICE_FACTORS)
    }
    archive = _backup(runner, tmp_path / "demo.tar.gz")

    fresh = restored()
    with fresh.app.app_context():
        result = fresh.restore(archive)
        assert result.exit_code == 0, result.output + result.stderr
        assert "Restore verified." in result.output
        assert "5 quote versions match their receipts" in result.output
        assert "1 quorum projects, whose 5 current quotes open only with their officials' passphrases" in result.output

        fresh.clock.set(OPENING_AT.replace(minute=5))
        report = verify_instance()  # past the opening time: the KEK opens nothing of a quorum project
        assert report.ok, report.problems
        assert "0 current quotes decrypted" in report.lines[-1] and "whose 5 current quotes" in report.lines[-1]

        project = db.session.scalar(sa.select(Project))
        buyer = db.session.scalar(sa.select(User).where(User.email == "buyer@example.com"))
        with pytest.raises(ServiceError):
            opening.open_quotes(project.id, buyer)  # no KEK path, restored or not
        opened = open_demo(project)  # the demo's quorum: two officials' passphrases
        totals = {quote.registration.company.name: quote.total for quote in db.session.scalars(sa.select(OpenedQuote))}
        assert len(opened) == 5 and totals == submitted
        assert fresh.app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_the_archive_holds_neither_the_kek_nor_the_audit_key(app, runner, clock, tmp_path):
    _small_state(clock)
    archive = _backup(runner, tmp_path / "small.tar.gz")
    kek = bytes.fromhex(Path(app.config["SEAL_KEK_FILE"]).read_text().strip())
    audit_key = bytes.fromhex(Path(app.config["AUDIT_KEY_FILE"]).read_text().strip())
    haystacks = [archive.read_bytes(), *_members(archive).values()]
    for key in (kek, audit_key):
        for needle in (key, key.hex().encode(), key.hex().upper().encode()):
            assert not any(needle in haystack for haystack in haystacks)
    names = set(_members(archive))
    assert {"manifest.json", "manifest.hmac"} <= names
    assert not any(name.endswith((".kek", ".key")) for name in names)
    manifest = json.loads(_members(archive)["manifest.json"])
    assert manifest["file_store"] == app.config["FILE_STORE"]
    assert manifest["database"]["dialect"] == ("postgresql" if database_url() else "sqlite")
    # Every upload and document is in the archive (folder store) or inside the database snapshot.
    files = {name for name in names if name.startswith("files/")}
    assert len(files) == (manifest["counts"]["uploads"] + manifest["counts"]["documents"] if app.config["FILE_STORE"] == "folder" else 0)
    assert oct(os.stat(archive).st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("change", ["database", "file", "file_and_manifest", "extra_member", "no_seal"])
def test_a_changed_archive_is_refused_and_nothing_is_loaded(app, runner, clock, tmp_path, restored, change):
    _small_state(clock)
    archive = _backup(runner, tmp_path / "good.tar.gz")
    members = _members(archive)
    database_member = json.loads(members["manifest.json"])["database"]["member"]
    file_member = next((name for name in members if name.startswith("files/")), database_member)
    if change == "database":
        data = bytearray(members[database_member])
        data[len(data) // 2] ^= 0x01
        members[database_member] = bytes(data)
    elif change == "file":
        members[file_member] = members[file_member] + b"%"
    elif change == "file_and_manifest":  # consistent, but without the audit key the seal cannot follow
        members[file_member] = members[file_member] + b"%"
        manifest = json.loads(members["manifest.json"])
        import hashlib

        manifest["members"][file_member] = {"sha256": hashlib.sha256(members[file_member]).hexdigest(), "size": len(members[file_member])}
        members["manifest.json"] = json.dumps(manifest).encode()
    elif change == "extra_member":
        members["files/upload/../../evil"] = b"x"
    else:
        del members["manifest.hmac"]
    tampered = _rewrite(archive, tmp_path / "tampered.tar.gz", members)

    fresh = restored()
    with fresh.app.app_context():
        result = fresh.restore(tampered)
        assert result.exit_code == 1
        assert "Restore refused" in result.stderr and "refused" in result.stderr
        assert sa.inspect(db.session.connection()).get_table_names() == []
        for folder in ("UPLOAD_FOLDER", "DOCUMENT_FOLDER"):
            assert not [path for path in Path(fresh.app.config[folder]).rglob("*") if path.is_file()]
        # The untouched archive loads into the same (still empty) instance.
        assert fresh.restore(archive).exit_code == 0


def test_restore_refuses_a_non_empty_instance(app, runner, clock, tmp_path):
    _small_state(clock)
    archive = _backup(runner, tmp_path / "small.tar.gz")
    result = app.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 1
    assert "not empty" in result.stderr


def test_a_restore_under_another_kek_does_not_verify(app, runner, clock, tmp_path, restored):
    _small_state(clock)
    archive = _backup(runner, tmp_path / "small.tar.gz")
    other = tmp_path / "other.kek"
    other.write_text(os.urandom(32).hex())
    fresh = restored(SEAL_KEK_FILE=str(other))
    with fresh.app.app_context():
        result = fresh.restore(archive)
    assert result.exit_code == 1
    assert "wrapped by another KEK than the configured one" in result.stderr
    assert "does NOT verify" in result.stderr


@pytest.mark.skipif(not database_url(), reason="pg_dump is for PostgreSQL")
@pytest.mark.parametrize("fake", [None, "pg_dump (PostgreSQL) 13.9"])
def test_backup_names_a_missing_or_older_pg_dump(app, runner, tmp_path, monkeypatch, fake):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if fake:
        script = bin_dir / "pg_dump"
        script.write_text(f"#!/bin/sh\necho '{fake}'\n")
        script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    result = runner.invoke(args=["backup", str(tmp_path / "x.tar.gz")])
    assert result.exit_code == 1
    assert ("older than PostgreSQL" in result.output) if fake else ("pg_dump is not on PATH" in result.output)
    assert not (tmp_path / "x.tar.gz").exists()
