"""Database wiring: the instance-folder SQLite default, its pragmas, and write serialisation."""
from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask

from procurement.extensions import db


def insert_or_ignore(model, index_elements: list[str], **values) -> None:
    """``INSERT … ON CONFLICT (index_elements) DO NOTHING`` in the current session, on PostgreSQL or
    SQLite: a row another transaction is inserting is waited for and kept, never a unique-key error."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(model).values(**values).on_conflict_do_nothing(index_elements=index_elements))


def resolve_database_uri(app: Flask) -> None:
    """Default to an SQLite file in the instance folder; accept plain ``postgres://`` URLs."""
    uri = app.config.get("SQLALCHEMY_DATABASE_URI") or ""
    if not uri:
        os.makedirs(app.instance_path, exist_ok=True)
        uri = "sqlite:///" + os.path.join(app.instance_path, "procurement.sqlite3")
    if uri.startswith("postgres://"):
        uri = "postgresql+psycopg://" + uri[len("postgres://") :]
    elif uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://") :]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.pop("pool_pre_ping", None)
        options.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _configure_sqlite(engine: sa.Engine) -> None:
    """WAL, foreign keys, and ``BEGIN IMMEDIATE`` so concurrent writers queue instead of failing.

    pysqlite's own deferred BEGIN lets two processes read, then both try to write, and one
    fails with "database is locked" regardless of the timeout. Taking the write lock at
    BEGIN makes requests queue (up to the 30 s timeout) and keeps each audit chain linear.
    """

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def init_app(app: Flask) -> None:
    """Bind SQLAlchemy and apply the SQLite settings to its engine."""
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)
