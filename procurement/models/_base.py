"""Shared column helpers for the models."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import mapped_column

from procurement.db_types import UTCDateTime

ROLE_BUYER = "buyer"
ROLE_PANEL = "panel"
ROLE_SUPPLIER = "supplier"
ROLES = (ROLE_BUYER, ROLE_PANEL, ROLE_SUPPLIER)


def created_at_column():
    """A required UTC timestamp; services set it from the clock, never from the wall."""
    return mapped_column(UTCDateTime(), nullable=False)


def fk(target: str, *, nullable: bool = False, ondelete: str | None = None, index: bool = True):
    """A foreign key column with an index (PostgreSQL does not index FKs by itself)."""
    return mapped_column(sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


def utc(nullable: bool = True):
    """An optional UTC timestamp column."""
    return mapped_column(UTCDateTime(), nullable=nullable)


__all__ = ["ROLES", "ROLE_BUYER", "ROLE_PANEL", "ROLE_SUPPLIER", "created_at_column", "fk", "utc", "datetime"]
