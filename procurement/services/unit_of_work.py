"""One transaction shape for every command: lock, check, change, audit, commit; roll back on error.

A command is a function decorated with :func:`command` (or a block inside ``with transaction():``).
The outermost command commits when it returns and rolls back when anything raises, so a command
that calls another (publishing issues a document, an award drops out a candidate) still commits
once, at the end, all or nothing. Views never commit or roll back themselves.

Locks are taken with :func:`lock_project` (the project's row, ``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite every write transaction already holds the database's write lock, see
``procurement.database``), so concurrent commands on one project queue and each re-checks the
state the previous one left.
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from typing import Callable, Iterator, ParamSpec, TypeVar

import sqlalchemy as sa

from procurement import clock
from procurement.domain import lifecycle
from procurement.extensions import db
from procurement.models import Project

P = ParamSpec("P")
R = TypeVar("R")

_DEPTH = "procurement.command_depth"
_AFTER_COMMIT = "procurement.after_commit"


@contextmanager
def transaction() -> Iterator[None]:
    """Run the block as (part of) one command: commit at the outermost exit, roll back on error."""
    session = db.session
    depth = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    try:
        yield
    except BaseException:
        session.info[_DEPTH] = depth
        if depth == 0:
            session.info.pop(_AFTER_COMMIT, None)
            session.rollback()
        raise
    session.info[_DEPTH] = depth
    if depth == 0:
        try:
            session.commit()
        except BaseException:
            session.info.pop(_AFTER_COMMIT, None)
            raise
        for callback in session.info.pop(_AFTER_COMMIT, ()):
            callback()


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current command has committed (never if it rolls back).

    Jobs are enqueued this way, so a worker never looks for a row that is not committed yet.
    :raise RuntimeError: outside a command.
    """
    session = db.session
    if not session.info.get(_DEPTH):
        raise RuntimeError("after_commit() outside a command")
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def in_command() -> bool:
    """Whether a command's transaction is open in this session."""
    return bool(db.session.info.get(_DEPTH))


def end_reading() -> None:
    """End the read transaction a page or a job's preparation opened, keeping what it loaded.

    Objects stay loaded (not expired), so what is rendered next was read beforehand and the
    render holds no transaction (on SQLite every transaction holds the write lock).
    :raise RuntimeError: inside a command, or with unflushed changes (a read changes nothing).
    """
    session = db.session()  # the scoped session's current Session
    if in_command():
        raise RuntimeError("end_reading() inside a command")
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("end_reading() with pending changes")
    if not session.in_transaction():
        return
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def command(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a service function so it runs in :func:`transaction`."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction():
            return function(*args, **kwargs)

    return wrapper


def lock_project(project: Project | int) -> Project:
    """Take the project's row lock for the rest of the transaction and return it freshly loaded.

    Everything loaded earlier in this session is expired, so the checks that follow the lock
    read committed rows, never what this request saw before another writer committed.
    """
    project_id = project if isinstance(project, int) else project.id
    db.session.expire_all()
    return db.session.execute(
        sa.select(Project).where(Project.id == project_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()


def change_status(project: Project, target: str, actor, *, reason: str | None = None, at=None) -> None:
    """Move ``project`` to ``target`` through the lifecycle, recording who, when and why.

    :raise TransitionError: when the lifecycle does not allow the move.
    """
    lifecycle.check_transition(project.status, target)
    project.status = target
    project.status_changed_at = at or clock.now()
    project.status_changed_by_id = getattr(actor, "id", None)
    if reason is not None:
        project.status_reason = reason
