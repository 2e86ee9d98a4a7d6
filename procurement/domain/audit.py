"""Hash-chained audit events, one chain per project plus one for the site (审计日志, design.md §8).

Every event belongs to one chain: ``project:<id>`` for an event with a project, ``site`` for the
others (accounts, the calendar, credit lists). Within a chain the events are numbered 1, 2, 3, …
(``seq``) and each one's hash covers every column that gives it meaning and the previous event's
hash, so an edit, a removal or a reordering inside the chain breaks a hash or a link.

The hash input is canonical JSON (scheme 2; ``tests/unit/test_audit_chain.py`` pins the text)::

    {"action": ..., "actor": ..., "actor_id": 3 | null, "chain": "project:7", "details": {...},
     "object_id": ..., "object_type": ..., "occurred_at": "2025-01-02T08:00:00.000000+00:00",
     "prev_hash": ..., "project_id": 7 | null, "seq": 12}

with sorted keys, no insignificant whitespace, ``ensure_ascii=False``, UTF-8. Datetimes anywhere
are written as UTC ISO 8601 with microseconds.

A removal of the newest events leaves every remaining link intact, and the event hashes are
plain SHA-256 that anyone can recompute. So each chain also has a *head*, kept apart from the
events: its last sequence number and hash (and the last event's action and time, to name it
if it disappears), sealed with an HMAC-SHA256 under a key that is not in the database
(:func:`seal_head`). Without the key nobody can make a head agree with a shortened or rewritten
chain; :func:`verify_chain` checks the events and the head together.

``details`` may hold only str, int, bool, None, datetime, date, lists/tuples and str-keyed
mappings. ``Decimal`` and ``float`` raise ``TypeError``: an amount must never reach the trail
before opening (design.md §6), and refusing the money types outright catches the mistake the
first time it is made instead of relying on every caller to remember. After opening, a caller
that must record an amount writes it as a string on purpose.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

GENESIS = "0" * 64
SITE_CHAIN = "site"
KEY_SIZE = 32

BreakReason = Literal[
    "hash_mismatch",  # the event's columns do not give its hash: it was edited
    "wrong_chain",  # the event sits in another chain than its project's
    "seq_gap",  # the numbers skip (an event before this one is gone) or were changed
    "prev_mismatch",  # the event does not link to the one before it: removed, replaced or reordered
    "head_missing",  # events without a head
    "newest_missing",  # the head counts more events than there are: the newest were deleted
    "head_mismatch",  # the head names another last event than the chain ends with
    "head_forged",  # the head's seal does not verify under the audit key
    "head_unsealed",  # the head carries no seal yet (after the migration, before the first append)
]


def chain_key(project_id: int | None) -> str:
    """The chain of an event: ``project:<id>``, or ``site`` for an event with no project."""
    if project_id is None:
        return SITE_CHAIN
    if isinstance(project_id, bool) or not isinstance(project_id, int):
        raise TypeError(f"project_id must be an int, not {type(project_id).__name__}")
    return f"project:{project_id}"


@dataclass(frozen=True)
class ChainLink:
    """One stored audit event as read back for verification (``id`` is the row's, not hashed)."""

    id: int
    chain: str
    seq: int
    prev_hash: str
    hash: str
    occurred_at: datetime
    actor_id: int | None
    actor: str
    project_id: int | None
    object_type: str
    object_id: str
    action: str
    details: Mapping[str, Any]


@dataclass(frozen=True)
class ChainHead:
    """A chain's head: its last event's number, hash, action and time, and the seal over them."""

    chain: str
    seq: int
    hash: str
    last_action: str | None
    last_occurred_at: datetime | None
    sealed_at: datetime | None
    mac: str | None


@dataclass(frozen=True)
class ChainBreak:
    """The first fault of one chain: where, why, and the event it concerns.

    ``event_id`` is ``None`` when the event no longer exists (``newest_missing``: ``seq``,
    ``action`` and ``occurred_at`` then come from the head) or when the fault is the head's alone.
    """

    chain: str
    reason: BreakReason
    seq: int | None
    event_id: int | None
    action: str | None
    occurred_at: datetime | None

    @property
    def unsealed(self) -> bool:
        """Only the seal is missing: nothing was found wrong, but a truncation could not be seen."""
        return self.reason == "head_unsealed"


@dataclass(frozen=True)
class ChainStatus:
    """One chain verified: its number of events and its first fault, if any."""

    chain: str
    count: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def canonical_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``details`` as plain JSON values (datetimes as canonical strings).

    Store this form: it hashes exactly like the original, and it survives a JSON column unchanged.

    :raise TypeError: a Decimal, a float, a non-str key or an unsupported type.
    """
    if not isinstance(details, Mapping):
        raise TypeError(f"details must be a mapping, not {type(details).__name__}")
    return _jsonable(details)


def event_hash(
    prev_hash: str,
    *,
    chain: str,
    seq: int,
    occurred_at: datetime,
    actor_id: int | None,
    actor: str,
    project_id: int | None,
    object_type: str,
    object_id: str,
    action: str,
    details: Mapping[str, Any],
) -> str:
    """Return the SHA-256 (lowercase hex) of one event chained to ``prev_hash``.

    :raise TypeError: a field has the wrong type (text where text is stored, an int or ``None``
        for the ids, a positive int for ``seq``), or ``details`` holds a Decimal, float or other
        value with no canonical form (see the module docstring).
    """
    for name, value in (
        ("prev_hash", prev_hash),
        ("chain", chain),
        ("actor", actor),
        ("object_type", object_type),
        ("object_id", object_id),
        ("action", action),
    ):
        # An int id would hash differently from the same id read back as text.
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    for name, value in (("actor_id", actor_id), ("project_id", project_id)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError(f"{name} must be an int or None, not {type(value).__name__}")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise TypeError("seq must be a positive int")
    if not isinstance(occurred_at, datetime):
        raise TypeError("occurred_at must be a datetime")
    document = {
        "action": action,
        "actor": actor,
        "actor_id": actor_id,
        "chain": chain,
        "details": canonical_details(details),
        "object_id": object_id,
        "object_type": object_type,
        "occurred_at": _timestamp(occurred_at),
        "prev_hash": prev_hash,
        "project_id": project_id,
        "seq": seq,
    }
    return hashlib.sha256(_canonical(document)).hexdigest()


def head_mac(key: bytes, head: ChainHead) -> str:
    """The HMAC-SHA256 (hex) of a head's chain, number, hash, last action and time, and seal time."""
    if len(key) != KEY_SIZE:
        raise ValueError(f"the audit key must be {KEY_SIZE} bytes")
    document = {
        "chain": head.chain,
        "hash": head.hash,
        "last_action": head.last_action,
        "last_occurred_at": None if head.last_occurred_at is None else _timestamp(head.last_occurred_at),
        "sealed_at": None if head.sealed_at is None else _timestamp(head.sealed_at),
        "seq": head.seq,
    }
    return hmac.new(key, _canonical(document), hashlib.sha256).hexdigest()


def seal_head(key: bytes, head: ChainHead, sealed_at: datetime) -> ChainHead:
    """``head`` sealed at ``sealed_at`` under ``key``."""
    unsealed = replace(head, sealed_at=sealed_at, mac=None)
    return replace(unsealed, mac=head_mac(key, unsealed))


def verify_chain(chain: str, links: Iterable[ChainLink], head: ChainHead | None, key: bytes) -> ChainStatus:
    """Verify one chain's events (in ``seq`` order) against each other and against its head.

    Each event must recompute to its hash, belong to this chain (its project's), carry the next
    number (1, 2, 3, … with no gap) and link to the previous event's hash (``GENESIS`` for the
    first); the head must name the last event (number and hash) and its seal must verify under
    ``key``. The first fault found is returned in :attr:`ChainStatus.broken`.
    """
    count, expected_prev, last = 0, GENESIS, None
    for link in links:
        count += 1
        reason = _link_fault(chain, link, count, expected_prev)
        if reason is not None:
            return ChainStatus(chain, count, ChainBreak(chain, reason, link.seq, link.id, link.action, link.occurred_at))
        expected_prev, last = link.hash, link
    return ChainStatus(chain, count, _head_fault(chain, count, last, head, key))


def _link_fault(chain: str, link: ChainLink, seq: int, expected_prev: str) -> BreakReason | None:
    try:
        recomputed = event_hash(
            link.prev_hash,
            chain=link.chain,
            seq=link.seq,
            occurred_at=link.occurred_at,
            actor_id=link.actor_id,
            actor=link.actor,
            project_id=link.project_id,
            object_type=link.object_type,
            object_id=link.object_id,
            action=link.action,
            details=link.details,
        )
    except TypeError:  # a column rewritten into something no event could hold
        return "hash_mismatch"
    if not hmac.compare_digest(recomputed, link.hash):
        return "hash_mismatch"
    if link.chain != chain or chain_key(link.project_id) != chain:
        return "wrong_chain"
    if link.seq != seq:
        return "seq_gap"
    if link.prev_hash != expected_prev:
        return "prev_mismatch"
    return None


def _head_fault(chain: str, count: int, last: ChainLink | None, head: ChainHead | None, key: bytes) -> ChainBreak | None:
    def at_last(reason: BreakReason) -> ChainBreak:
        if last is None:
            return ChainBreak(chain, reason, None, None, None, None)
        return ChainBreak(chain, reason, last.seq, last.id, last.action, last.occurred_at)

    if head is None:
        return at_last("head_missing") if count else None
    if head.seq > count:
        return ChainBreak(chain, "newest_missing", head.seq, None, head.last_action, head.last_occurred_at)
    if head.seq != count or head.hash != (last.hash if last is not None else GENESIS):
        return at_last("head_mismatch")
    if head.mac is None:
        return at_last("head_unsealed")
    if not hmac.compare_digest(head_mac(key, head), head.mac):
        return at_last("head_forged")
    return None


def _canonical(document: Mapping[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _timestamp(moment: datetime) -> str:
    # SQLite hands back UTC values without tzinfo; reading a naive datetime as UTC keeps a chain
    # verifiable after that round trip (design.md §5 stores every time in UTC).
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _jsonable(value: Any) -> Any:
    # bool before int, datetime before date: both are subclasses of the later type.
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, Decimal | float):
        raise TypeError(
            f"{type(value).__name__} is not allowed in audit details; amounts stay out of the trail"
        )
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        return _timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            # json.dumps would turn 1 into "1" silently, making two different details hash alike.
            if not isinstance(key, str):
                raise TypeError(f"audit detail keys must be str, not {type(key).__name__}")
            result[key] = _jsonable(item)
        return result
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    raise TypeError(f"{type(value).__name__} has no canonical form in audit details")
