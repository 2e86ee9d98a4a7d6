"""Projects, their bill of quantities, amendments and RFQ documents (项目与公告)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.db_types import Money, Quantity, Ratio
from procurement.domain import lifecycle
from procurement.domain.uploads import clean_file_name
from procurement.extensions import db
from procurement.models._base import created_at_column, fk, utc

# Stored event states, from the lifecycle (procurement.domain.lifecycle), which also lists the
# allowed transitions; time-driven phases (registration open, quoting, closed after the
# challenge period) are derived from the frozen schedule and the clock, never stored.
STATUS_DRAFT = lifecycle.DRAFT
STATUS_PUBLISHED = lifecycle.PUBLISHED
STATUS_OPENED = lifecycle.OPENED
STATUS_EVALUATED = lifecycle.EVALUATED
STATUS_AWARDED = lifecycle.AWARDED
STATUS_CANCELLED = lifecycle.CANCELLED
STATUS_FAILED = lifecycle.FAILED
PROJECT_STATUSES = lifecycle.STATUSES

DEFAULT_REGISTRATION_HOURS = [["09:30", "13:00"], ["15:30", "18:00"]]
DEFAULT_CRITERIA = ["article22", "credit", "no_consortium", "lhasa_premises", "documents", "identifiers"]


class Project(db.Model):
    """A 询比价 project: the notice's fields, its rule settings and its frozen schedule."""

    __tablename__ = "project"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {PROJECT_STATUSES!r}", name="status"),
        sa.CheckConstraint("opening_mode IN ('server', 'quorum')", name="opening_mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    buyer_name: Mapped[str] = mapped_column(sa.String(200))
    method: Mapped[str] = mapped_column(sa.String(32), default="询比价")
    contract_term: Mapped[str] = mapped_column(sa.String(200))
    requirements_text: Mapped[str] = mapped_column(sa.Text, default="")
    # The project-specific qualification requirement, printed under 三(四).
    specific_requirement: Mapped[str] = mapped_column(sa.String(300), default="")
    criteria: Mapped[list] = mapped_column(sa.JSON, default=lambda: list(DEFAULT_CRITERIA))
    registration_place: Mapped[str] = mapped_column(sa.String(300), default="")
    registration_documents_text: Mapped[str] = mapped_column(sa.Text, default="")
    opening_place: Mapped[str] = mapped_column(sa.String(300))
    opening_at: Mapped[datetime] = utc(nullable=False)
    contact_name: Mapped[str] = mapped_column(sa.String(100))
    contact_phone: Mapped[str] = mapped_column(sa.String(50))

    # Rule settings (design.md §4, §5), each with the design's default.
    registration_working_days: Mapped[int] = mapped_column(default=5)
    registration_hours: Mapped[list] = mapped_column(sa.JSON, default=lambda: [list(h) for h in DEFAULT_REGISTRATION_HOURS])
    notice_working_days: Mapped[int] = mapped_column(default=5)
    candidates: Mapped[int] = mapped_column(default=2)
    min_valid_quotes: Mapped[int] = mapped_column(default=3)
    tie_rule: Mapped[str] = mapped_column(sa.String(32), default="draw")
    abnormal_average_ratio: Mapped[Decimal] = mapped_column(Ratio(), default=Decimal("0.50"))
    abnormal_second_ratio: Mapped[Decimal] = mapped_column(Ratio(), default=Decimal("0.50"))
    abnormal_ceiling_ratio: Mapped[Decimal] = mapped_column(Ratio(), default=Decimal("0.45"))
    publicity_working_days: Mapped[int] = mapped_column(default=1)
    challenge_working_days: Mapped[int] = mapped_column(default=7)
    answer_working_days: Mapped[int] = mapped_column(default=7)
    confirmation_working_days: Mapped[int] = mapped_column(default=5)
    contract_days: Mapped[int] = mapped_column(default=30)
    framework_award: Mapped[bool] = mapped_column(default=False)

    # Frozen at publication (and recomputed by a schedule amendment).
    published_on: Mapped[date | None] = mapped_column(sa.Date)
    registration_opens: Mapped[date | None] = mapped_column(sa.Date)
    registration_closes: Mapped[date | None] = mapped_column(sa.Date)
    notice_ends: Mapped[date | None] = mapped_column(sa.Date)
    # The registration days (ISO dates) as the calendar stood when the schedule was frozen: daily
    # gating reads these, so a holiday added later cannot silently shorten a published window.
    registration_days: Mapped[list | None] = mapped_column(sa.JSON)

    # Sealing (design.md §6). Server-key mode: the private key only wrapped by the KEK
    # (``wrapped_private_key``). Quorum mode (多人共同开标): ``wrapped_private_key`` stays empty and
    # the private key is wrapped by a random key split among the officials
    # (``quorum_wrapped_private_key``, models.quorum); ``quorum_threshold`` of them open it.
    opening_mode: Mapped[str] = mapped_column(sa.String(16), default="server", server_default="server")
    quorum_threshold: Mapped[int | None]
    public_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    wrapped_private_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    quorum_wrapped_private_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    status: Mapped[str] = mapped_column(sa.String(16), default=STATUS_DRAFT, index=True)
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    status_changed_at: Mapped[datetime | None] = utc()
    status_changed_by_id: Mapped[int | None] = fk("user.id", nullable=True)
    published_at: Mapped[datetime | None] = utc()
    opened_at: Mapped[datetime | None] = utc()
    created_by_id: Mapped[int] = fk("user.id")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime | None] = utc()

    items: Mapped[list["BoqItem"]] = relationship(
        back_populates="project", order_by="BoqItem.position", cascade="all, delete-orphan"
    )
    amendments: Mapped[list["Amendment"]] = relationship(
        back_populates="project", order_by="Amendment.created_at", cascade="all, delete-orphan"
    )
    files: Mapped[list["ProjectFile"]] = relationship(back_populates="project", cascade="all, delete-orphan")
    officials: Mapped[list["OpeningOfficial"]] = relationship(  # noqa: F821
        order_by="OpeningOfficial.position", cascade="all, delete-orphan"
    )

    @property
    def is_public(self) -> bool:
        """Whether the public may read the notice (anything after publication)."""
        return self.status != STATUS_DRAFT

    @property
    def is_quorum(self) -> bool:
        """Whether the quotes open only when ``quorum_threshold`` named officials act (多人共同开标)."""
        return self.opening_mode == "quorum"

    def __repr__(self) -> str:
        return f"<Project {self.code} {self.status}>"


class BoqItem(db.Model):
    """A bill-of-quantities line (采购清单): what the supplier prices."""

    __tablename__ = "boq_item"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "position"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id", ondelete="CASCADE")
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(200))
    specification: Mapped[str] = mapped_column(sa.String(300), default="")
    unit: Mapped[str] = mapped_column(sa.String(20))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    ceiling_unit_price: Mapped[Decimal | None] = mapped_column(Money())

    project: Mapped[Project] = relationship(back_populates="items")


class Amendment(db.Model):
    """A correction notice (更正公告) after publication: what changed, when and why."""

    __tablename__ = "amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id", ondelete="CASCADE")
    created_at: Mapped[datetime] = created_at_column()
    created_by_id: Mapped[int] = fk("user.id")
    summary: Mapped[str] = mapped_column(sa.Text)
    reason: Mapped[str] = mapped_column(sa.Text)
    # [{"field": ..., "label": ..., "old": ..., "new": ...}] as shown on the notice.
    changes: Mapped[list] = mapped_column(sa.JSON, default=list)

    project: Mapped[Project] = relationship(back_populates="amendments")


class StoredFile(db.Model):
    """An uploaded or generated file, kept outside the web root under its SHA-256."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int]
    mime_type: Mapped[str] = mapped_column(sa.String(100))
    original_name: Mapped[str] = mapped_column(sa.String(255))
    # Relative to the upload folder; never a user-chosen path.
    storage_path: Mapped[str] = mapped_column(sa.String(255))
    uploaded_at: Mapped[datetime] = created_at_column()
    uploaded_by_id: Mapped[int | None] = fk("user.id", nullable=True)

    @property
    def display_name(self) -> str:
        """The name to show and send: the stored one, cleaned (names stored before uploads were checked may hold anything)."""
        return clean_file_name(self.original_name)


class ProjectFile(db.Model):
    """An RFQ document (询比价文件) that accepted registrants may download."""

    __tablename__ = "project_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id", ondelete="CASCADE")
    stored_file_id: Mapped[int] = fk("stored_file.id")
    title: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = created_at_column()
    removed_at: Mapped[datetime | None] = utc()

    project: Mapped[Project] = relationship(back_populates="files")
    stored_file: Mapped[StoredFile] = relationship()


class FileDownload(db.Model):
    """One download of an RFQ document, as evidence of who received it and when."""

    __tablename__ = "file_download"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_file_id: Mapped[int] = fk("project_file.id", ondelete="CASCADE")
    user_id: Mapped[int] = fk("user.id")
    company_id: Mapped[int | None] = fk("company.id", nullable=True)
    downloaded_at: Mapped[datetime] = created_at_column()

    project_file: Mapped[ProjectFile] = relationship()
    company: Mapped["Company | None"] = relationship()  # noqa: F821
