"""``flask backup PATH`` and ``flask restore PATH``: one archive of the database and the files
(``procurement.backup``), loaded into an empty instance and verified (``procurement.restore_checks``)."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import click
from flask import current_app

from procurement import backup
from procurement.documents.storage import current_store
from procurement.extensions import db


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def backup_command(path: Path) -> None:
    """Write one archive (.tar.gz) of the database snapshot and the folder store's files, with a manifest.

    The KEK and the audit key are not in it: keep them apart (README, "What to back up").
    """
    try:
        manifest = backup.write_archive(path)
    except backup.BackupError as error:
        db.session.rollback()
        raise click.ClickException(str(error))
    counts = manifest["counts"]
    click.echo(
        f"Backup written to {path}: {manifest['database']['dialect']} database (schema {_revision(manifest)}), "
        f"{manifest['file_store']} store, {len(manifest['members']) - 1} files, {counts['uploads']} uploads, "
        f"{counts['documents']} documents, {counts['sealed_quotes']} sealed quote versions, {counts['audit_events']} audit events."
    )
    click.echo("The KEK and the audit key are not in the archive: a restore needs both, kept apart from it.")


def _revision(manifest: dict) -> str:
    return ", ".join(manifest["schema_revision"]) if manifest["schema_revision"] else "made without migrations"


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--overwrite", is_flag=True,
    help="Load even though the database or the folder store is not empty (SQLite: the file is replaced; "
    "PostgreSQL: the archive's tables are dropped and re-created).",
)
def restore_command(path: Path, overwrite: bool) -> None:
    """Load an archive into this (empty) instance, then verify it: the manifest, the audit chains,
    every file against its SHA-256 and every sealed quote against the configured KEK; exit 1 on any fault."""
    from procurement.restore_checks import verify_instance

    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=current_app.instance_path))
    try:
        staged = _load(path, staging, overwrite)
    except backup.BackupError as error:
        db.session.rollback()
        click.echo(f"Restore refused: {error}", err=True)
        raise SystemExit(1)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest = staged.manifest
    click.echo(
        f"Loaded {path}: made {manifest['created_at']}{' (simulated clock)' if manifest['clock_simulated'] else ''}, "
        f"{manifest['database']['dialect']} database (schema {_revision(manifest)}), {len(staged.files)} files into the "
        f"{manifest['file_store']} store; manifest: {len(manifest['members'])} members match their SHA-256."
    )
    report = verify_instance()
    for line in report.lines:
        click.echo(line)
    for problem in report.problems:
        click.echo(f"  FAULT: {problem}", err=True)
    if not report.ok:
        click.echo(f"Restore loaded but does NOT verify: {len(report.problems)} faults. Do not serve this instance.", err=True)
        raise SystemExit(1)
    click.echo("Restore verified.")


def _load(path: Path, staging: Path, overwrite: bool) -> backup.Staged:
    """Check the archive and this instance, then load the database and the files.

    :raise BackupError: the archive is refused, or this instance cannot take it (nothing loaded).
    """
    staged = backup.stage_archive(path, staging)
    manifest = staged.manifest
    store = current_store()
    if manifest["database"]["dialect"] != backup.dialect():
        raise backup.BackupError(f"the archive holds a {manifest['database']['dialect']} database; this instance is configured for {backup.dialect()}")
    if manifest["file_store"] != store.name:
        raise backup.BackupError(
            f"the archive was made with FILE_STORE={manifest['file_store']}; this instance has FILE_STORE={store.name}. "
            f"Restore with FILE_STORE={manifest['file_store']} (then `flask store migrate-to-database` if wanted)."
        )
    if manifest["schema_revision"] and manifest["schema_revision"] != backup.code_revision():
        raise backup.BackupError(
            f"the archive's schema revision is {_revision(manifest)}, this code's is {', '.join(backup.code_revision())}: "
            "restore with the release that made it, then upgrade (`flask db upgrade`)"
        )
    if not overwrite:
        if not backup.database_is_empty():
            raise backup.BackupError("the configured database is not empty (use a new database, or --overwrite)")
        if store.name == "folder" and not backup.folder_store_is_empty(store):
            raise backup.BackupError("the folder store (UPLOAD_FOLDER, DOCUMENT_FOLDER) is not empty (use new folders, or --overwrite)")
    db.session.rollback()
    backup.load_database(staged.database, manifest, overwrite)
    if store.name == "folder":
        backup.load_files(staged, store)
    return staged


def init_app(app) -> None:
    """Register ``flask backup`` and ``flask restore``."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
