"""The database file store's rows: each uploaded or generated file's bytes under its content address."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procurement.extensions import db
from procurement.models._base import created_at_column

BLOB_KINDS = ("upload", "document")


class StoredBlob(db.Model):
    """One file of the database store (``FILE_STORE=database``), written once and never changed.

    ``storage_path`` is the same key the folder store uses (``ab/<sha256><suffix>``) and the
    one ``StoredFile.storage_path`` / ``GeneratedDocument.storage_path`` hold, so copying a
    folder store into the database changes no row that points at a file.
    """

    __tablename__ = "stored_blob"
    __table_args__ = (sa.CheckConstraint(f"kind IN {BLOB_KINDS!r}", name="kind"),)

    kind: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    storage_path: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    # bytea on PostgreSQL, BLOB on SQLite; files are at most MAX_UPLOAD_BYTES (10 MB) or a PDF.
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    stored_at: Mapped[datetime] = created_at_column()
