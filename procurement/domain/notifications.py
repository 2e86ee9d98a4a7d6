"""What people are told and when (站内消息与提醒): the kinds of notification, who receives each, and
when a reminder falls due. Plain values only: the service decides nothing of this itself.

Reminders follow the project's frozen schedule and the one clock: a reminder is due from its
moment (its deadline less its lead time) until the deadline itself, so one whose moment passed
while nothing ticked is still sent as long as the deadline has not passed, and never after.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from procurement.domain import N_
from procurement.domain.schedule import BEIJING

SUPPLIER = "supplier"
PANEL = "panel"
BUYER = "buyer"


@dataclass(frozen=True)
class Kind:
    """A kind of notification: its code, its name on the settings page, who can receive it."""

    code: str
    label: str
    roles: frozenset[str]
    #: Whether a person may switch its e-mail off (every kind so far; in-app is always on).
    can_opt_out: bool = True


def _kind(code: str, label: str, *roles: str) -> Kind:
    return Kind(code, label, frozenset(roles))


REGISTRATION_CHECKED = "registration_checked"
PROJECT_AMENDED = "project_amended"
RFQ_CHANGED = "rfq_changed"
QUOTE_DEADLINE_REMINDER = "quote_deadline_reminder"
EXPLANATION_REQUESTED = "explanation_requested"
EXPLANATION_REMINDER = "explanation_reminder"
OPENING_RECORD = "opening_record"
RESULT_PUBLISHED = "result_published"
PROJECT_ENDED = "project_ended"
CHALLENGE_ANSWERED = "challenge_answered"
PANEL_APPOINTED = "panel_appointed"
EVALUATION_STARTED = "evaluation_started"
REPORT_READY = "report_ready"
CHALLENGE_FILED = "challenge_filed"
CHALLENGE_ANSWER_REMINDER = "challenge_answer_reminder"
EXPLANATION_SUBMITTED = "explanation_submitted"
REPORT_SIGNED = "report_signed"
JOB_FAILED = "job_failed"

#: Every kind, in the order the settings page lists them.
KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        _kind(REGISTRATION_CHECKED, N_("报名资格审核结果"), SUPPLIER),
        _kind(PROJECT_AMENDED, N_("更正公告"), SUPPLIER),
        _kind(RFQ_CHANGED, N_("询比价文件变更"), SUPPLIER),
        _kind(QUOTE_DEADLINE_REMINDER, N_("报价截止前24小时提醒"), SUPPLIER),
        _kind(EXPLANATION_REQUESTED, N_("异常低价书面说明要求"), SUPPLIER),
        _kind(EXPLANATION_REMINDER, N_("书面说明截止提醒"), SUPPLIER),
        _kind(OPENING_RECORD, N_("开标记录已公布"), SUPPLIER),
        _kind(RESULT_PUBLISHED, N_("成交结果（成交通知书、成交结果通知书）"), SUPPLIER),
        _kind(PROJECT_ENDED, N_("项目终止或流标"), SUPPLIER),
        _kind(CHALLENGE_ANSWERED, N_("质疑答复"), SUPPLIER),
        _kind(PANEL_APPOINTED, N_("被指定为询比价小组成员"), PANEL),
        _kind(EVALUATION_STARTED, N_("评审开始"), PANEL),
        _kind(REPORT_READY, N_("评审报告待确认签署"), PANEL),
        _kind(EXPLANATION_SUBMITTED, N_("供应商已提交异常低价说明"), BUYER, PANEL),
        _kind(CHALLENGE_FILED, N_("收到质疑"), BUYER),
        _kind(CHALLENGE_ANSWER_REMINDER, N_("质疑答复期限提醒"), BUYER),
        _kind(REPORT_SIGNED, N_("评审报告已全部签署"), BUYER),
        _kind(JOB_FAILED, N_("后台任务失败"), BUYER),
    )
}


def kinds_for(role: str) -> list[Kind]:
    """The kinds a person of ``role`` can receive, in the settings page's order."""
    return [kind for kind in KINDS.values() if role in kind.roles]


# --- reminders ------------------------------------------------------------------------------

#: The quote deadline reminder goes to every accepted registrant 24 hours before the deadline.
QUOTE_DEADLINE_LEAD = timedelta(hours=24)
#: The supplier is reminded of a written explanation 24 hours before it falls due.
EXPLANATION_LEAD = timedelta(hours=24)
#: Buyer staff are reminded of a challenge's answer 24 hours before the answer falls due
#: (its last day ends at 24:00 Beijing time: the reminder comes as that day begins).
CHALLENGE_ANSWER_LEAD = timedelta(hours=24)


def reminder_moment(deadline: datetime, lead: timedelta, opened: datetime | None = None) -> datetime:
    """When the reminder of ``deadline`` falls due: ``lead`` before it.

    ``opened`` is when the period began (the request, the filing): a period shorter than twice
    the lead is reminded halfway through instead, so the reminder never repeats the request
    that set the deadline a moment ago. Without ``opened`` the lead is exact.
    """
    if opened is not None and deadline - opened < 2 * lead:
        return opened + (deadline - opened) / 2
    return deadline - lead


def reminder_due(now: datetime, deadline: datetime, lead: timedelta, opened: datetime | None = None) -> bool:
    """Whether the reminder is due at ``now``: from its moment until (not at) the deadline."""
    return reminder_moment(deadline, lead, opened) <= now < deadline


def end_of_day(day: date) -> datetime:
    """The instant a Beijing calendar day ends (24:00, i.e. the next day's 00:00), aware."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), BEIJING)
