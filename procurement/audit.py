"""Append events to the audit chains and verify them (design.md §8; the rules: ``domain.audit``).

One chain per project (``project:<id>``) and one for the site (``site``). An append locks its
chain's head row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite every write transaction holds
the database's write lock, see ``procurement.database``), writes the event with the next number
and updates the head, sealed under the audit key, in the same transaction. Writers on different
projects therefore never wait for each other; writers on one chain queue on its head.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Mapping

import sqlalchemy as sa
from flask_login import current_user

from procurement import clock
from procurement.domain.audit import (
    GENESIS,
    SITE_CHAIN,
    ChainHead,
    ChainLink,
    ChainStatus,
    canonical_details,
    chain_key,
    event_hash,
    seal_head,
    verify_chain,
)
from procurement.database import insert_or_ignore
from procurement.extensions import db
from procurement.keys import load_audit_key
from procurement.models import AuditChainHead, AuditEvent

__all__ = ["GENESIS", "Tail", "chain_key", "locked_tail_columns", "record", "seal_unsealed", "verify"]


@dataclass(frozen=True)
class Tail:
    """A chain's last number and hash, read under its head's lock."""

    seq: int
    hash: str


def locked_tail_columns(chain: str) -> tuple[Any, Any]:
    """The chain's last number and hash as two scalar subqueries that lock its head row, to read
    inside another statement (for example a DELETE's RETURNING) instead of a statement of their
    own. Both are ``NULL`` while the chain has no head; then let :func:`record` read it."""

    def column(attribute):
        return sa.select(attribute).where(AuditChainHead.chain == chain).with_for_update().scalar_subquery()

    return column(AuditChainHead.seq), column(AuditChainHead.hash)


def _locked_tail(chain: str) -> Tail:
    """Lock the chain's head row (made at seq 0 for a new chain) and read it."""
    query = sa.select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.chain == chain).with_for_update()
    row = db.session.execute(query).first()
    if row is None:
        # A writer racing to start the same chain waits for the other's row instead of failing.
        insert_or_ignore(AuditChainHead, ["chain"], chain=chain, seq=0, hash=GENESIS)
        row = db.session.execute(query).one()
    return Tail(row.seq, row.hash)


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
    tail: Tail | None = None,
) -> int:
    """Append one event to its chain in the current transaction (the caller commits); its id.

    The chain is the project's (``project_id``, or the object's) or, with none, the site's. The
    chain's head row is locked until the commit, updated and sealed with the event (sealing on
    every append). Details must not carry amounts before opening; ``event_hash`` refuses Decimals.

    ``tail``: the chain's last number and hash when the caller already read them under the head's
    lock (:func:`locked_tail_columns` in an earlier statement of the transaction); the lock and
    the read are then not repeated here.
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
    chain = chain_key(project_id)
    if tail is None:
        tail = _locked_tail(chain)
    occurred_at = clock.now()
    values = {
        "chain": chain,
        "seq": tail.seq + 1,
        "occurred_at": occurred_at,
        "actor_id": actor_id,
        "actor": actor_text,
        "project_id": project_id,
        "object_type": object_type or "",
        "object_id": str(object_id if object_id is not None else ""),
        "action": action,
        "details": canonical_details(details or {}),
        "prev_hash": tail.hash,
    }
    values["hash"] = event_hash(**values)
    head = seal_head(load_audit_key(), ChainHead(chain, values["seq"], values["hash"], action, occurred_at, None, None), occurred_at)
    return _write(values, head)


def _write(values: dict, head: ChainHead) -> int:
    """Insert the event and move its chain's head: one statement on PostgreSQL, two on SQLite."""
    session = db.session
    move_head = (
        sa.update(AuditChainHead)
        .where(AuditChainHead.chain == head.chain)
        .values(seq=head.seq, hash=head.hash, last_action=head.last_action, last_occurred_at=head.last_occurred_at, sealed_at=head.sealed_at, mac=head.mac)
    )
    insert = sa.insert(AuditEvent).values(**values).returning(AuditEvent.id)
    if session.get_bind().dialect.name == "postgresql":
        # A data-modifying CTE: the INSERT runs once with the UPDATE, which returns its id.
        inserted = insert.cte("appended")
        return session.execute(move_head.add_cte(inserted).returning(sa.select(inserted.c.id).scalar_subquery())).scalar_one()
    event_id = session.execute(insert).scalar_one()
    if session.execute(move_head).rowcount != 1:
        raise RuntimeError(f"audit chain {head.chain} has no head to move")
    return event_id


# --- verification --------------------------------------------------------------------------------

_LINK_COLUMNS = [getattr(AuditEvent, name) for name in ChainLink.__dataclass_fields__]


def _chain_order(chain: str) -> tuple:
    """The site's chain first, then the projects' by number, then anything else."""
    if chain == SITE_CHAIN:
        return (0, 0, chain)
    kind, _, number = chain.partition(":")
    return (1, int(number), chain) if kind == "project" and number.isdigit() else (2, 0, chain)


def verify(chains: Iterable[str] | None = None) -> list[ChainStatus]:
    """Verify every chain (or only ``chains``): the site's first, then the projects' by id.

    Events are read in chain and number order in batches, never all at once.
    """
    wanted = None if chains is None else list(chains)
    heads_query = sa.select(AuditChainHead)
    events_query = sa.select(*_LINK_COLUMNS).order_by(AuditEvent.chain, AuditEvent.seq, AuditEvent.id)
    if wanted is not None:
        heads_query = heads_query.where(AuditChainHead.chain.in_(wanted))
        events_query = events_query.where(AuditEvent.chain.in_(wanted))
    heads = {row.chain: _head(row) for row in db.session.scalars(heads_query)}
    key = load_audit_key()
    statuses = []
    rows = db.session.execute(events_query.execution_options(yield_per=1000))
    for chain, group in itertools.groupby(rows, key=lambda row: row.chain):
        links = (ChainLink(**row._mapping) for row in group)
        statuses.append(verify_chain(chain, links, heads.pop(chain, None), key))
    statuses += [verify_chain(chain, [], head, key) for chain, head in heads.items()]
    return sorted(statuses, key=lambda status: _chain_order(status.chain))


def _head(row: AuditChainHead) -> ChainHead:
    return ChainHead(row.chain, row.seq, row.hash, row.last_action, row.last_occurred_at, row.sealed_at, row.mac)


def seal_unsealed() -> tuple[list[str], list[ChainStatus]]:
    """Seal every head that carries no seal yet (after the migration), in the current transaction.

    A chain is sealed only when nothing but the seal is wrong with it: a broken chain is never
    vouched for. Returns the chains sealed and the statuses of those refused.
    """
    unsealed = db.session.scalars(sa.select(AuditChainHead.chain).where(AuditChainHead.mac.is_(None)).with_for_update()).all()
    sealed, refused = [], []
    key, now = load_audit_key(), clock.now()
    for status in verify(unsealed):
        if status.broken is None:  # sealed meanwhile
            continue
        if not status.broken.unsealed:
            refused.append(status)
            continue
        row = db.session.get(AuditChainHead, status.chain)
        head = seal_head(key, _head(row), now)
        row.sealed_at, row.mac = head.sealed_at, head.mac
        sealed.append(status.chain)
    db.session.flush()
    return sealed, refused
