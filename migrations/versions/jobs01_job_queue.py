"""job and job_document: slow work (documents) run by the queue's workers, staged until applied

Revision ID: jobs01
Revises: harden01
Create Date: 2026-12-03 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import procurement.db_types


# revision identifiers, used by Alembic.
revision = 'jobs01'
down_revision = "harden01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', procurement.db_types.UTCDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', procurement.db_types.UTCDateTime(), nullable=True),
    sa.Column('updated_at', procurement.db_types.UTCDateTime(), nullable=True),
    sa.Column('finished_at', procurement.db_types.UTCDateTime(), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_job_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_job_created_by_id_user')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_job_project_id_project')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    sa.UniqueConstraint('key', name=op.f('uq_job_key'))
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_created_by_id'), ['created_by_id'], unique=False)

    op.create_table('job_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('supersede', sa.Boolean(), nullable=False),
    sa.Column('verification_code', sa.String(length=32), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('storage_path', sa.String(length=255), nullable=False),
    sa.Column('rendered_at', procurement.db_types.UTCDateTime(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['generated_document.id'], name=op.f('fk_job_document_document_id_generated_document')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_job_document_job_id_job'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_document')),
    sa.UniqueConstraint('job_id', 'step', name=op.f('uq_job_document_job_id_step'))
    )
    with op.batch_alter_table('job_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_document_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_document_document_id'), ['document_id'], unique=False)


def downgrade():
    with op.batch_alter_table('job_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_document_document_id'))
        batch_op.drop_index(batch_op.f('ix_job_document_job_id'))
    op.drop_table('job_document')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_job_status'))
        batch_op.drop_index(batch_op.f('ix_job_project_id'))
        batch_op.drop_index(batch_op.f('ix_job_kind'))
    op.drop_table('job')
