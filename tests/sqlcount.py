"""Count the SQL statements a block of code (a page, a command) sends to the database.

Tests compare counts, never timings: a page built by the read side sends the same number of
statements whatever the number of rows it shows.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import sqlalchemy as sa


@dataclass
class StatementLog:
    """The statements seen, in order (on SQLite the BEGIN IMMEDIATE of a write counts too)."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        return "\n".join(f"{n + 1:3d}. {text[:160]}" for n, text in enumerate(self.statements))


@contextmanager
def count_statements(engine: sa.Engine | None = None):
    """Yield a :class:`StatementLog` filled with every statement the block executes on ``engine``."""
    if engine is None:
        from procurement.extensions import db

        engine = db.engine
    log = StatementLog()

    def before(conn, cursor, statement, parameters, context, executemany):
        log.statements.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield log
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def page_statements(client, url: str) -> StatementLog:
    """The statements one GET of ``url`` sends; the page must answer 200."""
    with count_statements() as log:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return log
