"""Content-addressed file storage under the instance folder, outside the web root.

Files are written to a temporary name, fsynced and renamed, so a file the page calls
saved is complete on disk before the database row that points at it is committed.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app


def _root(kind: str) -> Path:
    folder = current_app.config["UPLOAD_FOLDER"] if kind == "upload" else current_app.config["DOCUMENT_FOLDER"]
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_bytes(data: bytes, kind: str = "upload", suffix: str = "") -> tuple[str, str]:
    """Write ``data`` durably; return (relative path, sha256). Same content, same path."""
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{digest[:2]}/{digest}{suffix}"
    target = _root(kind) / relative
    if target.exists():
        return relative, digest
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
    return relative, digest


def read_bytes(relative: str, kind: str = "upload") -> bytes:
    """Read a stored file back."""
    root = _root(kind).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise FileNotFoundError(relative)
    return path.read_bytes()


def absolute_path(relative: str, kind: str = "upload") -> Path:
    """The absolute path of a stored file (for ``send_file``)."""
    root = _root(kind).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise FileNotFoundError(relative)
    return path
