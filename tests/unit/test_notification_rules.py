"""When a reminder falls due (domain.notifications): its moment, the window until the deadline,
a short period reminded halfway, a Beijing day's end; and which kinds each role receives."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from procurement.domain import notifications as rules
from procurement.domain.schedule import BEIJING

DEADLINE = datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING)
DAY = timedelta(hours=24)


def test_a_reminder_is_due_from_its_moment_until_the_deadline_and_never_after():
    assert not rules.reminder_due(DEADLINE - DAY - timedelta(minutes=1), DEADLINE, DAY)
    assert rules.reminder_due(DEADLINE - DAY, DEADLINE, DAY)
    assert rules.reminder_due(DEADLINE - timedelta(minutes=1), DEADLINE, DAY)  # the moment passed unseen: still sent
    assert not rules.reminder_due(DEADLINE, DEADLINE, DAY)
    assert not rules.reminder_due(DEADLINE + timedelta(days=3), DEADLINE, DAY)


def test_the_lead_is_exact_for_a_long_period_and_halfway_for_a_short_one():
    long_ago = DEADLINE - timedelta(days=5)
    assert rules.reminder_moment(DEADLINE, DAY, opened=long_ago) == DEADLINE - DAY
    requested = DEADLINE - timedelta(hours=6)
    assert rules.reminder_moment(DEADLINE, DAY, opened=requested) == DEADLINE - timedelta(hours=3)
    assert not rules.reminder_due(requested + timedelta(minutes=5), DEADLINE, DAY, opened=requested)
    assert rules.reminder_moment(DEADLINE, DAY) == DEADLINE - DAY


def test_a_beijing_day_ends_at_midnight_beijing_time():
    end = rules.end_of_day(date(2025, 1, 17))
    assert end == datetime(2025, 1, 18, 0, 0, tzinfo=BEIJING)
    assert rules.reminder_moment(end, rules.CHALLENGE_ANSWER_LEAD) == datetime(2025, 1, 17, 0, 0, tzinfo=BEIJING)


def test_each_role_has_its_kinds_each_named_in_chinese():
    supplier = {kind.code for kind in rules.kinds_for("supplier")}
    assert {rules.REGISTRATION_CHECKED, rules.QUOTE_DEADLINE_REMINDER, rules.RESULT_PUBLISHED, rules.CHALLENGE_ANSWERED} <= supplier
    assert rules.JOB_FAILED not in supplier and rules.PANEL_APPOINTED not in supplier
    assert {kind.code for kind in rules.kinds_for("panel")} >= {rules.PANEL_APPOINTED, rules.EVALUATION_STARTED, rules.REPORT_READY}
    assert {kind.code for kind in rules.kinds_for("buyer")} >= {
        rules.CHALLENGE_FILED, rules.CHALLENGE_ANSWER_REMINDER, rules.EXPLANATION_SUBMITTED, rules.REPORT_SIGNED, rules.JOB_FAILED
    }
    for kind in rules.KINDS.values():
        assert kind.roles and any("\u4e00" <= ch <= "\u9fff" for ch in kind.label), kind
