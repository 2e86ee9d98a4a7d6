"""Hash-chained audit events: hashing rules and chain verification."""
import hashlib
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from procurement.domain.audit import GENESIS, ChainBreak, ChainLink, canonical_details, event_hash, verify_chain

T0 = datetime(2024, 12, 25, 1, 30, tzinfo=UTC)
EVENTS = [
    ("buyer:1", "publish", "project", "7", {"code": "XZRB-2025-001"}),
    ("supplier:3", "register", "registration", "42", {"project_id": 7, "status": "accepted"}),
    ("supplier:3", "seal", "quote", "42", {"receipt": "ab" * 32, "version": 1}),
    ("buyer:1", "open", "project", "7", {"quotes": 3, "opened_at": T0 + timedelta(days=8)}),
]


def build_chain():
    links, prev = [], GENESIS
    for index, (actor, action, object_type, object_id, details) in enumerate(EVENTS, start=1):
        occurred_at = T0 + timedelta(hours=index)
        digest = event_hash(
            prev,
            occurred_at=occurred_at,
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            details=details,
        )
        links.append(ChainLink(index, prev, digest, occurred_at, actor, action, object_type, object_id, details))
        prev = digest
    return links


def hash_of(**overrides):
    fields = dict(occurred_at=T0, actor="a", action="b", object_type="c", object_id="1", details={}) | overrides
    return event_hash(GENESIS, **fields)


def test_an_intact_chain_verifies():
    assert verify_chain(build_chain()) is None
    assert verify_chain([]) is None


def test_tampering_a_middle_rows_details_names_that_row():
    links = build_chain()
    links[1] = replace(links[1], details={"project_id": 7, "status": "rejected"})
    assert verify_chain(links) == ChainBreak(2, "hash_mismatch")


def test_a_removed_row_breaks_the_next_rows_prev_link():
    links = build_chain()
    del links[1]
    assert verify_chain(links) == ChainBreak(3, "prev_mismatch")


def test_a_rewritten_prev_hash_names_that_row():
    links = build_chain()
    links[2] = replace(links[2], prev_hash="f" * 64)
    assert verify_chain(links) == ChainBreak(3, "prev_mismatch")


def test_the_first_link_must_follow_genesis():
    links = build_chain()
    assert verify_chain(links[1:]) == ChainBreak(2, "prev_mismatch")
    assert verify_chain(links[1:], start_hash=links[0].hash) is None


def test_hash_is_sha256_of_canonical_json():
    occurred_at = datetime(2025, 1, 2, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    details = {"名称": "拉萨市某某有限公司", "at": occurred_at, "day": date(2025, 1, 2), "ids": (1, 2)}
    expected_text = (
        '{"action":"open","actor":"buyer:1","details":{"at":"2025-01-02T08:00:00.000000+00:00",'
        '"day":"2025-01-02","ids":[1,2],"名称":"拉萨市某某有限公司"},"object_id":"7","object_type":"project",'
        '"occurred_at":"2025-01-02T08:00:00.000000+00:00","prev_hash":"' + GENESIS + '"}'
    )
    digest = event_hash(
        GENESIS,
        occurred_at=occurred_at,
        actor="buyer:1",
        action="open",
        object_type="project",
        object_id="7",
        details=details,
    )
    assert digest == hashlib.sha256(expected_text.encode("utf-8")).hexdigest()


def test_same_instant_in_any_zone_or_naive_utc_hashes_alike():
    aware = datetime(2025, 1, 2, 8, 0, tzinfo=UTC)
    assert hash_of(occurred_at=aware) == hash_of(occurred_at=aware.astimezone(ZoneInfo("Asia/Shanghai")))
    # SQLite returns UTC values without tzinfo; they must verify as the same instant.
    assert hash_of(occurred_at=aware) == hash_of(occurred_at=aware.replace(tzinfo=None))


def test_every_field_is_covered():
    base = hash_of()
    for field, value in [("actor", "x"), ("action", "x"), ("object_type", "x"), ("object_id", "2"), ("details", {"k": 1})]:
        assert hash_of(**{field: value}) != base
    assert hash_of(occurred_at=T0 + timedelta(microseconds=1)) != base
    assert event_hash("1" * 64, occurred_at=T0, actor="a", action="b", object_type="c", object_id="1", details={}) != base


@pytest.mark.parametrize(
    "details",
    [
        {"total": Decimal("123.40")},
        {"lines": [{"unit_price": Decimal("1.00")}]},
        {"total": 123.4},
        {1: "int key"},
        {"value": object()},
    ],
)
def test_amounts_and_values_without_a_canonical_form_are_refused(details):
    with pytest.raises(TypeError):
        hash_of(details=details)


def test_ids_must_be_text():
    with pytest.raises(TypeError):
        hash_of(object_id=7)


def test_canonical_details_survive_a_json_column():
    details = {"at": T0, "day": date(2025, 1, 2), "ids": (1, 2), "ok": True, "none": None}
    stored = json.loads(json.dumps(canonical_details(details)))
    assert hash_of(details=stored) == hash_of(details=details)
