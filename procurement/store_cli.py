"""``flask store``: check the file store, and copy the instance-folder store into the database store."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from procurement.documents.storage import KINDS, BlobMissing, DatabaseStore, current_store, folder_store
from procurement.extensions import db
from procurement.models import GeneratedDocument, StoredFile

store_cli = AppGroup("store", help="The file store (uploads and generated documents).")

_KEY = re.compile(r"(?P<fan>[0-9a-f]{2})/(?P<digest>[0-9a-f]{64})(\.[A-Za-z0-9]{1,16})?")


def _key_digest(key: str) -> str | None:
    """The SHA-256 a content-addressed key names, or ``None`` for a key of another shape."""
    match = _KEY.fullmatch(key)
    if match is None or not match["digest"].startswith(match["fan"]):
        return None
    return match["digest"]


def _rows() -> list[tuple[str, str, str, str]]:
    """(kind, key, sha256, what) of every row that points at a stored file."""
    uploads = db.session.execute(sa.select(StoredFile.id, StoredFile.storage_path, StoredFile.sha256).order_by(StoredFile.id))
    documents = db.session.execute(
        sa.select(GeneratedDocument.id, GeneratedDocument.storage_path, GeneratedDocument.sha256).order_by(GeneratedDocument.id)
    )
    return [("upload", key, digest, f"stored_file {id_}") for id_, key, digest in uploads] + [
        ("document", key, digest, f"generated_document {id_}") for id_, key, digest in documents
    ]


@dataclass(frozen=True)
class FileCheck:
    """What :func:`check_files` found: how many rows point at a file, and each that does not resolve."""

    count: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        """Whether every row found its file with its SHA-256."""
        return not self.problems


def check_files(store) -> FileCheck:
    """Check every upload and document row against ``store``: the file is there with the SHA-256 the row records.

    Used by ``flask store verify``, ``flask store migrate-to-database`` and ``flask restore``.
    """
    rows = _rows()
    problems = []
    for kind, key, digest, what in rows:
        try:
            data = store.get(key, kind)
        except BlobMissing:
            problems.append(f"{what}: {kind} {key} is missing")
            continue
        if hashlib.sha256(data).hexdigest() != digest:
            problems.append(f"{what}: {kind} {key} does not have the SHA-256 its row records")
    return FileCheck(len(rows), problems)


@store_cli.command("verify")
def verify() -> None:
    """Check that every upload and document row finds its file, with the SHA-256 it records; exit 1 naming each that does not."""
    store = current_store()
    check = check_files(store)
    db.session.rollback()
    for problem in check.problems:
        click.echo(problem, err=True)
    if not check.ok:
        raise SystemExit(1)
    click.echo(f"File store ({store.name}) OK: {check.count} files verified.")


@store_cli.command("migrate-to-database")
def migrate_to_database() -> None:
    """Copy the instance-folder store (UPLOAD_FOLDER, DOCUMENT_FOLDER) into the database store.

    Each file is checked against the SHA-256 its name carries and copied in its own short
    transaction; files already there are skipped, so the command can be run again (say,
    once more after the last folder node stopped). The folders are left as they are. At the
    end every row that points at a file must find it in the database, or the command exits 1.
    Then set ``FILE_STORE=database`` on every node.
    """
    source, target = folder_store(), DatabaseStore()
    copied = present = 0
    problems = []
    for kind in KINDS:
        for key in source.keys(kind):
            if target.has(key, kind):
                present += 1
                db.session.rollback()
                continue
            data = source.get(key, kind)
            digest = hashlib.sha256(data).hexdigest()
            if _key_digest(key) != digest:
                problems.append(f"{kind} {key}: its content does not have the SHA-256 its name says; not copied")
                continue
            target.put(key, kind, data, digest)
            db.session.commit()
            copied += 1
    problems += check_files(target).problems
    db.session.rollback()
    click.echo(f"Copied {copied} files into the database store; {present} were there already.")
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Every upload and document row finds its file in the database store: set FILE_STORE=database on every node.")
