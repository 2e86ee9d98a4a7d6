"""premises place outside Lhasa, and a registration's saved draft answers

Revision ID: regform01
Revises: bd66fa0d3de4
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'regform01'
down_revision = 'bd66fa0d3de4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.add_column(sa.Column('premises_place', sa.String(length=100), nullable=True))
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_column('draft')
    with op.batch_alter_table('company', schema=None) as batch_op:
        batch_op.drop_column('premises_place')
