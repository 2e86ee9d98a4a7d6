"""Reminders from the clock (issue 13): the tick sends every reminder due at the service's clock,
once; not before its moment; a missed moment still while the deadline is ahead, never after it;
moved by the demo clock's page, by ``flask reminders tick``, and after a response in the embedded
default (at most once a minute). Its reads do not grow with the registrants, nor with the
reminders already sent (those are left out in SQL).

Quote deadline (2025-01-02 16:00): the reminder is due from 2025-01-01 16:00, to every accepted
registrant, saying which version counts (number and time, never the amount) or that there is none.
"""
from __future__ import annotations

import contextvars
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from procurement.db_types import UTCDateTime, date_isoformat, utc_isoformat
from procurement.domain import notifications as kinds
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import Notification
from procurement.queries import reminders as reminder_reads
from procurement.services import quotes, reminders
from tests.conftest import AuthActions, post_form
from tests.factories import (
    make_accepted_registration,
    make_buyer,
    make_project,
    make_sealed_quote,
    make_supplier,
    register,
)
from tests.factories.jobs import manual_jobs
from tests.factories.quotes import QUOTE_AT
from tests.integration.test_sealing_leaks import needles
from tests.notices import arrived, mailed_text, smtp, told
from tests.sqlcount import count_statements

DEADLINE = datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING)
MOMENT = DEADLINE - timedelta(hours=24)
A_FIRST = ["27.13", "433.21", "18.77"]
A_REVISED = ["26.41", "417.39", "17.93"]


@pytest.fixture
def quoting(app, clock):
    """A quoted twice (version 2 counts), B accepted without a quote, C withdrew, D refused, E never registered."""
    buyer = make_buyer()
    project = make_project(buyer, clock)
    people = {name: make_supplier(company_name=f"拉萨{name}商贸有限公司") for name in "ABCDE"}
    reg = {name: make_accepted_registration(project, people[name], clock) for name in "ABC"}
    register(project, people["D"], clock, consortium=True)
    make_sealed_quote(reg["A"], people["A"], A_FIRST, clock)
    make_sealed_quote(reg["A"], people["A"], A_REVISED, clock, at=QUOTE_AT + timedelta(hours=2))
    make_sealed_quote(reg["C"], people["C"], A_FIRST, clock)
    clock.set(QUOTE_AT + timedelta(hours=3))
    quotes.withdraw_quote(reg["C"].id, people["C"])
    return buyer, project, people


def _reminders(user):
    return told(user, kinds.QUOTE_DEADLINE_REMINDER)


def test_not_yet_due_then_due_to_every_accepted_registrant_then_never_again(app, clock, quoting):
    _, project, people = quoting
    with smtp(app) as received:
        assert reminders.tick(MOMENT - timedelta(minutes=1)) == 0
        assert all(_reminders(user) == [] for user in people.values())
        clock.set(MOMENT)
        assert reminders.tick() == 3
        clock.set(MOMENT + timedelta(hours=5))
        assert reminders.tick() == 0  # sent once
    [a], [b], [c] = (_reminders(people[name]) for name in "ABC")
    assert "第 2 版" in a.body and "2024年12月31日 12:00" in a.body and "以最后提交的一版为准" in a.body
    assert "没有有效的报价" in b.body and "撤回" not in b.body
    assert "没有有效的报价（此前提交的报价已撤回）" in c.body
    assert a.link == f"/supplier/projects/{project.id}/quote"
    assert _reminders(people["D"]) == [] and _reminders(people["E"]) == []
    secrets = needles(project, A_FIRST) | needles(project, A_REVISED)
    for name in "ABC":
        [mail] = arrived(received, people[name], "报价截止提醒")
        text = mailed_text(mail)
        assert "2025年1月2日 16:00" in text
        assert not {needle for needle in secrets if needle in text}, name
        assert all(f"拉萨{other}商贸有限公司" not in text for other in "ABCDE" if other != name)
    assert arrived(received, people["D"], "报价截止") == [] and arrived(received, people["E"]) == []


def test_a_missed_moment_is_still_reminded_while_the_deadline_is_ahead_and_never_after(app, clock, quoting):
    _, _, people = quoting
    assert reminders.tick(DEADLINE + timedelta(minutes=1)) == 0  # after the deadline: too late, nothing
    assert _reminders(people["A"]) == []
    assert reminders.tick(DEADLINE - timedelta(minutes=30)) == 3  # nothing ticked since the moment: still sent
    assert len(_reminders(people["A"])) == 1


def test_a_deadline_moved_by_a_correction_notice_gets_its_own_reminder(app, clock, quoting):
    buyer, project, people = quoting
    assert reminders.tick(MOMENT) == 3
    clock.set(MOMENT + timedelta(hours=1))
    later = datetime(2025, 1, 3, 16, 0, tzinfo=BEIJING)
    from procurement.services import projects

    projects.amend(project, {"opening_at": later}, "开启时间顺延", "采购需求调整", buyer)
    assert reminders.tick(later - timedelta(hours=24, minutes=1)) == 0
    assert reminders.tick(later - timedelta(hours=23)) == 3
    assert [n.body.count("2025年1月3日 16:00") for n in _reminders(people["B"])] == [0, 1]


def test_moving_the_demo_clock_sends_what_is_due_at_the_new_time(app, clock, quoting):
    buyer, _, people = quoting
    client = app.test_client()
    AuthActions(client).login(buyer.email)
    assert _reminders(people["A"]) == []
    response = post_form(client, "/buyer/clock", {"shortcut": (MOMENT + timedelta(minutes=10)).isoformat()})
    assert response.status_code == 302
    assert clock.now() == MOMENT + timedelta(minutes=10)
    assert len(_reminders(people["A"])) == 1 and len(_reminders(people["B"])) == 1


def test_flask_reminders_tick_sends_once(app, clock, quoting, runner):
    _, _, people = quoting
    clock.set(MOMENT + timedelta(minutes=1))
    first = runner.invoke(args=["reminders", "tick"])
    assert first.exit_code == 0, first.output
    assert "3 reminder(s) sent" in first.output
    again = runner.invoke(args=["reminders", "tick"])
    assert "0 reminder(s) sent" in again.output
    assert len(_reminders(people["C"])) == 1


def test_the_embedded_default_ticks_after_a_response_at_most_once_a_minute(app, clock, quoting):
    from procurement.jobs import reminder_clock

    _, _, people = quoting
    app.config["REMINDERS_AFTER_RESPONSE"] = ""
    app.config["JOBS_RUN"] = "after_response"  # the embedded default: no Redis, jobs after the response
    assert reminder_clock.after_response_enabled(app)
    client = app.test_client()

    def get(path: str) -> int:
        """A request as a server serves it: its own app context, torn down before the response closes."""
        db.session.commit()  # the test's reads let go of SQLite's write lock
        return contextvars.Context().run(client.get, path).status_code

    clock.set(MOMENT + timedelta(minutes=1))
    assert get("/") == 200
    state = app.extensions["reminders.after_response"]
    assert state["ticks"] == 1
    assert len(_reminders(people["A"])) == 1
    db.session.execute(sa.delete(Notification))  # pretend nothing was sent: the next ticks would send again
    assert get("/") == 200 and get("/results") == 200
    assert state["ticks"] == 1 and _reminders(people["A"]) == []  # within the minute: no tick
    state["last"] -= 61
    assert get("/") == 200
    assert state["ticks"] == 2 and len(_reminders(people["A"])) == 1
    app.config["JOBS_RUN"] = "eager"
    assert not reminder_clock.after_response_enabled(app)  # with a worker's queue (or in tests) no request ticks


def test_the_ticks_reads_do_not_grow_with_the_registrants(app, clock):
    """1 registrant due, then 5 due (another project, a later deadline): the same statements."""
    buyer = make_buyer()
    small = make_project(buyer, clock, code="SMALL-1")
    large = make_project(buyer, clock, code="LARGE-5", opening_at=datetime(2025, 1, 7, 16, 0, tzinfo=BEIJING))
    for project, count in ((small, 1), (large, 5)):
        for index in range(count):
            user = make_supplier()
            registration = make_accepted_registration(project, user, clock)
            if index % 2 == 0:
                make_sealed_quote(registration, user, A_FIRST, clock)
    counts, logs = [], []
    with manual_jobs(app):
        for moment, expected in ((MOMENT, 1), (datetime(2025, 1, 6, 16, 0, tzinfo=BEIJING), 5)):
            with count_statements() as log:
                assert reminders.tick(moment) == expected
            counts.append(log.count)
            logs.append(log)
    assert counts[0] == counts[1], "\n\n".join(map(str, logs))


def test_a_tick_after_many_reminders_sent_loads_none_of_them(app, clock):
    """6 registrants reminded; the next tick's read returns no row (the keys are looked up in SQL),
    in as many statements as a tick before anything was due."""
    buyer = make_buyer()
    project = make_project(buyer, clock)
    for _ in range(6):
        make_accepted_registration(project, make_supplier(), clock)
    loaded = []
    original = reminder_reads.quote_deadlines

    def spy(now, lead):
        rows = original(now, lead)
        loaded.append(len(rows))
        return rows

    counts, logs = [], []
    with manual_jobs(app):
        reminder_reads.quote_deadlines = spy
        try:
            for moment, expected in ((MOMENT - timedelta(minutes=1), 0), (MOMENT, 6), (MOMENT + timedelta(hours=1), 0)):
                db.session.remove()  # each tick starts from an empty session, as the clock's does
                with count_statements() as log:
                    assert reminders.tick(moment) == expected
                counts.append(log.count)
                logs.append(log)
        finally:
            reminder_reads.quote_deadlines = original
    assert loaded == [0, 6, 0]
    assert counts[0] == counts[2], "\n\n".join(map(str, logs))
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.kind == kinds.QUOTE_DEADLINE_REMINDER)) == 6


@pytest.mark.parametrize("moment", [datetime(2025, 1, 2, 8, 0, tzinfo=timezone.utc), datetime(2025, 1, 2, 8, 0, 5, 120, tzinfo=timezone.utc)])
def test_the_keys_built_in_sql_are_the_ones_built_in_python(app, moment):
    """The reads match the reminders' keys in SQL: the same text as Python's on this database."""
    as_sql = db.session.scalar(sa.select(utc_isoformat(sa.literal(moment, UTCDateTime()))))
    assert as_sql == moment.isoformat()
    day = moment.date()
    assert db.session.scalar(sa.select(date_isoformat(sa.literal(day, sa.Date())))) == day.isoformat()
    beijing_too = moment.astimezone(BEIJING)
    assert reminder_reads.quote_key(7, beijing_too) == f"reminder:quote:7:{as_sql}"
