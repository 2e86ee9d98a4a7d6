"""sign_in_lock and sign_in_attempt: the per-account lockout and the record of refused sign-ins

Revision ID: harden01
Revises: audit01
Create Date: 2026-12-10 10:00:00

"""
import sqlalchemy as sa
from alembic import op

import procurement.db_types

revision = 'harden01'
down_revision = 'audit01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sign_in_lock',
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', procurement.db_types.UTCDateTime(), nullable=True),
        sa.Column('locked_until', procurement.db_types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('email', name=op.f('pk_sign_in_lock')),
    )
    op.create_table(
        'sign_in_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', procurement.db_types.UTCDateTime(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('address', sa.String(length=45), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('locked_until', procurement.db_types.UTCDateTime(), nullable=True),
        sa.CheckConstraint("outcome IN ('failed', 'locked', 'throttled')", name=op.f('ck_sign_in_attempt_outcome')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_sign_in_attempt_user_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_attempt')),
    )
    with op.batch_alter_table('sign_in_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_attempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_attempt_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_in_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_attempt_user_id'))
        batch_op.drop_index(batch_op.f('ix_sign_in_attempt_at'))
    op.drop_table('sign_in_attempt')
    op.drop_table('sign_in_lock')
