"""user.locale: the interface language a user chose (Chinese or English)

Revision ID: lang01
Revises: quorum01
Create Date: 2026-12-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'lang01'
down_revision = "quorum01"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user', sa.Column('locale', sa.String(length=16), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35+) drops a column in place; batch mode would rebuild "user", which every
        # other table references, and the rebuild's DROP TABLE fails their foreign keys.
        op.execute('ALTER TABLE "user" DROP COLUMN locale')
    else:
        op.drop_column('user', 'locale')
