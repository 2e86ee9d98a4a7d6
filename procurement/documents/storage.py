"""Content-addressed storage for uploaded files and generated documents, outside the web root.

Two stores, chosen by ``FILE_STORE``:

- ``folder`` (the embedded default): files under the instance folder (``UPLOAD_FOLDER``,
  ``DOCUMENT_FOLDER``). A file is written to a temporary name, fsynced and renamed, so a file
  the page calls saved is complete on disk before the database row that points at it is
  committed. Only the node that wrote a file can serve it.
- ``database``: rows of ``stored_blob`` in the application's database, which every app node
  reaches. The bytes are inserted in the caller's transaction, so they commit together with
  the row that points at them, or not at all: no reader ever sees the row without its bytes,
  and a command that rolls back leaves no orphan behind.

Both stores use the same key, ``<sha256[:2]>/<sha256><suffix>``: the same content gets the same
key, storing it twice is harmless (concurrent identical writes included), and copying a folder
store into the database (``flask store migrate-to-database``) changes no row that points at a file.
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path
from typing import Iterator, Mapping

import sqlalchemy as sa
from flask import Flask, current_app

from procurement import clock
from procurement.database import insert_or_ignore
from procurement.extensions import db
from procurement.models.storage import BLOB_KINDS, StoredBlob

FILE_STORES = ("folder", "database")
KINDS = BLOB_KINDS


class BlobMissing(FileNotFoundError):
    """No file under this key in the store (deleted, or never copied into it)."""


def content_key(digest: str, suffix: str = "") -> str:
    """The key of content whose SHA-256 is ``digest``: ``ab/ab…ef.pdf``."""
    return f"{digest[:2]}/{digest}{suffix}"


class FolderStore:
    """Files in one folder per kind (the embedded default; a single node)."""

    name = "folder"

    def __init__(self, roots: Mapping[str, str | os.PathLike]) -> None:
        self.roots = {kind: Path(folder) for kind, folder in roots.items()}

    def _root(self, kind: str) -> Path:
        root = self.roots[kind]
        root.mkdir(parents=True, exist_ok=True)
        return root

    def path(self, key: str, kind: str) -> Path:
        """The absolute path of ``key`` (which may not exist); never outside the kind's folder."""
        root = self._root(kind).resolve()
        path = (root / key).resolve()
        if root not in path.parents:
            raise BlobMissing(key)
        return path

    def put(self, key: str, kind: str, data: bytes, digest: str) -> None:
        """Write ``data`` durably under ``key`` unless it is there already."""
        target = self.path(key, kind)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def sendable(self, key: str, kind: str) -> Path:
        """The file's path, for ``send_file`` to stream from disk.

        :raise BlobMissing: when there is no such file.
        """
        path = self.path(key, kind)
        if not path.is_file():
            raise BlobMissing(key)
        return path

    def get(self, key: str, kind: str) -> bytes:
        """The file's bytes.

        :raise BlobMissing: when there is no such file.
        """
        return self.sendable(key, kind).read_bytes()

    def keys(self, kind: str) -> Iterator[str]:
        """Every stored key of ``kind``, in order (partly written ``.tmp-`` files skipped)."""
        root = self._root(kind)
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.startswith(".tmp-"):
                    yield f"{folder.name}/{path.name}"


class DatabaseStore:
    """Rows of ``stored_blob`` in the application's database (every node reaches them)."""

    name = "database"

    def put(self, key: str, kind: str, data: bytes, digest: str) -> None:
        """Insert the bytes in the caller's transaction; an identical row already there is kept.

        ``INSERT … ON CONFLICT DO NOTHING``: a concurrent identical write waits for the first
        to commit (or roll back) and then succeeds, never failing on the primary key.
        """
        values = {"kind": kind, "storage_path": key, "sha256": digest, "size": len(data), "data": data, "stored_at": clock.now()}
        insert_or_ignore(StoredBlob, ["kind", "storage_path"], **values)

    def has(self, key: str, kind: str) -> bool:
        """Whether ``key`` is stored (as the caller's transaction sees it)."""
        found = db.session.scalar(sa.select(StoredBlob.size).where(StoredBlob.kind == kind, StoredBlob.storage_path == key))
        return found is not None

    def get(self, key: str, kind: str) -> bytes:
        """The file's bytes.

        :raise BlobMissing: when there is no such row.
        """
        data = db.session.scalar(sa.select(StoredBlob.data).where(StoredBlob.kind == kind, StoredBlob.storage_path == key))
        if data is None:
            raise BlobMissing(key)
        return bytes(data)

    def sendable(self, key: str, kind: str) -> io.BytesIO:
        """The file's bytes as a file object, for ``send_file``.

        :raise BlobMissing: when there is no such row.
        """
        return io.BytesIO(self.get(key, kind))

    def keys(self, kind: str) -> Iterator[str]:
        """Every stored key of ``kind``, in order."""
        yield from db.session.scalars(sa.select(StoredBlob.storage_path).where(StoredBlob.kind == kind).order_by(StoredBlob.storage_path))


def folder_store(app: Flask | None = None) -> FolderStore:
    """The instance-folder store of ``app`` (the current app), whatever ``FILE_STORE`` says."""
    config = (app or current_app).config
    return FolderStore({"upload": config["UPLOAD_FOLDER"], "document": config["DOCUMENT_FOLDER"]})


def current_store(app: Flask | None = None) -> FolderStore | DatabaseStore:
    """The store ``FILE_STORE`` selects for ``app`` (the current app)."""
    app = app or current_app
    return DatabaseStore() if app.config["FILE_STORE"] == "database" else folder_store(app)


def store_bytes(data: bytes, kind: str = "upload", suffix: str = "") -> tuple[str, str]:
    """Store ``data``; return (key, sha256). Same content, same key; storing it again is harmless.

    The caller adds and commits the row that points at the key (``storage_path``): with the
    folder store the file is already complete on disk; with the database store the bytes are
    part of the caller's transaction and commit with that row.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown file kind {kind!r}")
    digest = hashlib.sha256(data).hexdigest()
    key = content_key(digest, suffix)
    current_store().put(key, kind, data, digest)
    return key, digest


def read_bytes(key: str, kind: str = "upload") -> bytes:
    """Read a stored file back.

    :raise BlobMissing: when the store has no such file.
    """
    return current_store().get(key, kind)


def sendable(key: str, kind: str = "upload") -> Path | io.BytesIO:
    """What ``send_file`` serves for ``key``: a path (folder store) or a file object (database store).

    :raise BlobMissing: when the store has no such file.
    """
    return current_store().sendable(key, kind)


def configure(app: Flask) -> None:
    """Check ``FILE_STORE`` (empty means ``folder``); refuse a store that does not exist."""
    name = (app.config.get("FILE_STORE") or "folder").strip().lower()
    if name not in FILE_STORES:
        raise RuntimeError(f"FILE_STORE must be one of {', '.join(FILE_STORES)}, not {name!r}.")
    app.config["FILE_STORE"] = name
