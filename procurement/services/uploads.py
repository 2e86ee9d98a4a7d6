"""Uploaded files: type checked by content (never by name), size-limited, stored durably."""
from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass

from flask import current_app
from werkzeug.datastructures import FileStorage

from procurement import clock
from procurement.documents.storage import store_bytes
from procurement.domain import N_
from procurement.extensions import db
from procurement.models import StoredFile
from procurement.services import ServiceError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SCAN_TYPES = (PDF, JPEG, PNG)  # stamped copies: registrations, explanations, challenges
RFQ_TYPES = (PDF, DOCX, XLSX)  # the RFQ documents buyer staff publish

TYPE_LABELS = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", DOCX: "Word (DOCX)", XLSX: "Excel (XLSX)"}
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png", DOCX: ".docx", XLSX: ".xlsx"}


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes really are, among those we accept, or ``None``."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names:
            if any(name.startswith("word/") for name in names):
                return DOCX
            if any(name.startswith("xl/") for name in names):
                return XLSX
    return None


@dataclass(frozen=True)
class CheckedFile:
    """An upload whose content type and size have been checked."""

    data: bytes
    mime_type: str
    original_name: str


def check_upload(upload: FileStorage | None, allowed: tuple[str, ...], *, field: str, max_bytes: int | None = None) -> CheckedFile:
    """Read and check one upload; raise a ServiceError naming ``field`` when it is unacceptable."""
    if upload is None or not upload.filename:
        raise ServiceError(N_("请选择要上传的文件。"), "file_missing", field=field)
    limit = max_bytes or current_app.config["MAX_UPLOAD_BYTES"]
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(
            N_("文件过大：单个文件不能超过 %(mb)s MB。"), "file_too_large", field=field, mb=limit // (1024 * 1024)
        )
    if not data:
        raise ServiceError(N_("文件是空的，请重新选择。"), "file_empty", field=field)
    mime = sniff(data)
    if mime not in allowed:
        raise ServiceError(
            N_("文件“%(name)s”的内容不是允许的格式（%(allowed)s）。请上传真实的扫描件，不要只修改文件扩展名。"),
            "file_type",
            field=field,
            name=os.path.basename(upload.filename),
            allowed=[TYPE_LABELS[t] for t in allowed],
        )
    return CheckedFile(data=data, mime_type=mime, original_name=_safe_name(upload.filename, mime))


def _safe_name(name: str, mime: str) -> str:
    # No control characters: PostgreSQL refuses a NUL in text, and none belongs in a file name.
    name = "".join(ch for ch in name if ch.isprintable())
    base = os.path.basename(name.replace("\\", "/")).strip() or "file"
    stem, _ext = os.path.splitext(base)
    return (stem[:120] or "file") + EXTENSIONS[mime]


def save(checked: CheckedFile, actor) -> StoredFile:
    """Write the file durably (fsync) and add its row; the caller commits."""
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
