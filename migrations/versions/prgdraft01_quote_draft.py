"""quote_draft: the encrypted review step of a supplier's quote (post/redirect/get)

Revision ID: prgdraft01
Revises: regform01
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import procurement.db_types


# revision identifiers, used by Alembic.
revision = 'prgdraft01'
down_revision = 'regform01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quote_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('expected_version', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', procurement.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_quote_draft_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_quote_draft_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_draft')),
    sa.UniqueConstraint('registration_id', 'user_id', name=op.f('uq_quote_draft_registration_id_user_id'))
    )
    with op.batch_alter_table('quote_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_draft_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quote_draft_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('quote_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_draft_user_id'))
        batch_op.drop_index(batch_op.f('ix_quote_draft_registration_id'))

    op.drop_table('quote_draft')
