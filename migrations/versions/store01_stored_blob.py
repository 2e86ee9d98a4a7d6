"""stored_blob: the database file store (FILE_STORE=database) every app node reaches

Revision ID: store01
Revises: lifecycle01
Create Date: 2026-12-03 09:00:00

One row per uploaded or generated file, under the same content-addressed key the folder store
uses (``ab/<sha256><suffix>``); the bytes in a bytea (BLOB on SQLite) column. Nothing is copied
here: ``flask store migrate-to-database`` copies an existing folder store.
"""
import sqlalchemy as sa
from alembic import op

import procurement.db_types

revision = 'store01'
down_revision = 'lifecycle01'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_blob',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('storage_path', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('stored_at', procurement.db_types.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('upload', 'document')", name=op.f('ck_stored_blob_kind')),
    sa.PrimaryKeyConstraint('kind', 'storage_path', name=op.f('pk_stored_blob'))
    )


def downgrade():
    op.drop_table('stored_blob')
