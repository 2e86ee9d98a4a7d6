"""notification and notification_preference: in-app messages and each person's e-mail switches

Revision ID: notify01
Revises: ocds01
Create Date: 2026-12-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import procurement.db_types


# revision identifiers, used by Alembic.
revision = 'notify01'
down_revision = "ocds01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('created_at', procurement.db_types.UTCDateTime(), nullable=False),
    sa.Column('read_at', procurement.db_types.UTCDateTime(), nullable=True),
    sa.Column('mail_message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['mail_message_id'], ['mail_message.id'], name=op.f('fk_notification_mail_message_id_mail_message')),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], name=op.f('fk_notification_project_id_project')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('key', name=op.f('uq_notification_key'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at'], unique=False)
        batch_op.create_index('ix_notification_user_created', ['user_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_mail_message_id'), ['mail_message_id'], unique=False)

    op.create_table('notification_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', procurement.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_preference_user_id_user')),
    sa.PrimaryKeyConstraint('user_id', 'kind', 'channel', name=op.f('pk_notification_preference'))
    )


def downgrade():
    op.drop_table('notification_preference')
    op.drop_table('notification')
