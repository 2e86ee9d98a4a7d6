"""Hash-chained audit events (审计日志, design.md §8).

Each event's hash covers its own fields and the previous event's hash, so changing, removing or
reordering any stored event breaks every hash after it; :func:`verify_chain` names the first
broken link. The hash input is canonical JSON::

    {"action": ..., "actor": ..., "details": {...}, "object_id": ..., "object_type": ...,
     "occurred_at": "2025-01-02T08:00:00.000000+00:00", "prev_hash": ...}

with sorted keys, no insignificant whitespace, ``ensure_ascii=False``, UTF-8. Datetimes anywhere
are written as UTC ISO 8601 with microseconds.

``details`` may hold only str, int, bool, None, datetime, date, lists/tuples and str-keyed
mappings. ``Decimal`` and ``float`` raise ``TypeError``: an amount must never reach the trail
before opening (design.md §6), and refusing the money types outright catches the mistake the
first time it is made instead of relying on every caller to remember. After opening, a caller
that must record an amount writes it as a string on purpose.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainLink:
    """One stored audit event as read back for verification."""

    id: int
    prev_hash: str
    hash: str
    occurred_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    details: Mapping[str, Any]


@dataclass(frozen=True)
class ChainBreak:
    """The first link that fails verification, and why."""

    id: int
    reason: Literal["prev_mismatch", "hash_mismatch"]


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
    occurred_at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    details: Mapping[str, Any],
) -> str:
    """Return the SHA-256 (lowercase hex) of one event chained to ``prev_hash``.

    :raise TypeError: a field is not a string, or ``details`` holds a Decimal, float or other
        value with no canonical form (see the module docstring).
    """
    for name, value in (
        ("prev_hash", prev_hash),
        ("actor", actor),
        ("action", action),
        ("object_type", object_type),
        ("object_id", object_id),
    ):
        # An int id would hash differently from the same id read back as text.
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if not isinstance(occurred_at, datetime):
        raise TypeError("occurred_at must be a datetime")
    document = {
        "action": action,
        "actor": actor,
        "details": canonical_details(details),
        "object_id": object_id,
        "object_type": object_type,
        "occurred_at": _timestamp(occurred_at),
        "prev_hash": prev_hash,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify_chain(links: Iterable[ChainLink], *, start_hash: str = GENESIS) -> ChainBreak | None:
    """Return the first broken link of ``links`` (in chain order, ascending id), or ``None``.

    A link breaks with ``prev_mismatch`` when its ``prev_hash`` is not the previous link's hash
    (``start_hash`` for the first; an event was removed or reordered) and with ``hash_mismatch``
    when its own hash does not recompute (its fields were changed).
    """
    expected_prev = start_hash
    for link in links:
        if link.prev_hash != expected_prev:
            return ChainBreak(link.id, "prev_mismatch")
        recomputed = event_hash(
            link.prev_hash,
            occurred_at=link.occurred_at,
            actor=link.actor,
            action=link.action,
            object_type=link.object_type,
            object_id=link.object_id,
            details=link.details,
        )
        if recomputed != link.hash:
            return ChainBreak(link.id, "hash_mismatch")
        expected_prev = link.hash
    return None


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
