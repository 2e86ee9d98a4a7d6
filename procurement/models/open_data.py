"""Stored OCDS releases (开放数据): one row per public event of a project, written in the event's
own transaction and never changed afterwards, so every release reads the same each time it is served."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procurement.extensions import db
from procurement.models._base import created_at_column, fk


class OcdsRelease(db.Model):
    """One OCDS release of a project: its number in the project's sequence, its tag, and its exact JSON text."""

    __tablename__ = "ocds_release"
    __table_args__ = (sa.UniqueConstraint("project_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id")
    seq: Mapped[int]
    release_id: Mapped[str] = mapped_column(sa.String(120), unique=True)
    tag: Mapped[str] = mapped_column(sa.String(32))
    # What caused it: "publish", "amendment:<id>", "document:<id>", "open", "fail", "cancel", "award", ...
    source: Mapped[str] = mapped_column(sa.String(64))
    released_at: Mapped[datetime] = created_at_column()
    # The release as JSON text (procurement.ocds.jsontext: exact decimals), and its SHA-256.
    body: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64))
