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
            session.rollback()
        raise
    session.info[_DEPTH] = depth
    if depth == 0:
        session.commit()


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
