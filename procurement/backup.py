"""Backup archives: one ``.tar.gz`` holding a consistent database snapshot, the folder store's
files and a manifest (``flask backup``; loaded and checked by ``flask restore``).

Layout of an archive::

    database/procurement.sqlite3     SQLite: a snapshot made with the online backup API
    database/procurement.dump        PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot)
    files/upload/ab/ab…ef.pdf        folder store only: every upload and generated document under
    files/document/cd/cd…01.pdf      its content key (the database store keeps them in the database)
    manifest.json                    the SHA-256 and size of every other member, the schema revision
                                     (Alembic), the time, the database and the file store
    manifest.hmac                    HMAC-SHA256 of manifest.json under a key derived from the audit key

The KEK and the audit key are never written into an archive: a restore needs them configured
apart (README, "What to back up"). The manifest's HMAC means that whoever changes an archive
without the audit key (a member, the manifest, or both consistently) is refused by the restore.

The database is dumped first and the files copied after: the folder store writes a file before
the row that points at it is committed and never deletes one, so every row of the snapshot finds
its file in the archive (files written in between are carried along, harmlessly).
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from procurement import clock
from procurement.documents.storage import KINDS, current_store
from procurement.extensions import db
from procurement.keys import load_audit_key

FORMAT = "procurement-backup"
FORMAT_VERSION = 1
MANIFEST, MANIFEST_MAC = "manifest.json", "manifest.hmac"
DATABASE_MEMBERS = {"sqlite": "database/procurement.sqlite3", "postgresql": "database/procurement.dump"}
_FILE_MEMBER = re.compile(r"files/(?P<kind>upload|document)/(?P<key>(?P<fan>[0-9a-f]{2})/(?P<digest>[0-9a-f]{64})(\.[A-Za-z0-9]{1,16})?)")
_MAC_LABEL = b"procurement backup manifest v1"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- the manifest's seal -----------------------------------------------------------------------


def manifest_mac(data: bytes, audit_key: bytes) -> str:
    """HMAC-SHA256 of the manifest's bytes under a key derived from the audit key (never the key itself)."""
    subkey = hmac.new(audit_key, _MAC_LABEL, hashlib.sha256).digest()
    return hmac.new(subkey, data, hashlib.sha256).hexdigest()


# --- the database: snapshot, emptiness, load ---------------------------------------------------


def dialect() -> str:
    """``sqlite`` or ``postgresql``: the configured database."""
    return db.engine.dialect.name


def schema_revision() -> list[str] | None:
    """The Alembic revision(s) the database records, or ``None`` when it was made without migrations."""
    if "alembic_version" not in sa.inspect(db.session.connection()).get_table_names():
        return None
    return sorted(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))


def code_revision() -> list[str]:
    """The head revision(s) of this code's migrations."""
    from alembic.script import ScriptDirectory

    return sorted(ScriptDirectory(current_app.extensions["migrate"].directory).get_heads())


def database_is_empty() -> bool:
    """Whether the configured database holds no table at all."""
    return not sa.inspect(db.session.connection()).get_table_names()


def _libpq() -> tuple[str, dict]:
    """The configured PostgreSQL database as a libpq URL without the password, and the environment carrying it."""
    url = db.engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _major(text: str) -> int | None:
    match = re.search(r"\)\s*(\d+)", text) or re.search(r"(\d+)", text)
    return int(match.group(1)) if match else None


def postgres_tool(name: str, at_least: int | None) -> tuple[str, str]:
    """The path and ``--version`` text of a PostgreSQL client (``pg_dump``, ``pg_restore``) on PATH.

    :raise BackupError: it is not on PATH, or its major version is older than ``at_least``.
    """
    path = shutil.which(name)
    wanted = f"the PostgreSQL {at_least} client" if at_least else "the PostgreSQL client"
    if path is None:
        raise BackupError(f"{name} is not on PATH: install {wanted} (Debian: apt-get install postgresql-client-{at_least or 'NN'}).")
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    major = _major(version)
    if at_least is not None and (major is None or major < at_least):
        raise BackupError(
            f"{path} is {version!r}, older than PostgreSQL {at_least}: it cannot be trusted with this data. "
            f"Install postgresql-client-{at_least} (or newer) and put its {name} first on PATH."
        )
    return path, version


def _server_major() -> int:
    return int(db.session.scalar(sa.text("SHOW server_version_num"))) // 10000


def snapshot_database(target: Path) -> dict:
    """Write a consistent snapshot of the configured database to ``target``; what the manifest says of it."""
    if dialect() == "sqlite":
        source = sqlite3.connect(db.engine.url.database)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # one step: a consistent snapshot even while the service writes
            version = sqlite3.sqlite_version
        finally:
            copy.close()
            source.close()
        return {"dialect": "sqlite", "server_version": version}
    server = _server_major()
    db.session.rollback()
    pg_dump, version = postgres_tool("pg_dump", server)
    url, env = _libpq()
    result = subprocess.run(
        [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", f"--dbname={url}"],
        capture_output=True, text=True, env=env,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return {"dialect": "postgresql", "server_version": str(server), "dump_tool": version}


def load_database(snapshot: Path, manifest: dict, overwrite: bool) -> None:
    """Load a staged snapshot into the configured database (empty unless ``overwrite``)."""
    db.session.remove()
    db.engine.dispose()
    if dialect() == "sqlite":
        source = sqlite3.connect(snapshot)
        target = sqlite3.connect(db.engine.url.database)
        try:
            with target:
                source.backup(target)  # replaces every page of the target: a whole-file copy, WAL-safe
        finally:
            target.close()
            source.close()
        return
    made_with = _major(manifest["database"].get("dump_tool", ""))
    pg_restore, _ = postgres_tool("pg_restore", max(made_with or 0, _server_major()) or None)
    db.session.remove()
    url, env = _libpq()
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", f"--dbname={url}"]
    if overwrite:
        command[1:1] = ["--clean", "--if-exists"]
    result = subprocess.run(command + [str(snapshot)], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    db.engine.dispose()


# --- writing an archive ------------------------------------------------------------------------


def _counts() -> dict:
    from procurement.models import AuditEvent, GeneratedDocument, SealedQuote, StoredFile

    def count(model):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return {"uploads": count(StoredFile), "documents": count(GeneratedDocument), "sealed_quotes": count(SealedQuote), "audit_events": count(AuditEvent)}


def write_archive(path: Path) -> dict:
    """Write the archive to ``path`` (through ``path.partial``, mode 0600); return its manifest."""
    store = current_store()
    partial = path.with_name(path.name + ".partial")
    members: dict[str, dict] = {}
    work = Path(current_app.instance_path) / f".backup-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        snapshot = work / "database"
        db.session.rollback()  # hold no write lock (SQLite) while the snapshot is taken
        database = snapshot_database(snapshot)
        database["member"] = DATABASE_MEMBERS[database["dialect"]]
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": clock.now().isoformat(),
            "clock_simulated": bool(clock.get_clock().simulated),
            "schema_revision": schema_revision(),
            "file_store": store.name,
            "database": database,
            "counts": _counts(),
        }
        db.session.rollback()
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            members[database["member"]] = _add(archive, database["member"], snapshot.read_bytes())
            if store.name == "folder":
                for kind in KINDS:
                    for key in store.keys(kind):
                        name = f"files/{kind}/{key}"
                        members[name] = _add(archive, name, store.get(key, kind))
            manifest["members"] = members
            data = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode()
            _add(archive, MANIFEST, data)
            _add(archive, MANIFEST_MAC, manifest_mac(data, load_audit_key()).encode())
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, path)
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if partial.exists():
            partial.unlink()


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> dict:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, 0
    archive.addfile(info, io.BytesIO(data))
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


# --- reading an archive ------------------------------------------------------------------------


@dataclass
class Staged:
    """An archive unpacked into a staging folder, its manifest checked."""

    manifest: dict
    database: Path
    files: list[tuple[str, str, Path]]  # (kind, key, staged path)


def stage_archive(path: Path, staging: Path) -> Staged:
    """Unpack the archive into ``staging`` and check it: only known members, the manifest's seal under
    the configured audit key, and every member's SHA-256 and size against the manifest.

    :raise BackupError: naming every fault (nothing has been loaded then).
    """
    seen: dict[str, dict] = {}
    try:
        archive = tarfile.open(path, mode="r:gz")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{path} is not a backup archive: {error}") from error
    with archive:
        for info in archive:
            name = info.name
            if not info.isfile() or name in seen or not (name in (MANIFEST, MANIFEST_MAC) or name in DATABASE_MEMBERS.values() or _FILE_MEMBER.fullmatch(name)):
                raise BackupError(f"the archive holds an unexpected member {name!r}: refused")
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, size = hashlib.sha256(), 0
            with archive.extractfile(info) as source, open(target, "wb") as sink:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    size += len(chunk)
                    sink.write(chunk)
            seen[name] = {"sha256": digest.hexdigest(), "size": size}
    if MANIFEST not in seen or MANIFEST_MAC not in seen:
        raise BackupError("the archive has no sealed manifest: refused")
    data = (staging / MANIFEST).read_bytes()
    mac = (staging / MANIFEST_MAC).read_text().strip()
    if not hmac.compare_digest(mac, manifest_mac(data, load_audit_key())):
        raise BackupError(
            "the manifest's seal does not verify under the configured audit key: the archive was changed, "
            "or it was made with another audit key (configure that one): refused"
        )
    manifest = json.loads(data)
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"unknown archive format {manifest.get('format')!r} {manifest.get('format_version')!r}: refused")
    expected = manifest["members"]
    if manifest["database"].get("member") not in expected:
        raise BackupError("the manifest names no database snapshot: refused")
    problems = [f"{name}: listed in the manifest but not in the archive" for name in sorted(set(expected) - set(seen))]
    for name, found in sorted(seen.items()):
        if name in (MANIFEST, MANIFEST_MAC):
            continue
        if name not in expected:
            problems.append(f"{name}: in the archive but not in the manifest")
        elif found != expected[name]:
            problems.append(f"{name}: its SHA-256 or size differs from the manifest")
    if problems:
        raise BackupError("the archive does not match its manifest: refused\n  " + "\n  ".join(problems))
    files = []
    for name in expected:
        match = _FILE_MEMBER.fullmatch(name)
        if match:
            files.append((match["kind"], match["key"], staging / name))
    return Staged(manifest, staging / manifest["database"]["member"], files)


def folder_store_is_empty(store) -> bool:
    """Whether the folder store holds no file of any kind."""
    return not any(next(iter(store.keys(kind)), None) for kind in KINDS)


def load_files(staged: Staged, store) -> int:
    """Copy the staged files into the folder store; each must have the SHA-256 its key names."""
    for kind, key, source in staged.files:
        data = source.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if _FILE_MEMBER.fullmatch(f"files/{kind}/{key}")["digest"] != digest:
            raise BackupError(f"files/{kind}/{key}: its content does not have the SHA-256 its name says")
        store.put(key, kind, data, digest)
    return len(staged.files)
