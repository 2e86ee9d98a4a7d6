"""Column types: UTC timestamps and exact money on every database we support."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
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


class utc_isoformat(sa.sql.functions.FunctionElement):
    """The text ``value.isoformat()`` gives in Python for a :class:`UTCDateTime` column's value,
    computed in SQL: ``2025-01-02T08:00:00+00:00``, with ``.ffffff`` only when the microseconds
    are not zero (so a key built in Python can be matched in a query)."""

    type = sa.String()
    name = "utc_isoformat"
    inherit_cache = True


@compiles(utc_isoformat, "postgresql")
def _utc_isoformat_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return (
        f"(to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({column}, 'US') = '000000' "
        f"THEN '' ELSE '.' || to_char({column}, 'US') END || '+00:00')"
    )


@compiles(utc_isoformat, "sqlite")
def _utc_isoformat_sqlite(element, compiler, **kw):
    # SQLAlchemy stores SQLite datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
    column = compiler.process(element.clauses, **kw)
    return (
        f"(substr({column}, 1, 10) || 'T' || substr({column}, 12, 8) || CASE WHEN substr({column}, 21, 6) IN ('', '000000') "
        f"THEN '' ELSE '.' || substr({column}, 21, 6) END || '+00:00')"
    )


class date_isoformat(sa.sql.functions.FunctionElement):
    """The text ``value.isoformat()`` gives for a ``Date`` column's value (``2025-01-08``), in SQL."""

    type = sa.String()
    name = "date_isoformat"
    inherit_cache = True


@compiles(date_isoformat, "postgresql")
def _date_isoformat_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


@compiles(date_isoformat, "sqlite")
def _date_isoformat_sqlite(element, compiler, **kw):
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"
