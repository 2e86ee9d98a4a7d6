"""quorum opening: officials' opening keys, a project's officials, relayed shares, the opening mode

Revision ID: quorum01
Revises: notify01
Create Date: 2026-12-06 09:00:00.000000

Every existing project keeps the server-key mode (its private key wrapped by the KEK).
"""
from alembic import op
import sqlalchemy as sa

import procurement.db_types


# revision identifiers, used by Alembic.
revision = 'quorum01'
down_revision = "notify01"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # Columns added in place, the check on the column itself: batch mode would rebuild
        # "project", which many tables reference, and its DROP TABLE fails their foreign keys
        # once the tables hold rows (an existing instance). The downgrade drops them in place.
        op.execute(
            "ALTER TABLE project ADD COLUMN opening_mode VARCHAR(16) DEFAULT 'server' NOT NULL "
            "CONSTRAINT ck_project_opening_mode CHECK (opening_mode IN ('server', 'quorum'))"
        )
        op.execute("ALTER TABLE project ADD COLUMN quorum_threshold INTEGER")
        op.execute("ALTER TABLE project ADD COLUMN quorum_wrapped_private_key BLOB")
    else:
        with op.batch_alter_table('project', schema=None) as batch_op:
            batch_op.add_column(sa.Column('opening_mode', sa.String(length=16), server_default='server', nullable=False))
            batch_op.add_column(sa.Column('quorum_threshold', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('quorum_wrapped_private_key', sa.LargeBinary(), nullable=True))
            batch_op.create_check_constraint('opening_mode', "opening_mode IN ('server', 'quorum')")

    op.create_table('opening_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('wrapped_private_key', sa.LargeBinary(), nullable=False),
    sa.Column('kdf', sa.String(length=16), nullable=False),
    sa.Column('kdf_n', sa.Integer(), nullable=False),
    sa.Column('kdf_r', sa.Integer(), nullable=False),
    sa.Column('kdf_p', sa.Integer(), nullable=False),
    sa.Column('salt', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', procurement.db_types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', procurement.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_opening_key_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_key')),
    sa.UniqueConstraint('user_id', name=op.f('uq_opening_key_user_id'))
    )
    op.create_table('opening_official',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=True),
    sa.Column('sealed_share', sa.LargeBinary(), nullable=True),
    sa.Column('share_digest', sa.String(length=64), nullable=True),
    sa.Column('supplied_at', procurement.db_types.UTCDateTime(), nullable=True),
    sa.CheckConstraint('position >= 1', name=op.f('ck_opening_official_position_positive')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_opening_official_project_id_project'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_opening_official_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_official')),
    sa.UniqueConstraint('project_id', 'position', name=op.f('uq_opening_official_project_id_position')),
    sa.UniqueConstraint('project_id', 'user_id', name=op.f('uq_opening_official_project_id_user_id'))
    )
    with op.batch_alter_table('opening_official', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opening_official_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opening_official_user_id'), ['user_id'], unique=False)
    op.create_table('relayed_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('share_index', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', procurement.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['opening_official.id'], name=op.f('fk_relayed_share_official_id_opening_official'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_relayed_share_project_id_project'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_relayed_share')),
    sa.UniqueConstraint('official_id', 'share_index', name=op.f('uq_relayed_share_official_id_share_index'))
    )
    with op.batch_alter_table('relayed_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_relayed_share_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_relayed_share_official_id'), ['official_id'], unique=False)


def downgrade():
    op.drop_table('relayed_share')
    op.drop_table('opening_official')
    op.drop_table('opening_key')
    if op.get_bind().dialect.name == "sqlite":
        for column in ('quorum_wrapped_private_key', 'quorum_threshold', 'opening_mode'):
            op.execute(f"ALTER TABLE project DROP COLUMN {column}")
    else:
        with op.batch_alter_table('project', schema=None) as batch_op:
            batch_op.drop_constraint('opening_mode', type_='check')
            batch_op.drop_column('quorum_wrapped_private_key')
            batch_op.drop_column('quorum_threshold')
            batch_op.drop_column('opening_mode')
