"""Registrations, their documents and checks, and the credit blacklists (报名与资格)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.extensions import db
from procurement.models._base import created_at_column, fk, utc

REG_DRAFT = "draft"
REG_ACCEPTED = "accepted"
REG_REJECTED = "rejected"
REGISTRATION_STATUSES = (REG_DRAFT, REG_ACCEPTED, REG_REJECTED)


class Registration(db.Model):
    """A supplier's registration (报名) for one project; one per supplier per project."""

    __tablename__ = "registration"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "company_id"),
        sa.CheckConstraint(f"status IN {REGISTRATION_STATUSES!r}", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id")
    company_id: Mapped[int] = fk("company.id")
    status: Mapped[str] = mapped_column(sa.String(16), default=REG_DRAFT)
    via_agent: Mapped[bool] = mapped_column(default=False)
    agent_name: Mapped[str | None] = mapped_column(sa.String(100))
    agent_id_number: Mapped[str | None] = mapped_column(sa.String(18))
    consortium: Mapped[bool] = mapped_column(default=False)
    declarations: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The company profile as it was when the registration was last submitted.
    company_snapshot: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = created_at_column()
    submitted_at: Mapped[datetime | None] = utc()
    created_by_id: Mapped[int] = fk("user.id")
    # The form's answers as last saved but not submitted (prepared outside the daily hours, or an
    # invalid form): {"registrant", "agent_name", "agent_id_number", "entity", "declarations": [...],
    # "saved_at"}. Cleared when the registration is submitted; never read by the checks.
    draft: Mapped[dict | None] = mapped_column(sa.JSON)

    project: Mapped["Project"] = relationship()  # noqa: F821
    company: Mapped["Company"] = relationship()  # noqa: F821
    documents: Mapped[list["RegistrationDocument"]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )
    checks: Mapped[list["QualificationCheck"]] = relationship(
        back_populates="registration", order_by="QualificationCheck.run_at", cascade="all, delete-orphan"
    )


class RegistrationDocument(db.Model):
    """The current file of one kind (licence, permit, ...) attached to a registration."""

    __tablename__ = "registration_document"
    __table_args__ = (sa.UniqueConstraint("registration_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = fk("registration.id", ondelete="CASCADE")
    kind: Mapped[str] = mapped_column(sa.String(32))
    stored_file_id: Mapped[int] = fk("stored_file.id")
    uploaded_at: Mapped[datetime] = created_at_column()

    registration: Mapped[Registration] = relationship(back_populates="documents")
    stored_file: Mapped["StoredFile"] = relationship()  # noqa: F821


class QualificationCheck(db.Model):
    """One run of the automatic checks, kept as evidence with the list versions it used."""

    __tablename__ = "qualification_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = fk("registration.id", ondelete="CASCADE")
    run_at: Mapped[datetime] = created_at_column()
    # "registration" on submit, "review" when the panel re-runs it.
    context: Mapped[str] = mapped_column(sa.String(16), default="registration")
    overall: Mapped[str] = mapped_column(sa.String(16))
    # [{"criterion", "status", "message", "params"}], message untranslated.
    results: Mapped[list] = mapped_column(sa.JSON, default=list)
    # {list_kind: import id} of the blacklist versions consulted.
    list_versions: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    registration: Mapped[Registration] = relationship(back_populates="checks")


class BlacklistImport(db.Model):
    """A dated version of one credit list, as imported from the buyer's CSV export."""

    __tablename__ = "blacklist_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    list_kind: Mapped[str] = mapped_column(sa.String(32), index=True)
    imported_at: Mapped[datetime] = created_at_column()
    imported_by_id: Mapped[int | None] = fk("user.id", nullable=True)
    source_filename: Mapped[str] = mapped_column(sa.String(255))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    row_count: Mapped[int]

    entries: Mapped[list["BlacklistEntry"]] = relationship(back_populates="list_import", cascade="all, delete-orphan")


class BlacklistEntry(db.Model):
    """One listed entity in one list version."""

    __tablename__ = "blacklist_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = fk("blacklist_import.id", ondelete="CASCADE")
    list_kind: Mapped[str] = mapped_column(sa.String(32))
    name: Mapped[str] = mapped_column(sa.String(300))
    normalised_name: Mapped[str] = mapped_column(sa.String(300), index=True)
    uscc: Mapped[str | None] = mapped_column(sa.String(18), index=True)
    source: Mapped[str] = mapped_column(sa.String(300), default="")
    listed_from: Mapped[date | None] = mapped_column(sa.Date)
    listed_until: Mapped[date | None] = mapped_column(sa.Date)

    list_import: Mapped[BlacklistImport] = relationship(back_populates="entries")
