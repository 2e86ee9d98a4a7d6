"""Hash-chained audit events: the hashing rules, the head's seal, and one chain's verification."""
import hashlib
import hmac
import json
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from procurement.domain.audit import (
    GENESIS,
    ChainBreak,
    ChainHead,
    ChainLink,
    canonical_details,
    chain_key,
    event_hash,
    head_mac,
    seal_head,
    verify_chain,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(32)
T0 = datetime(2024, 12, 25, 1, 30, tzinfo=UTC)
CHAIN = "project:7"
EVENTS = [
    (1, "buyer:1", "project.publish", "project", "7", {"code": "XZRB-2025-001"}),
    (3, "supplier:3", "registration.submit", "registration", "42", {"status": "accepted"}),
    (3, "supplier:3", "quote.submit", "sealed_quote", "42", {"receipt": "ab" * 32, "version": 1}),
    (1, "buyer:1", "project.open", "project", "7", {"quotes": 3, "opened_at": T0 + timedelta(days=8)}),
]
HASHED = ("chain", "seq", "occurred_at", "actor_id", "actor", "project_id", "object_type", "object_id", "action", "details", "prev_hash")


def link_hash(link: ChainLink) -> str:
    return event_hash(**{name: getattr(link, name) for name in HASHED})


def build_chain(chain: str = CHAIN, project_id: int | None = 7) -> list[ChainLink]:
    links, prev = [], GENESIS
    for seq, (actor_id, actor, action, object_type, object_id, details) in enumerate(EVENTS, start=1):
        link = ChainLink(100 + seq, chain, seq, prev, "", T0 + timedelta(hours=seq), actor_id, actor, project_id, object_type, object_id, action, details)
        link = replace(link, hash=link_hash(link))
        links.append(link)
        prev = link.hash
    return links


def head_of(links: list[ChainLink], key: bytes = KEY, chain: str = CHAIN) -> ChainHead:
    last = links[-1]
    return seal_head(key, ChainHead(chain, last.seq, last.hash, last.action, last.occurred_at, None, None), last.occurred_at)


def broken(links, head=None, chain: str = CHAIN) -> ChainBreak | None:
    return verify_chain(chain, links, head_of(links) if head is None else head, KEY).broken


def hash_of(**overrides):
    values = dict(
        prev_hash=GENESIS, chain="site", seq=1, occurred_at=T0, actor_id=None, actor="a", project_id=None,
        object_type="c", object_id="1", action="b", details={},
    ) | overrides
    return event_hash(**values)


def test_an_intact_chain_verifies_with_its_count():
    links = build_chain()
    status = verify_chain(CHAIN, links, head_of(links), KEY)
    assert status.ok and status.count == len(EVENTS)
    assert verify_chain("site", [], None, KEY).ok


def test_chain_keys():
    assert chain_key(None) == "site"
    assert chain_key(7) == "project:7"
    with pytest.raises(TypeError):
        chain_key("7")


@pytest.mark.parametrize("column", HASHED)
def test_editing_any_hashed_column_of_any_event_names_that_event(column):
    changed = {
        "chain": "project:8", "seq": 99, "occurred_at": T0 - timedelta(microseconds=1), "actor_id": 9, "actor": "x",
        "project_id": 8, "object_type": "x", "object_id": "9", "action": "x", "details": {"k": 1}, "prev_hash": "f" * 64,
    }
    for index in range(len(EVENTS)):
        links = build_chain()
        links[index] = replace(links[index], **{column: changed[column]})
        fault = broken(links)
        assert fault is not None and fault.event_id == links[index].id, (column, index, fault)
        assert fault.reason == "hash_mismatch"


def test_an_edit_with_its_hash_recomputed_breaks_the_next_link_or_the_head():
    links = build_chain()
    links[1] = replace(links[1], details={"status": "rejected"})
    links[1] = replace(links[1], hash=link_hash(links[1]))
    assert broken(links, head_of(build_chain())) == ChainBreak(CHAIN, "prev_mismatch", 3, 103, "quote.submit", links[2].occurred_at)
    links = build_chain()
    links[-1] = replace(links[-1], details={"quotes": 4})
    links[-1] = replace(links[-1], hash=link_hash(links[-1]))
    assert broken(links, head_of(build_chain())).reason == "head_mismatch"


@pytest.mark.parametrize("index", range(len(EVENTS) - 1))
def test_deleting_an_older_event_is_a_gap_at_the_next(index):
    links = build_chain()
    del links[index]
    fault = broken(links, head_of(build_chain()))
    assert (fault.reason, fault.seq, fault.event_id) == ("seq_gap", index + 2, 100 + index + 2)


def test_deleting_the_newest_event_is_named_from_the_head():
    links = build_chain()
    head = head_of(links)
    fault = broken(links[:-1], head)
    assert fault == ChainBreak(CHAIN, "newest_missing", 4, None, "project.open", links[-1].occurred_at)
    assert broken([], head).reason == "newest_missing"


def test_renumbered_events_after_a_deletion_break_their_hash():
    links = build_chain()
    del links[1]
    links = [replace(link, seq=seq) for seq, link in enumerate(links, start=1)]
    assert broken(links, head_of(build_chain())).reason == "hash_mismatch"


def test_reordering_events_is_detected():
    links = build_chain()
    swapped = links[:1] + [links[2], links[1]] + links[3:]
    assert broken(swapped).reason == "seq_gap"
    # The contents swapped between two numbered places: each one's hash covers its number.
    second, third = links[1], links[2]
    moved = [links[0], replace(third, id=second.id, seq=2), replace(second, id=third.id, seq=3), links[3]]
    fault = broken(moved)
    assert (fault.reason, fault.seq) == ("hash_mismatch", 2)


def test_an_event_moved_to_another_chain_is_refused_even_with_its_hash_recomputed():
    links = build_chain()
    moved = replace(links[0], project_id=8)
    moved = replace(moved, hash=link_hash(moved))
    assert broken([moved] + links[1:]).reason == "wrong_chain"
    # Its chain column and project both rewritten: it no longer links into the chain it sits in.
    intruder = replace(build_chain("project:8", 8)[0], id=999)
    links = build_chain()
    fault = broken([links[0], replace(intruder, seq=2)] + links[2:])
    assert fault.event_id == 999 and fault.reason in ("hash_mismatch", "wrong_chain")


def test_the_head_must_exist_match_and_carry_a_valid_seal():
    links = build_chain()
    head = head_of(links)
    assert broken(links, head) is None
    assert verify_chain(CHAIN, links, None, KEY).broken.reason == "head_missing"
    assert broken(links, replace(head, hash="e" * 64)).reason == "head_mismatch"
    assert broken(links, head_of(links[:-1])).reason == "head_mismatch"  # events appended without the head
    # A head forged without the key, for the chain with its newest event deleted:
    truncated = links[:-1]
    assert broken(truncated, head_of(truncated, key=OTHER_KEY)).reason == "head_forged"
    assert broken(links, replace(head, sealed_at=head.sealed_at + timedelta(seconds=1))).reason == "head_forged"
    assert broken(links, replace(head, last_action="x")).reason == "head_forged"
    unsealed = broken(links, replace(head, mac=None))
    assert unsealed.reason == "head_unsealed" and unsealed.unsealed
    assert not broken(links, replace(head, hash="e" * 64)).unsealed


def test_the_seal_is_hmac_sha256_of_the_heads_canonical_json():
    at = datetime(2025, 1, 2, 8, 0, tzinfo=UTC)
    head = ChainHead("site", 3, "a" * 64, "account.create", at, at, None)
    text = (
        '{"chain":"site","hash":"' + "a" * 64 + '","last_action":"account.create",'
        '"last_occurred_at":"2025-01-02T08:00:00.000000+00:00","sealed_at":"2025-01-02T08:00:00.000000+00:00","seq":3}'
    )
    assert head_mac(KEY, head) == hmac.new(KEY, text.encode(), hashlib.sha256).hexdigest()
    assert seal_head(KEY, head, at).mac == head_mac(KEY, head)
    with pytest.raises(ValueError):
        head_mac(b"short", head)


def test_hash_is_sha256_of_canonical_json():
    occurred_at = datetime(2025, 1, 2, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    details = {"名称": "拉萨市某某有限公司", "at": occurred_at, "day": date(2025, 1, 2), "ids": (1, 2)}
    expected_text = (
        '{"action":"project.open","actor":"buyer:1 b@example.com","actor_id":1,"chain":"project:7",'
        '"details":{"at":"2025-01-02T08:00:00.000000+00:00","day":"2025-01-02","ids":[1,2],"名称":"拉萨市某某有限公司"},'
        '"object_id":"7","object_type":"project","occurred_at":"2025-01-02T08:00:00.000000+00:00",'
        '"prev_hash":"' + GENESIS + '","project_id":7,"seq":12}'
    )
    digest = event_hash(
        GENESIS, chain="project:7", seq=12, occurred_at=occurred_at, actor_id=1, actor="buyer:1 b@example.com",
        project_id=7, object_type="project", object_id="7", action="project.open", details=details,
    )
    assert digest == hashlib.sha256(expected_text.encode("utf-8")).hexdigest()


def test_same_instant_in_any_zone_or_naive_utc_hashes_alike():
    aware = datetime(2025, 1, 2, 8, 0, tzinfo=UTC)
    assert hash_of(occurred_at=aware) == hash_of(occurred_at=aware.astimezone(ZoneInfo("Asia/Shanghai")))
    # SQLite returns UTC values without tzinfo; they must verify as the same instant.
    assert hash_of(occurred_at=aware) == hash_of(occurred_at=aware.replace(tzinfo=None))


def test_every_field_is_covered():
    base = hash_of()
    for name, value in [
        ("chain", "project:1"), ("seq", 2), ("actor_id", 1), ("actor", "x"), ("project_id", 1), ("object_type", "x"),
        ("object_id", "2"), ("action", "x"), ("details", {"k": 1}), ("prev_hash", "1" * 64),
        ("occurred_at", T0 + timedelta(microseconds=1)),
    ]:
        assert hash_of(**{name: value}) != base, name
    assert set(HASHED) == {f.name for f in fields(ChainLink)} - {"id", "hash"}


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


@pytest.mark.parametrize(
    "overrides",
    [{"object_id": 7}, {"actor_id": "1"}, {"project_id": True}, {"seq": 0}, {"seq": "1"}, {"chain": None}],
)
def test_fields_must_have_their_stored_types(overrides):
    with pytest.raises(TypeError):
        hash_of(**overrides)


def test_a_column_rewritten_to_an_impossible_value_is_an_edit_not_a_crash():
    links = build_chain()
    links[2] = replace(links[2], details={"total": 1.5})
    assert broken(links).reason == "hash_mismatch"


def test_canonical_details_survive_a_json_column():
    details = {"at": T0, "day": date(2025, 1, 2), "ids": (1, 2), "ok": True, "none": None}
    stored = json.loads(json.dumps(canonical_details(details)))
    assert hash_of(details=stored) == hash_of(details=details)
