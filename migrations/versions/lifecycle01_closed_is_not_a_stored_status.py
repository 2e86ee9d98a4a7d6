"""closed is derived, not stored: the project status check lists the lifecycle's statuses

Revision ID: lifecycle01
Revises: quotes01
Create Date: 2026-12-02 01:00:00

"closed" was allowed by the check constraint but never written; an awarded project reads as
closed once its challenge period is over (derived from the dates). No row holds it.
"""
import sqlalchemy as sa
from alembic import op

revision = 'lifecycle01'
down_revision = 'quotes01'
branch_labels = None
depends_on = None

NEW = "status IN ('draft', 'published', 'opened', 'evaluated', 'awarded', 'cancelled', 'failed')"
OLD = "status IN ('draft', 'published', 'opened', 'evaluated', 'awarded', 'closed', 'cancelled', 'failed')"


def _replace(condition: str) -> None:
    # SQLite cannot alter a constraint without copying the table, and copying ``project`` with
    # foreign keys on (procurement.database turns them on for every connection) would drop or
    # refuse the rows of every table that refers to it. There the old check stays: it also
    # admits "closed", which nothing writes and the lifecycle refuses.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_constraint(op.f('ck_project_status'), 'project', type_='check')
    op.create_check_constraint(op.f('ck_project_status'), 'project', condition)


def upgrade():
    _replace(NEW)


def downgrade():
    _replace(OLD)
