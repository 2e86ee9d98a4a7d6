"""audit chains per project: audit_event.chain and .seq, the audit_chain_head table, every event rehashed

Revision ID: audit01
Revises: store01
Create Date: 2026-12-03 09:00:00

Until now every event of the site formed one chain (ordered by id, serialised by an advisory
lock) whose hash covered neither ``actor_id`` nor ``project_id``. This revision:

1. checks that single chain under its own (old) rules first and stops, naming the first broken
   event, if it does not verify: rehashing a broken chain would launder whatever broke it;
2. gives every event its chain (``project:<id>``, or ``site`` for an event with no project) and
   its number in that chain, in id order, and recomputes every hash under the new scheme
   (``procurement.domain.audit.event_hash``, scheme 2, pinned by tests/unit/test_audit_chain.py:
   a later scheme must copy this one here before changing it);
3. writes each chain's head (last number, hash, action and time) *unsealed*: the seal is an HMAC
   under the audit key, which lives outside the database and is not known here. The first append
   to a chain seals its head; ``flask audit seal`` seals the others (it verifies each chain first
   and refuses a broken one). Until then ``flask audit verify`` reports those heads as unsealed
   (exit status 2), distinctly from a broken chain (exit status 1).

Downgrade recomputes the single chain of the old scheme over all events in id order.
"""
import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import procurement.db_types

from procurement.domain.audit import GENESIS, chain_key, event_hash

revision = 'audit01'
down_revision = "store01"
branch_labels = None
depends_on = None

BATCH = 1000

events = sa.table(
    'audit_event',
    sa.column('id', sa.Integer),
    sa.column('chain', sa.String),
    sa.column('seq', sa.Integer),
    sa.column('occurred_at', sa.DateTime),
    sa.column('actor_id', sa.Integer),
    sa.column('actor', sa.String),
    sa.column('action', sa.String),
    sa.column('object_type', sa.String),
    sa.column('object_id', sa.String),
    sa.column('project_id', sa.Integer),
    sa.column('details', sa.JSON),
    sa.column('prev_hash', sa.String),
    sa.column('hash', sa.String),
)
heads = sa.table(
    'audit_chain_head',
    sa.column('chain', sa.String),
    sa.column('seq', sa.Integer),
    sa.column('hash', sa.String),
    sa.column('last_action', sa.String),
    sa.column('last_occurred_at', sa.DateTime),
)
OLD_COLUMNS = ('id', 'occurred_at', 'actor_id', 'actor', 'action', 'object_type', 'object_id', 'project_id', 'details', 'prev_hash', 'hash')


def _v1_hash(prev_hash: str, row) -> str:
    """The old scheme's hash (as of lifecycle01): its fields only, canonical JSON, SHA-256."""
    moment = row.occurred_at if row.occurred_at.tzinfo else row.occurred_at.replace(tzinfo=UTC)
    document = {
        "action": row.action,
        "actor": row.actor,
        "details": row.details,  # stored in canonical form: they hash as written
        "object_id": row.object_id,
        "object_type": row.object_type,
        "occurred_at": moment.astimezone(UTC).isoformat(timespec="microseconds"),
        "prev_hash": prev_hash,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _rows_in_id_order(bind):
    """Every event, oldest first, a batch at a time (keyset pages: updates may run in between)."""
    last = 0
    columns = [events.c[name] for name in OLD_COLUMNS]
    while True:
        batch = bind.execute(sa.select(*columns).where(events.c.id > last).order_by(events.c.id).limit(BATCH)).all()
        if not batch:
            return
        yield from batch
        last = batch[-1].id


def _rewrite(bind, updates: list[dict]) -> None:
    if updates:
        bind.execute(
            events.update().where(events.c.id == sa.bindparam('_id')).values(
                {name: sa.bindparam(f'_{name}') for name in updates[0] if name != 'id'}
            ),
            [{f'_{name}': value for name, value in update.items()} for update in updates],
        )
        updates.clear()


def _check_v1_chain(bind) -> None:
    prev = GENESIS
    for row in _rows_in_id_order(bind):
        if row.prev_hash != prev or _v1_hash(row.prev_hash, row) != row.hash:
            raise RuntimeError(
                f"audit01: the audit chain is broken at event id {row.id} ({row.action}, {row.occurred_at:%Y-%m-%d %H:%M:%S} UTC) "
                "under its old rules; rehashing it would hide that. Restore the audit_event table from a backup "
                "(or investigate the event) before upgrading."
            )
        prev = row.hash


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def upgrade():
    bind = op.get_bind()
    _check_v1_chain(bind)
    op.create_table(
        'audit_chain_head',
        sa.Column('chain', sa.String(length=40), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('last_action', sa.String(length=64), nullable=True),
        sa.Column('last_occurred_at', procurement.db_types.UTCDateTime(), nullable=True),
        sa.Column('sealed_at', procurement.db_types.UTCDateTime(), nullable=True),
        sa.Column('mac', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_chain_head')),
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('seq', sa.Integer(), nullable=True))
        # Every chain starts from GENESIS now: prev_hash repeats across chains.
        batch_op.drop_constraint(batch_op.f('uq_audit_event_prev_hash'), type_='unique')

    tails: dict[str, tuple[int, str, str, datetime]] = {}
    updates: list[dict] = []
    for row in _rows_in_id_order(bind):
        chain = chain_key(row.project_id)
        seq, prev = (tails[chain][0] + 1, tails[chain][1]) if chain in tails else (1, GENESIS)
        digest = event_hash(
            prev, chain=chain, seq=seq, occurred_at=row.occurred_at, actor_id=row.actor_id, actor=row.actor,
            project_id=row.project_id, object_type=row.object_type, object_id=row.object_id, action=row.action,
            details=row.details,
        )
        tails[chain] = (seq, digest, row.action, row.occurred_at)
        updates.append({'id': row.id, 'chain': chain, 'seq': seq, 'prev_hash': prev, 'hash': digest})
        if len(updates) >= BATCH:
            _rewrite(bind, updates)
    _rewrite(bind, updates)
    if tails:
        bind.execute(heads.insert(), [
            {'chain': chain, 'seq': seq, 'hash': digest, 'last_action': action, 'last_occurred_at': _naive_utc(at)}
            for chain, (seq, digest, action, at) in tails.items()
        ])

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('chain', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_chain_seq'), ['chain', 'seq'])


def downgrade():
    bind = op.get_bind()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_chain_seq'), type_='unique')
    prev, updates = GENESIS, []
    for row in _rows_in_id_order(bind):
        digest = _v1_hash(prev, row)
        updates.append({'id': row.id, 'prev_hash': prev, 'hash': digest})
        prev = digest
        if len(updates) >= BATCH:
            _rewrite(bind, updates)
    _rewrite(bind, updates)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('seq')
        batch_op.drop_column('chain')
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_prev_hash'), ['prev_hash'])
    op.drop_table('audit_chain_head')
