"""ocds_release: one stored OCDS release per public event of a project

Revision ID: ocds01
Revises: mail01
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import procurement.db_types


# revision identifiers, used by Alembic.
revision = 'ocds01'
down_revision = "mail01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ocds_release',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('release_id', sa.String(length=120), nullable=False),
    sa.Column('tag', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('released_at', procurement.db_types.UTCDateTime(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_ocds_release_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ocds_release')),
    sa.UniqueConstraint('project_id', 'seq', name=op.f('uq_ocds_release_project_id_seq')),
    sa.UniqueConstraint('release_id', name=op.f('uq_ocds_release_release_id'))
    )
    with op.batch_alter_table('ocds_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ocds_release_project_id'), ['project_id'], unique=False)


def downgrade():
    op.drop_table('ocds_release')
