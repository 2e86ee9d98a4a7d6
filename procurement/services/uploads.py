"""Uploaded files: parsed by type (``documents.file_checks``), size-limited, cleanly named, stored durably.

Every path that takes a file goes through :func:`check_upload` (a posted file) or
:func:`check_bytes` (bytes already read), whether the file is stored (scans, RFQ documents,
attachments) or only read (a quote sheet, a bill of quantities, a credit list, holidays).
"""
from __future__ import annotations

from flask import current_app
from werkzeug.datastructures import FileStorage

from procurement import clock
from procurement.documents.file_checks import CheckedFile, check_file
from procurement.documents.storage import store_bytes
from procurement.domain import N_
from procurement.domain.uploads import (  # noqa: F401 - the types and limits, where the services look for them
    BOQ_TYPES,
    CSV,
    CSV_TYPES,
    DOCX,
    EXTENSIONS,
    JPEG,
    PDF,
    PNG,
    RFQ_TYPES,
    SCAN_TYPES,
    SHEET_TYPES,
    TYPE_LABELS,
    XLSX,
    FileRefused,
)
from procurement.extensions import db
from procurement.models import StoredFile
from procurement.services import ServiceError

__all__ = ["CheckedFile", "check_bytes", "check_upload", "save"]


def check_upload(upload: FileStorage | None, allowed: tuple[str, ...], *, field: str, max_bytes: int | None = None) -> CheckedFile:
    """Read and check one posted file; raise a ServiceError naming ``field`` when it is unacceptable.

    ``max_bytes`` defaults to ``MAX_UPLOAD_BYTES`` (10 MB).
    """
    if upload is None or not upload.filename:
        raise ServiceError(N_("请选择要上传的文件。"), "file_missing", field=field)
    limit = max_bytes or current_app.config["MAX_UPLOAD_BYTES"]
    data = upload.read(limit + 1)  # one byte more than allowed tells "too large" without reading it all
    return check_bytes(data, upload.filename, allowed, field=field, max_bytes=limit)


def check_bytes(data: bytes, name: str | None, allowed: tuple[str, ...], *, field: str, max_bytes: int) -> CheckedFile:
    """Check bytes uploaded as ``name`` against the types of ``field``; what to store or read.

    :raise ServiceError: for ``field``, with the Chinese reason (see ``documents.file_checks``).
    """
    try:
        return check_file(data, name, allowed, max_bytes=max_bytes)
    except FileRefused as refused:
        raise ServiceError(refused.message, refused.code, field=field, **refused.params) from None


def save(checked: CheckedFile, actor) -> StoredFile:
    """Write the checked file durably (fsync) and add its row; the caller commits.

    What is stored (and hashed) is ``checked.data``: for an image its re-encoding, so the
    SHA-256 every page and audit event shows is that of the file served.
    """
    path, digest = store_bytes(checked.data, kind="upload")
    stored = StoredFile(
        sha256=digest,
        size=len(checked.data),
        mime_type=checked.mime_type,
        original_name=checked.original_name,
        storage_path=path,
        uploaded_at=clock.now(),
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(stored)
    db.session.flush()
    return stored
