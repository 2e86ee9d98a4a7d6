"""The benchmark's WSGI app: the real app plus bench-only routes and a per-request statement counter.

Nothing here exists in the application: gunicorn serves ``bench.wsgi:app`` during the benchmarks.

- ``POST /bench/plain-insert`` (``bench/quotes.py``) inserts one plain row, so sealed submissions
  can be compared with the same stack (gunicorn, session, sign-in, permission check, CSRF, a
  database transaction) writing one unsealed row. The table is created by the bench runner, in the
  bench's scratch database only.
- ``GET /bench/trivial`` (``bench/pages.py``) answers a few bytes without touching the database:
  the floor a page's time is compared with, on the same server.
- Every response carries ``X-SQL-Statements``: the number of SQL statements the request executed
  (a SQLAlchemy ``before_cursor_execute`` listener).

The app itself is created on first access of ``bench.wsgi.app`` (so ``bench/pages.py`` and its
test can import :func:`install` without building a production app from the environment).
"""
from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, g, has_request_context, redirect, request
from flask_login import current_user

from procurement import clock, create_app
from procurement.auth.permissions import public, roles_required
from procurement.extensions import db

STATEMENTS_HEADER = "X-SQL-Statements"

bench_metadata = sa.MetaData()
plain_row = sa.Table(
    "bench_plain_row",
    bench_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)


@roles_required("supplier")
def plain_insert():
    """Insert one plain row for the signed-in supplier and redirect, as the real confirmation does."""
    db.session.execute(
        plain_row.insert().values(
            user_id=current_user.id, body=request.form.get("body", ""), created_at=clock.now().replace(tzinfo=None)
        )
    )
    db.session.commit()
    return redirect("/supplier/")


@public
def trivial():
    """The floor: a tiny plain-text answer, no template, no database."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}


def _count_statement(conn, cursor, statement, parameters, context, executemany) -> None:
    if has_request_context() and "bench_statements" in g:
        g.bench_statements += 1


def _start_counting() -> None:
    g.bench_statements = 0


def _report_count(response):
    response.headers[STATEMENTS_HEADER] = str(g.get("bench_statements", 0))
    return response


def install(app: Flask) -> Flask:
    """Add the bench-only routes and the statement counter to ``app`` (idempotent per process)."""
    if not sa.event.contains(sa.engine.Engine, "before_cursor_execute", _count_statement):
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", _count_statement)
    app.before_request_funcs.setdefault(None, []).insert(0, _start_counting)
    app.after_request(_report_count)
    app.add_url_rule("/bench/plain-insert", "bench_plain_insert", plain_insert, methods=["POST"])
    app.add_url_rule("/bench/trivial", "bench_trivial", trivial)
    return app


_app: Flask | None = None


def __getattr__(name: str):
    """``bench.wsgi.app``: the production app from the environment, with :func:`install` applied."""
    global _app
    if name != "app":
        raise AttributeError(name)
    if _app is None:
        _app = install(create_app(os.environ.get("PROCUREMENT_CONFIG", "production")))
    return _app
