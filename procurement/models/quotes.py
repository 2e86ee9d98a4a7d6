"""Sealed quote versions and what the opening revealed (密封报价与开标)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.db_types import Money
from procurement.extensions import db
from procurement.models._base import created_at_column, fk

KIND_QUOTE = "quote"
KIND_WITHDRAWAL = "withdrawal"


class SealedQuote(db.Model):
    """One submitted version: the sealed bytes and their receipt, never a plaintext amount.

    A withdrawal is a version too (no sealed bytes), so the history shows it. At most one
    version per registration is current: a partial unique index enforces it in the database.
    """

    __tablename__ = "sealed_quote"
    __table_args__ = (
        sa.UniqueConstraint("registration_id", "version"),
        sa.CheckConstraint("kind IN ('quote', 'withdrawal')", name="kind"),
        sa.Index(
            "uq_sealed_quote_one_current",
            "registration_id",
            unique=True,
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = fk("registration.id")
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16), default=KIND_QUOTE)
    sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    receipt_hash: Mapped[str | None] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime] = created_at_column()
    submitted_by_id: Mapped[int] = fk("user.id")
    is_current: Mapped[bool] = mapped_column(default=False)

    registration: Mapped["Registration"] = relationship()  # noqa: F821


class QuoteDraft(db.Model):
    """A quote sheet the supplier is reviewing but has not confirmed (enter → review → confirm).

    It exists so that the review step is a GET page the back button can return to (post/redirect/
    get). ``sealed`` holds the unit prices encrypted (``services.quote_drafts``): the key is derived
    from a random key kept in the user's session and the app's ``SECRET_KEY``, so neither the row
    nor the cookie alone reads it, and no amount is stored in plaintext. One draft per user and
    registration; it is deleted on confirm, on withdraw, at sign-out and at or after the deadline.
    """

    __tablename__ = "quote_draft"
    __table_args__ = (sa.UniqueConstraint("registration_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = fk("registration.id", ondelete="CASCADE")
    user_id: Mapped[int] = fk("user.id", ondelete="CASCADE")
    #: Random, changes on every save; the confirm form carries it so a page confirms what it showed.
    token: Mapped[str] = mapped_column(sa.String(32))
    #: The latest quote version the entry page was made for (0: none yet).
    expected_version: Mapped[int]
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = created_at_column()


class OpenedQuote(db.Model):
    """A quote as opened at the opening: the total, verified against its receipt."""

    __tablename__ = "opened_quote"
    __table_args__ = (sa.UniqueConstraint("registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id")
    registration_id: Mapped[int] = fk("registration.id")
    sealed_quote_id: Mapped[int] = fk("sealed_quote.id")
    total: Mapped[Decimal] = mapped_column(Money())
    opened_at: Mapped[datetime] = created_at_column()
    hash_verified: Mapped[bool] = mapped_column(default=False)

    registration: Mapped["Registration"] = relationship()  # noqa: F821
    sealed_quote: Mapped[SealedQuote] = relationship()
    lines: Mapped[list["OpenedQuoteLine"]] = relationship(back_populates="opened_quote", cascade="all, delete-orphan")


class OpenedQuoteLine(db.Model):
    """One priced bill-of-quantities line of an opened quote."""

    __tablename__ = "opened_quote_line"
    __table_args__ = (sa.UniqueConstraint("opened_quote_id", "boq_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opened_quote_id: Mapped[int] = fk("opened_quote.id", ondelete="CASCADE")
    boq_item_id: Mapped[int] = fk("boq_item.id")
    unit_price: Mapped[Decimal] = mapped_column(Money())
    line_total: Mapped[Decimal] = mapped_column(Money())

    opened_quote: Mapped[OpenedQuote] = relationship(back_populates="lines")
    item: Mapped["BoqItem"] = relationship()  # noqa: F821


# --- The database keeps one current version per registration -------------------------------------
# Inserting a current version retires the previous current one in the same statement (a trigger),
# so a submission needs no UPDATE of its own; the partial unique index above still guarantees it.
# The same DDL is in migration quotes01_retire_current_version.

RETIRE_CURRENT_SQLITE = (
    "CREATE TRIGGER sealed_quote_retire_current BEFORE INSERT ON sealed_quote WHEN NEW.is_current "
    "BEGIN UPDATE sealed_quote SET is_current = 0 WHERE registration_id = NEW.registration_id AND is_current; END"
)
RETIRE_CURRENT_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION sealed_quote_retire_current() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF NEW.is_current THEN UPDATE sealed_quote SET is_current = false "
    "WHERE registration_id = NEW.registration_id AND is_current; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER sealed_quote_retire_current BEFORE INSERT ON sealed_quote "
    "FOR EACH ROW EXECUTE FUNCTION sealed_quote_retire_current()",
)

sa.event.listen(SealedQuote.__table__, "after_create", sa.DDL(RETIRE_CURRENT_SQLITE).execute_if(dialect="sqlite"))
for _statement in RETIRE_CURRENT_POSTGRESQL:
    sa.event.listen(SealedQuote.__table__, "after_create", sa.DDL(_statement).execute_if(dialect="postgresql"))
