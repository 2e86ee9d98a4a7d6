"""mail_message: every e-mail the service sends, delivered by a mail.send job

Revision ID: mail01
Revises: jobs01
Create Date: 2026-12-04 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import procurement.db_types


# revision identifiers, used by Alembic.
revision = 'mail01'
down_revision = "jobs01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mail_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('text_body', sa.Text(), nullable=True),
    sa.Column('html_body', sa.Text(), nullable=True),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('created_at', procurement.db_types.UTCDateTime(), nullable=False),
    sa.Column('sent_at', procurement.db_types.UTCDateTime(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_mail_message_job_id_job')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_mail_message_project_id_project')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_mail_message_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_message')),
    sa.UniqueConstraint('key', name=op.f('uq_mail_message_key'))
    )
    with op.batch_alter_table('mail_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_message_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_message_job_id'), ['job_id'], unique=False)


def downgrade():
    op.drop_table('mail_message')
