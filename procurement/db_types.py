"""Column types: UTC timestamps and exact money on every database we support."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """An aware UTC ``datetime`` in Python, a naive UTC timestamp in the database.

    Naive values are refused on the way in: every time in this service comes from the
    clock (aware UTC), so a naive one is a bug we want to hear about.
    """

    impl = sa.DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class Money(TypeDecorator):
    """Yuan with two places: ``NUMERIC(14, 2)`` on PostgreSQL, exact decimal text on SQLite.

    SQLite has no decimal type and would round-trip amounts through binary floats;
    storing the canonical text keeps every fen exact. Amounts are never ordered in SQL.
    """

    impl = sa.Numeric(14, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(20))
        return dialect.type_descriptor(sa.Numeric(14, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be Decimal, not float")
        amount = Decimal(value).quantize(Decimal("0.01"))
        return str(amount) if dialect.name == "sqlite" else amount

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.01"))


class Quantity(Money):
    """An estimated quantity with up to three places, exact on every database."""

    impl = sa.Numeric(14, 3)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(20))
        return dialect.type_descriptor(sa.Numeric(14, 3, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("quantities must be Decimal, not float")
        amount = Decimal(value).quantize(Decimal("0.001"))
        return str(amount) if dialect.name == "sqlite" else amount

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.001"))


class Ratio(Money):
    """A threshold ratio such as 0.50, exact on every database."""

    impl = sa.Numeric(5, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.String(12))
        return dialect.type_descriptor(sa.Numeric(5, 4, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("ratios must be Decimal, not float")
        ratio = Decimal(value).quantize(Decimal("0.0001"))
        return str(ratio) if dialect.name == "sqlite" else ratio

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.0001"))
