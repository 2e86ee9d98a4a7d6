"""freeze a published project's registration days

Revision ID: schedule01
Revises: prgdraft01
Create Date: 2026-11-24 10:00:00

A published schedule keeps the registration days the calendar gave it, so a holiday added later
cannot shorten the window. Projects published before this revision get the days the calendar
gives today (the best record there is); a project whose years the calendar no longer covers is
left empty and keeps reading the live calendar.
"""
from collections import defaultdict
from datetime import timedelta

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'schedule01'
down_revision = 'prgdraft01'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('project', sa.Column('registration_days', sa.JSON(), nullable=True))
    _backfill()


def downgrade():
    with op.batch_alter_table('project') as batch:
        batch.drop_column('registration_days')


def _calendar(connection):
    """The calendar as configured in the database now (same rules as services.calendar)."""
    from procurement.domain.calendar import WorkingCalendar, YearSchedule

    holiday = sa.table('holiday', sa.column('day', sa.Date), sa.column('kind', sa.String))
    year_table = sa.table('calendar_year', sa.column('year', sa.Integer))
    entered_years = set(connection.execute(sa.select(year_table.c.year)).scalars())
    holidays, workdays, regional = defaultdict(set), defaultdict(set), set()
    for day, kind in connection.execute(sa.select(holiday.c.day, holiday.c.kind)):
        if kind == "regional_holiday":
            regional.add(day)
        elif day.year in entered_years:
            (holidays if kind == "national_holiday" else workdays)[day.year].add(day)
    entered = {year: YearSchedule(year, frozenset(holidays[year]), frozenset(workdays[year])) for year in entered_years}
    return WorkingCalendar(entered=entered, regional_holidays=frozenset(regional))


def _backfill():
    from procurement.domain.calendar import UnknownYearError

    connection = op.get_bind()
    project = sa.table(
        'project',
        sa.column('id', sa.Integer),
        sa.column('registration_opens', sa.Date),
        sa.column('registration_closes', sa.Date),
        sa.column('registration_days', sa.JSON),
    )
    rows = connection.execute(
        sa.select(project.c.id, project.c.registration_opens, project.c.registration_closes).where(
            project.c.registration_opens.is_not(None)
        )
    ).all()
    if not rows:
        return
    calendar = _calendar(connection)
    for project_id, opens, closes in rows:
        days = []
        d = opens
        try:
            while d <= closes:
                if calendar.is_working_day(d):
                    days.append(d.isoformat())
                d += timedelta(days=1)
        except UnknownYearError:
            continue
        if days:
            connection.execute(project.update().where(project.c.id == project_id).values(registration_days=days))
