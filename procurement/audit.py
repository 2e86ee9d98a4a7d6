"""Append events to the hash-chained audit trail (design.md §8)."""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa
from flask_login import current_user

from procurement import clock
from procurement.domain.audit import GENESIS, ChainBreak, ChainLink, canonical_details, event_hash, verify_chain
from procurement.extensions import db
from procurement.models import AuditEvent


#: The PostgreSQL advisory lock that serialises appends to the chain (transaction-scoped).
CHAIN_LOCK_KEY = 7301


def chain_lock_clause():
    """``pg_advisory_xact_lock(CHAIN_LOCK_KEY)`` as an expression, to take the chain's lock inside
    another statement (for example an INSERT's RETURNING) instead of a statement of its own."""
    return sa.func.pg_advisory_xact_lock(CHAIN_LOCK_KEY)


def tail_hash_query():
    """The chain's last hash as a scalar subquery (``NULL`` for an empty chain), to read inside another statement."""
    return sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1).scalar_subquery()


def tail_hash() -> str:
    """The chain's last hash (``GENESIS`` for an empty chain); the caller holds the chain's lock."""
    return db.session.scalar(sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS


def _actor_label(user) -> tuple[int | None, str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return None, "anonymous"
    return user.id, f"{user.role}:{user.id} {user.email}"


def record(
    action: str,
    obj: Any | None = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    project_id: int | None = None,
    details: Mapping[str, Any] | None = None,
    actor=None,
    prev_hash: str | None = None,
) -> AuditEvent:
    """Append one event in the current transaction; the caller commits.

    The chain is serialised: PostgreSQL takes a transaction-scoped advisory lock, and
    SQLite transactions are ``BEGIN IMMEDIATE`` (see ``procurement.database``). The unique
    ``prev_hash`` column is the last line of defence against a fork.
    Details must not carry amounts before opening; ``event_hash`` refuses Decimals.

    ``prev_hash``: the chain's last hash, when the caller already read it while holding the chain's
    lock (on PostgreSQL :func:`chain_lock_clause` in an earlier statement of the transaction; on
    SQLite the write transaction itself); the lock and the read are then not repeated here.
    """
    if actor is None:
        try:
            actor = current_user._get_current_object()
        except Exception:  # outside a request (CLI): no user
            actor = None
    actor_id, actor_text = _actor_label(actor)
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
        if project_id is None:
            project_id = getattr(obj, "project_id", None) or (obj.id if object_type == "project" else None)
    session = db.session
    if prev_hash is None:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(sa.select(chain_lock_clause()))
        session.flush()
        prev = tail_hash()
    else:
        prev = prev_hash
    occurred_at = clock.now()
    details = canonical_details(details or {})
    event = AuditEvent(
        occurred_at=occurred_at,
        actor_id=actor_id,
        actor=actor_text,
        action=action,
        object_type=object_type or "",
        object_id=str(object_id if object_id is not None else ""),
        project_id=project_id,
        details=details,
        prev_hash=prev,
        hash=event_hash(
            prev,
            occurred_at=occurred_at,
            actor=actor_text,
            action=action,
            object_type=object_type or "",
            object_id=str(object_id if object_id is not None else ""),
            details=details,
        ),
    )
    session.add(event)
    session.flush()
    return event


def verify() -> ChainBreak | None:
    """Check the whole chain in id order; the first broken link, or ``None``."""
    rows = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000)
    return verify_chain(
        ChainLink(
            id=row.id,
            prev_hash=row.prev_hash,
            hash=row.hash,
            occurred_at=row.occurred_at,
            actor=row.actor,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            details=row.details,
        )
        for row in rows
    )
