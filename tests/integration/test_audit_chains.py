"""Audit chains per project in the database: every edit, deletion, reordering, move and forged head
is found by ``audit.verify``; two projects' chains are independent; on PostgreSQL, appends to two
projects do not wait for each other."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from procurement import audit
from procurement.domain.audit import ChainHead, chain_key, event_hash, seal_head
from procurement.extensions import db
from procurement.keys import load_audit_key
from procurement.models import AuditChainHead, AuditEvent
from tests.factories import make_accepted_registration, make_buyer, make_project, make_sealed_quote, make_supplier

HASHED = ("chain", "seq", "occurred_at", "actor_id", "actor", "project_id", "object_type", "object_id", "action", "details", "prev_hash")
COLUMNS = HASHED + ("hash",)


@pytest.fixture
def world(app, clock):
    """Two published projects; the first with a supplier's accepted registration and sealed quote."""
    buyer = make_buyer()
    first = make_project(buyer, clock)
    second = make_project(buyer, clock)
    supplier = make_supplier()
    registration = make_accepted_registration(first, supplier, clock)
    make_sealed_quote(registration, supplier, ["25.50", "400", "12.30"], clock)
    db.session.commit()
    return SimpleNamespace(
        buyer_id=buyer.id, supplier_id=supplier.id, first=chain_key(first.id), second=chain_key(second.id),
        first_id=first.id, second_id=second.id,
    )


def events(chain: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)).all()


def faults() -> dict:
    return {status.chain: status.broken for status in audit.verify() if status.broken is not None}


@contextmanager
def tampering():
    """What an attacker with database access does, undone after the check (a rollback)."""
    db.session.expire_all()
    try:
        yield
    finally:
        db.session.rollback()


def rewrite(event_id: int, **values) -> None:
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == event_id).values(**values))


def test_the_chains_verify_and_number_each_projects_events_from_one(world):
    assert faults() == {}
    for chain in ("site", world.first, world.second):
        assert [event.seq for event in events(chain)] == list(range(1, len(events(chain)) + 1))
        assert {event.chain for event in events(chain)} == {chain}
    assert len(events(world.first)) >= 5  # publication, announcement, registration, check, quote ...
    assert {event.project_id for event in events(world.first)} == {world.first_id}
    assert {event.project_id for event in events("site")} == {None}
    head = db.session.get(AuditChainHead, world.first)
    newest = events(world.first)[-1]
    assert (head.seq, head.hash, head.last_action, head.last_occurred_at) == (newest.seq, newest.hash, newest.action, newest.occurred_at)
    assert head.mac is not None and head.sealed_at == newest.occurred_at  # sealed on every append


def _edited(column: str, event: AuditEvent, world):
    other_user = world.buyer_id if event.actor_id != world.buyer_id else world.supplier_id
    return {
        "chain": "project:999999",
        "seq": event.seq + 1000,
        "occurred_at": event.occurred_at + timedelta(seconds=1),
        "actor_id": other_user,
        "actor": event.actor + " ",
        "project_id": world.second_id,
        "object_type": event.object_type + "x",
        "object_id": event.object_id + "0",
        "action": event.action + "x",
        "details": {**event.details, "x": 1},
        "prev_hash": "f" * 64,
        "hash": "e" * 64,
    }[column]


@pytest.mark.parametrize("column", COLUMNS)
def test_editing_any_column_of_any_event_is_found_and_named(world, column):
    chain = events(world.first)
    assert len(chain) >= 5
    for index, event in enumerate(chain):
        with tampering():
            rewrite(event.id, **{column: _edited(column, event, world)})
            found = faults()
            named = {fault.event_id for fault in found.values()}
            # A changed number moves the event out of its place: the gap it leaves is named.
            expected = {event.id} if column != "seq" or index == len(chain) - 1 else {event.id, chain[index + 1].id}
            assert named & expected, (column, index, found)
            assert world.second not in found and "site" not in found  # the other chains are untouched


def test_deleting_any_event_is_found_the_newest_included(world):
    chain = events(world.first)
    for index, event in enumerate(chain):
        with tampering():
            db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == event.id))
            fault = faults()[world.first]
            if index < len(chain) - 1:
                assert (fault.reason, fault.event_id) == ("seq_gap", chain[index + 1].id)
            else:  # the newest: named from the head, which still counts it
                assert (fault.reason, fault.seq, fault.event_id) == ("newest_missing", event.seq, None)
                assert (fault.action, fault.occurred_at) == (event.action, event.occurred_at)


def test_reordering_events_is_found(world):
    chain = events(world.first)
    second, third = chain[1], chain[2]
    contents = {event.id: {name: getattr(event, name) for name in HASHED + ("hash",) if name not in ("chain", "seq")} for event in (second, third)}
    with tampering():  # the contents swapped, the numbers kept
        rewrite(second.id, hash="swap")
        rewrite(third.id, **contents[second.id])
        rewrite(second.id, **contents[third.id])
        assert faults()[world.first].event_id in (second.id, third.id)
    (second_id, second_seq), (third_id, third_seq) = (second.id, second.seq), (third.id, third.seq)
    with tampering():  # the numbers swapped
        rewrite(second_id, seq=-1)
        rewrite(third_id, seq=second_seq)
        rewrite(second_id, seq=third_seq)
        assert faults()[world.first].seq == 2


def test_moving_an_event_to_another_projects_chain_is_found_even_with_hashes_recomputed(world):
    """The mover rewrites the event as the next of the other chain and moves that chain's head,
    but cannot seal the head without the key; its old chain has a gap."""
    moved = events(world.first)[2]
    target = db.session.get(AuditChainHead, world.second)
    values = {name: getattr(moved, name) for name in HASHED}
    values |= {"chain": world.second, "project_id": world.second_id, "seq": target.seq + 1, "prev_hash": target.hash}
    with tampering():
        rewrite(moved.id, **values, hash=event_hash(**values))
        db.session.execute(
            sa.update(AuditChainHead).where(AuditChainHead.chain == world.second).values(seq=values["seq"], hash=event_hash(**values))
        )
        found = faults()
        assert found[world.first].reason == "seq_gap"
        assert found[world.second].reason == "head_forged"
    with tampering():  # only the project changed: the event no longer gives its hash
        rewrite(moved.id, project_id=world.second_id)
        assert faults()[world.first].event_id == moved.id


def test_a_head_forged_without_the_key_is_found(world):
    chain = events(world.first)
    kept = chain[-2]
    truncated = ChainHead(world.first, kept.seq, kept.hash, kept.action, kept.occurred_at, None, None)

    def truncate_and_seal(key: bytes) -> None:
        head = seal_head(key, truncated, kept.occurred_at)
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == chain[-1].id))
        db.session.execute(
            sa.update(AuditChainHead).where(AuditChainHead.chain == world.first).values(
                seq=head.seq, hash=head.hash, last_action=head.last_action, last_occurred_at=head.last_occurred_at,
                sealed_at=head.sealed_at, mac=head.mac,
            )
        )

    with tampering():
        truncate_and_seal(secrets.token_bytes(32))
        assert faults()[world.first].reason == "head_forged"
    with tampering():  # the same head sealed with the real key verifies: the seal alone decides
        truncate_and_seal(load_audit_key())
        assert faults() == {}
    with tampering():
        db.session.execute(sa.delete(AuditChainHead).where(AuditChainHead.chain == world.first))
        assert faults()[world.first].reason == "head_missing"
    with tampering():
        db.session.execute(sa.update(AuditChainHead).where(AuditChainHead.chain == world.first).values(mac=None))
        assert faults()[world.first].unsealed


def test_two_projects_chains_are_independent(world, clock):
    before = {chain: len(events(chain)) for chain in (world.first, world.second)}
    for _ in range(3):  # interleaved appends
        for project_id in (world.second_id, world.first_id):
            audit.record("test.note", object_type="project", object_id=project_id, project_id=project_id)
    db.session.commit()
    for chain in (world.first, world.second):
        assert [event.seq for event in events(chain)] == list(range(1, before[chain] + 4))
    assert faults() == {}
    with tampering():
        rewrite(events(world.first)[0].id, action="x")
        assert set(faults()) == {world.first}
        assert all(status.ok for status in audit.verify([world.second]))


def test_appends_to_two_projects_do_not_wait_for_each_other(app, world):
    """Transaction A appends to the first project and stays open; B appends to the second project
    and commits without waiting (its lock_timeout would fail it), while B's append to the first
    project does wait for A (and times out): the lock is the chain's, not the site's."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite serialises every writer of the database")
    db.session.remove()
    with app.app_context():  # transaction A: its own session and connection
        audit.record("test.hold", object_type="project", object_id=world.first_id, project_id=world.first_id)
        with app.app_context():  # transaction B
            db.session.execute(sa.text("SET LOCAL lock_timeout = '5s'"))
            audit.record("test.other", object_type="project", object_id=world.second_id, project_id=world.second_id)
            audit.record("test.site", object_type="calendar", object_id="x")
            db.session.commit()
            db.session.execute(sa.text("SET LOCAL lock_timeout = '100ms'"))
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                audit.record("test.same", object_type="project", object_id=world.first_id, project_id=world.first_id)
            db.session.rollback()
            db.session.remove()
        db.session.commit()
        db.session.remove()
    assert faults() == {}
    assert events(world.first)[-1].action == "test.hold" and events(world.second)[-1].action == "test.other"
