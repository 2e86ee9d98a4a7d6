"""The file store, both of them (``FILE_STORE=folder|database``), through the real flows.

Every test here runs once per store: a supplier's upload (as stored: an image is re-encoded) and
a generated document are served byte for byte with their SHA-256, a missing file answers 404, storing is idempotent, and the
database store's bytes commit with the caller's row. ``flask store migrate-to-database`` copies
a folder store into the database.
"""
from __future__ import annotations

import hashlib
import io
import shutil
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from procurement.documents import storage
from procurement.documents.storage import FILE_STORES, BlobMissing, read_bytes, store_bytes
from procurement.extensions import db
from procurement.models import GeneratedDocument, Registration, StoredBlob, StoredFile
from tests.conftest import AuthActions, database_url, make_test_app, post_form
from tests.factories.files import as_stored
from tests.factories import (
    REGISTRATION_OPEN_AT,
    make_all_blacklists,
    make_buyer,
    make_project,
    make_supplier,
    registration_form,
    tiny_pdf,
)


@pytest.fixture(params=FILE_STORES)
def app_config(request) -> dict:
    """Each test runs on the folder store and on the database store."""
    return {"FILE_STORE": request.param}


@pytest.fixture
def project(app, clock):
    """A published project (its announcement issued), the credit lists imported, the registration window open."""
    buyer = make_buyer()
    project = make_project(buyer, clock)
    make_all_blacklists(buyer)
    clock.set(REGISTRATION_OPEN_AT)
    return project


def _files_in(folder: str) -> list[Path]:
    return [path for path in Path(folder).rglob("*") if path.is_file()]


def _blob_count(kind: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(StoredBlob)
    if kind:
        query = query.where(StoredBlob.kind == kind)
    return db.session.scalar(query)


def _register_through_the_form(app, project) -> tuple[Registration, dict[str, tuple[str, bytes]]]:
    supplier = make_supplier()
    client = app.test_client()
    AuthActions(client).login(supplier.email)
    fields, files = registration_form(project, supplier)
    data = {**fields, **{kind: (io.BytesIO(body), name) for kind, (name, body) in files.items()}}
    url = f"/supplier/projects/{project.id}/registration"
    assert post_form(client, url, data, content_type="multipart/form-data").status_code == 302
    db.session.expire_all()
    registration = db.session.scalar(sa.select(Registration).where(Registration.company_id == supplier.company_id))
    assert registration.status == "accepted"
    return registration, {kind: (name, as_stored(name, body)) for kind, (name, body) in files.items()}


def _buyer_client(app):
    client = app.test_client()
    AuthActions(client).login("buyer@example.com")
    return client


def test_an_upload_is_stored_in_the_configured_store_and_served_byte_for_byte(app, project):
    registration, files = _register_through_the_form(app, project)
    buyer = _buyer_client(app)
    for document in registration.documents:
        name, sent = files[document.kind]
        stored = document.stored_file
        assert stored.sha256 == hashlib.sha256(sent).hexdigest() and stored.size == len(sent)
        response = buyer.get(f"/buyer/projects/{project.id}/registrations/{registration.id}/documents/{document.kind}")
        assert response.status_code == 200
        assert response.data == sent and hashlib.sha256(response.data).hexdigest() == stored.sha256
        assert response.headers["Content-Type"].startswith(stored.mime_type)
        assert response.headers["Content-Disposition"] == f'inline; filename="{name}"'
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["ETag"] == f'"{stored.sha256}"'
        # Conditional and partial requests work from either store.
        again = buyer.get(response.request.path, headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304 and again.data == b""
        part = buyer.get(response.request.path, headers={"Range": "bytes=0-9"})
        assert part.status_code == 206 and part.data == sent[:10]
    uploads = len({document.stored_file.sha256 for document in registration.documents})
    if app.config["FILE_STORE"] == "database":
        assert _blob_count("upload") == uploads and _files_in(app.config["UPLOAD_FOLDER"]) == []
    else:
        assert _blob_count() == 0 and len(_files_in(app.config["UPLOAD_FOLDER"])) == uploads


def test_a_generated_document_is_served_byte_for_byte(app, client, project):
    document = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "announcement"))
    stored = read_bytes(document.storage_path, kind="document")
    assert hashlib.sha256(stored).hexdigest() == document.sha256 and len(stored) == document.size
    response = client.get(f"/notices/{project.id}/notice.pdf")
    assert response.status_code == 200 and response.data == stored
    assert response.headers["X-Document-SHA256"] == document.sha256
    assert response.headers["ETag"] == f'"{document.sha256}"'
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{project.code}-announcement.pdf"; filename*=UTF-8\'\'')
    assert client.get(f"/notices/{project.id}/notice.pdf", headers={"If-None-Match": f'"{document.sha256}"'}).status_code == 304
    if app.config["FILE_STORE"] == "database":
        assert _blob_count("document") >= 1 and _files_in(app.config["DOCUMENT_FOLDER"]) == []


def _lose(app, kind: str, key: str) -> None:
    """Remove one stored file behind the application's back."""
    if app.config["FILE_STORE"] == "database":
        db.session.execute(sa.delete(StoredBlob).where(StoredBlob.kind == kind, StoredBlob.storage_path == key))
        db.session.commit()
    else:
        storage.folder_store().path(key, kind).unlink()


def test_a_missing_file_answers_404_and_is_logged(app, client, project, caplog):
    registration, _ = _register_through_the_form(app, project)
    document = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "announcement"))
    upload = registration.documents[0]
    _lose(app, "document", document.storage_path)
    _lose(app, "upload", upload.stored_file.storage_path)
    assert client.get(f"/notices/{project.id}/notice.pdf").status_code == 404
    buyer = _buyer_client(app)
    assert buyer.get(f"/buyer/projects/{project.id}/registrations/{registration.id}/documents/{upload.kind}").status_code == 404
    assert f"stored document {document.storage_path} is missing from the {app.config['FILE_STORE']} store" in caplog.text
    result = app.test_cli_runner().invoke(args=["store", "verify"])
    assert result.exit_code == 1
    assert f"generated_document {document.id}: document {document.storage_path} is missing" in result.output


def test_the_same_content_is_stored_once_under_one_key(app):
    data = tiny_pdf("the same scan")
    first = store_bytes(data, kind="upload")
    second = store_bytes(data, kind="upload")
    db.session.commit()
    digest = hashlib.sha256(data).hexdigest()
    assert first == second == (f"{digest[:2]}/{digest}", digest)
    assert store_bytes(data, kind="document", suffix=".pdf")[0] == f"{digest[:2]}/{digest}.pdf"
    db.session.commit()
    assert read_bytes(first[0], kind="upload") == data
    with pytest.raises(BlobMissing):
        read_bytes(first[0], kind="document")  # each kind is its own namespace
    if app.config["FILE_STORE"] == "database":
        assert _blob_count("upload") == 1 and _blob_count("document") == 1
    else:
        assert len(_files_in(app.config["UPLOAD_FOLDER"])) == 1


def test_a_key_outside_the_store_is_missing(app):
    with pytest.raises(BlobMissing):
        read_bytes("../secret_key", kind="upload")
    with pytest.raises(BlobMissing):
        read_bytes("ab/" + "0" * 64, kind="document")


def test_an_unknown_store_is_refused_at_start(database_template, tmp_path, app_config):
    with pytest.raises(RuntimeError, match="FILE_STORE must be one of folder, database"):
        make_test_app(database_template, tmp_path, FILE_STORE="s3")


# --- the database store writes in the caller's transaction ------------------------------------


def _committed_blobs() -> int:
    """stored_blob rows as another connection sees them (committed only).

    A plain engine of its own: the app's SQLite engine takes the write lock at every BEGIN.
    """
    engine = sa.create_engine(db.engine.url)
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(StoredBlob))
    finally:
        engine.dispose()


def test_the_database_store_commits_the_bytes_with_the_row_that_points_at_them(app, app_config):
    if app.config["FILE_STORE"] != "database":
        pytest.skip("the folder store writes the file before the row, outside any transaction")
    data = tiny_pdf("refused")
    key, _ = store_bytes(data, kind="upload")
    assert read_bytes(key) == data  # the caller's transaction sees its own write
    db.session.rollback()  # the command that stored it was refused: no orphan is left
    with pytest.raises(BlobMissing):
        read_bytes(key)
    assert _committed_blobs() == 0

    key, digest = store_bytes(data, kind="upload")
    assert _committed_blobs() == 0  # not visible before the row is committed
    db.session.add(StoredFile(sha256=digest, size=len(data), mime_type="application/pdf", original_name="a.pdf", storage_path=key, uploaded_at=REGISTRATION_OPEN_AT))
    db.session.commit()
    assert _committed_blobs() == 1


@pytest.mark.skipif(not database_url(), reason="concurrent writers need PostgreSQL (SQLite serialises every write transaction)")
def test_concurrent_identical_writes_both_succeed(app, app_config):
    if app.config["FILE_STORE"] != "database":
        pytest.skip("the folder store's rename is atomic; this is about the database store's primary key")
    data = tiny_pdf("uploaded twice at once")
    key, _ = store_bytes(data, kind="upload")  # the first writer's transaction stays open
    outcome: dict = {}

    def second_writer() -> None:
        with app.app_context():
            try:
                outcome["key"] = store_bytes(data, kind="upload")[0]
                db.session.commit()
            except Exception as error:  # reported below
                outcome["error"] = error
            finally:
                db.session.remove()

    thread = threading.Thread(target=second_writer)
    thread.start()
    # Wait until the second writer is blocked on the first one's uncommitted row (a lock wait).
    # PostgreSQL keeps one snapshot of pg_stat_activity per transaction, so each look is its own
    # transaction; otherwise a first look taken before the second writer blocked is read forever.
    waiting = sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
    with db.engine.connect() as observer:
        for _ in range(3000):
            seen = observer.scalar(waiting)
            observer.rollback()
            if seen:
                break
            if not thread.is_alive():
                pytest.fail(f"the second writer finished without waiting for the first: {outcome}")
            time.sleep(0.01)
        else:
            pytest.fail("the second writer never waited for the first")
    db.session.commit()
    thread.join(30)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["key"] == key and _committed_blobs() == 1


# --- copying a folder store into the database --------------------------------------------------


def test_migrate_to_database_copies_the_folder_store_and_serving_then_needs_no_folder(app, client, project, app_config):
    if app.config["FILE_STORE"] != "folder":
        pytest.skip("the copy starts from a folder store")
    registration, files = _register_through_the_form(app, project)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["store", "migrate-to-database"])
    stored = len(_files_in(app.config["UPLOAD_FOLDER"])) + len(_files_in(app.config["DOCUMENT_FOLDER"]))
    assert result.exit_code == 0, result.output
    assert f"Copied {stored} files into the database store; 0 were there already." in result.output
    assert _committed_blobs() == stored
    again = runner.invoke(args=["store", "migrate-to-database"])
    assert again.exit_code == 0 and f"Copied 0 files into the database store; {stored} were there already." in again.output

    app.config["FILE_STORE"] = "database"
    shutil.rmtree(app.config["UPLOAD_FOLDER"])
    shutil.rmtree(app.config["DOCUMENT_FOLDER"])
    verify = runner.invoke(args=["store", "verify"])
    assert verify.exit_code == 0 and "File store (database) OK" in verify.output
    buyer = _buyer_client(app)
    for document in registration.documents:
        response = buyer.get(f"/buyer/projects/{project.id}/registrations/{registration.id}/documents/{document.kind}")
        assert response.data == files[document.kind][1]
    announcement = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "announcement"))
    response = client.get(f"/notices/{project.id}/notice.pdf")
    assert hashlib.sha256(response.data).hexdigest() == announcement.sha256


def test_migrate_to_database_refuses_a_file_whose_content_is_not_its_name(app, project, app_config):
    if app.config["FILE_STORE"] != "folder":
        pytest.skip("the copy starts from a folder store")
    document = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "announcement"))
    storage.folder_store().path(document.storage_path, "document").write_bytes(b"%PDF-1.4 not what was issued")
    result = app.test_cli_runner().invoke(args=["store", "migrate-to-database"])
    assert result.exit_code == 1
    assert f"document {document.storage_path}: its content does not have the SHA-256 its name says; not copied" in result.output
    assert f"generated_document {document.id}: document {document.storage_path} is missing" in result.output
