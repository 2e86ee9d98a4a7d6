"""sealed_quote: a trigger retires the previous current version when a current one is inserted

Revision ID: quotes01
Revises: schedule01
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op

# A copy of the DDL in procurement/models/quotes.py as of this revision (migrations do not follow the models).
RETIRE_CURRENT_SQLITE = (
    "CREATE TRIGGER sealed_quote_retire_current BEFORE INSERT ON sealed_quote WHEN NEW.is_current "
    "BEGIN UPDATE sealed_quote SET is_current = 0 WHERE registration_id = NEW.registration_id AND is_current; END"
)
RETIRE_CURRENT_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION sealed_quote_retire_current() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF NEW.is_current THEN UPDATE sealed_quote SET is_current = false "
    "WHERE registration_id = NEW.registration_id AND is_current; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER sealed_quote_retire_current BEFORE INSERT ON sealed_quote "
    "FOR EACH ROW EXECUTE FUNCTION sealed_quote_retire_current()",
)


# revision identifiers, used by Alembic.
revision = 'quotes01'
down_revision = 'schedule01'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in RETIRE_CURRENT_POSTGRESQL:
            op.execute(statement)
    else:
        op.execute(RETIRE_CURRENT_SQLITE)


def downgrade():
    op.execute("DROP TRIGGER IF EXISTS sealed_quote_retire_current" + (" ON sealed_quote" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS sealed_quote_retire_current()")
