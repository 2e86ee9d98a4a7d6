"""Reminders from the clock (提醒): :func:`tick` sends every reminder due at ``clock.now()``, once.

The moments follow each project's frozen schedule and the one clock (``procurement.clock``: the
demo's simulated clock drives them too), never the wall time of whatever runs the tick:

- 24 hours before the quote deadline (the opening time), every accepted registrant: those
  without a current quote are told they have none, the others which version counts (its number
  and time, never its amount);
- before a written explanation falls due, the supplier asked for it (24 hours before; halfway
  through a shorter period);
- before a challenge's answer falls due, buyer staff (24 hours before its last day ends, i.e.
  as that day begins in Beijing).

A reminder is due from its moment until its deadline, so one whose moment passed while nothing
ticked is still sent while the deadline is ahead; idempotency keys (the deadline in each) make
every tick after the first send nothing more, and a moved deadline (a correction notice) its
own reminder. The reads leave out, in SQL, whoever was already reminded of the deadline, so a
tick loads no more rows for the reminders sent before (``notifications.deliver`` still checks
the keys it is given). What runs the tick: ``flask reminders tick`` (``--every SECONDS`` in production),
the demo clock's page after moving the time, and, in the embedded default, this process after
a response at most once a minute (``procurement.jobs.reminder_clock``).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from procurement import clock
from procurement.domain import N_
from procurement.domain import notifications as kinds
from procurement.domain.notifications import (
    CHALLENGE_ANSWER_LEAD,
    EXPLANATION_LEAD,
    QUOTE_DEADLINE_LEAD,
    end_of_day,
    reminder_due,
)
from procurement.extensions import db
from procurement.formatting import cn_date, cn_datetime, translate
from procurement.queries import reminders as reads
from procurement.services.notifications import Delivery, Message, deliver, link_to
from procurement.services.notify_suppliers import named
from procurement.services.unit_of_work import command

#: Serialises ticks on PostgreSQL (two nodes ticking at once: the second waits, then finds the
#: first one's keys). SQLite's BEGIN IMMEDIATE already does.
TICK_LOCK = 0x7265_6D69  # "remi"


def _serialise() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(TICK_LOCK)))


@command
def tick(now: datetime | None = None) -> int:
    """Send every reminder due at ``now`` (default ``clock.now()``) not sent before; how many were new."""
    _serialise()
    now = now or clock.now()
    deliveries = _quote_deadlines(now) + _explanations(now) + _answers(now)
    return deliver(deliveries)


def _quote_deadlines(now: datetime) -> list[Delivery]:
    deliveries = []
    for row in reads.quote_deadlines(now, QUOTE_DEADLINE_LEAD):
        project = row.project
        if not reminder_due(now, project.opening_at, QUOTE_DEADLINE_LEAD):
            continue
        values = {"project": named(project), "deadline": cn_datetime(project.opening_at)}
        if row.version is None:
            body = translate(
                N_("“%(project)s”的报价将于 %(deadline)s（北京时间）截止。贵公司目前没有有效的报价%(withdrawn)s，截止后将不再接受报价；如需参加，请在截止前提交。"),
                values | {"withdrawn": translate(N_("（此前提交的报价已撤回）")) if row.withdrawn else ""},
            )
        else:
            body = translate(
                N_("“%(project)s”的报价将于 %(deadline)s（北京时间）截止。贵公司当前有效的报价为第 %(version)s 版（提交于 %(at)s），截止时以最后提交的一版为准；截止前仍可修改或撤回。"),
                values | {"version": row.version, "at": cn_datetime(row.submitted_at)},
            )
        message = Message(
            kind=kinds.QUOTE_DEADLINE_REMINDER,
            title=translate(N_("报价截止提醒：%(project)s"), {"project": project.code}),
            body=body,
            key=reads.quote_key(row.registration_id, project.opening_at),
            link=link_to("supplier.quote_sheet", project_id=project.id),
            project_id=project.id,
        )
        deliveries.append(Delivery(row.user, message))
    return deliveries


def _explanations(now: datetime) -> list[Delivery]:
    deliveries = []
    for row in reads.explanations_due(now):
        review, project = row.review, row.project
        if not reminder_due(now, review.due_at, EXPLANATION_LEAD, opened=review.requested_at):
            continue
        message = Message(
            kind=kinds.EXPLANATION_REMINDER,
            title=translate(N_("书面说明截止提醒：%(project)s"), {"project": project.code}),
            body=translate(
                N_("询比价小组要求贵公司就“%(project)s”的报价作出的书面说明将于 %(due)s（北京时间）截止，贵公司尚未提交。逾期未说明的，小组将据实作出决定。"),
                {"project": named(project), "due": cn_datetime(review.due_at)},
            ),
            key=reads.explanation_key(review.id, review.due_at),
            link=link_to("supplier.explanation", project_id=project.id),
            project_id=project.id,
        )
        deliveries.append(Delivery(row.user, message))
    return deliveries


def _answers(now: datetime) -> list[Delivery]:
    messages: dict[int, Message] = {}
    deliveries = []
    for row in reads.answers_due(now):
        challenge, project = row.challenge, row.project
        if not reminder_due(now, end_of_day(challenge.answer_due_on), CHALLENGE_ANSWER_LEAD, opened=challenge.filed_at):
            continue
        message = messages.get(challenge.id)
        if message is None:
            message = messages[challenge.id] = Message(
                kind=kinds.CHALLENGE_ANSWER_REMINDER,
                title=translate(N_("质疑答复期限提醒：%(project)s"), {"project": project.code}),
                body=translate(
                    N_("%(supplier)s 于 %(filed)s 对“%(project)s”提出的质疑尚未答复，答复期限为 %(due)s（当日24时止），请及时书面答复。"),
                    {
                        "supplier": row.supplier,
                        "filed": cn_date(challenge.filed_at),
                        "project": named(project),
                        "due": cn_date(challenge.answer_due_on),
                    },
                ),
                key=reads.challenge_key(challenge.id, challenge.answer_due_on),
                link=link_to("buyer.challenge", challenge_id=challenge.id),
                project_id=project.id,
            )
        deliveries.append(Delivery(row.user, message))
    return deliveries
