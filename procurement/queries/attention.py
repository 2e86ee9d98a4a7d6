"""What needs attention (待办事项): the to-do items every role's home lists, and their order.

An item says which project, what is to be done (or what the reader waits for), by when, and
where to go to act. Who must act is the reader (``mine``) or someone else (a panel member who
has not signed, a supplier that owes an explanation): the reader's own items come first, each
group ordered by :func:`procurement.domain.urgency.urgency_key`. The role's page models build
the items: ``attention_buyer``, ``attention_panel`` and the supplier's home
(``attention_supplier``), each in a number of statements that does not grow with its rows.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from procurement.domain.urgency import TimeLeft, end_of_day, time_left, urgency_key
from procurement.models import Project

#: Time left under which a due time is shown as close (amber rather than grey).
SOON = timedelta(days=1)


@dataclass(frozen=True)
class AttentionItem:
    """One to-do: what, for which project, by when, and the link to the place to act.

    ``due`` is the aware instant the item falls due (for a date deadline, ``due_on``, the end of
    that Beijing day); ``since`` when the wait began, for items without a due time. ``what`` and
    ``detail`` are untranslated templates (``N_``) filled with ``params`` / ``detail_params`` in
    the reader's language (names and dates as ``procurement.formatting.translate`` shows them);
    ``action``, ``due_label`` and ``since_label`` are untranslated labels; ``note`` is text kept
    as it is (a job's error).
    """

    project: Project
    kind: str
    what: str
    url: str
    action: str
    mine: bool
    params: dict = field(default_factory=dict)
    due: datetime | None = None
    due_on: date | None = None
    due_label: str = ""
    since: datetime | None = None
    since_label: str = ""
    detail: str = ""
    detail_params: dict = field(default_factory=dict)
    note: str = ""
    left: TimeLeft | None = None
    tone: str = "secondary"
    broken: bool = False
    order: tuple = field(default=(), compare=False, repr=False)

    @property
    def overdue(self) -> bool:
        """Whether its due time has passed."""
        return self.left is not None and self.left.overdue


def item(
    now: datetime,
    project: Project,
    kind: str,
    what: str,
    url: str,
    action: str,
    *,
    mine: bool,
    params: dict | None = None,
    due: datetime | None = None,
    due_on: date | None = None,
    due_label: str = "",
    since: datetime | None = None,
    since_label: str = "",
    detail: str = "",
    detail_params: dict | None = None,
    note: str = "",
    broken: bool = False,
) -> AttentionItem:
    """An item with its time left (or overdue) and its place in the order, relative to ``now``."""
    if due_on is not None:
        due = end_of_day(due_on)
    left = time_left(now, due) if due is not None else None
    if broken or (left is not None and left.overdue):
        tone = "danger"
    elif due is not None and due - now <= SOON:
        tone = "warning"
    else:
        tone = "secondary"
    return AttentionItem(
        project=project,
        kind=kind,
        what=what,
        url=url,
        action=action,
        mine=mine,
        params=params or {},
        due=due,
        due_on=due_on,
        due_label=due_label,
        since=since,
        since_label=since_label,
        detail=detail,
        detail_params=detail_params or {},
        note=note,
        left=left,
        tone=tone,
        broken=broken,
        order=urgency_key(now, mine=mine, due=due, since=since, broken=broken) + (project.id, kind),
    )


def ordered(items: Iterable[AttentionItem]) -> tuple[AttentionItem, ...]:
    """The items in reading order: the reader's own first, each group by urgency."""
    return tuple(sorted(items, key=lambda entry: entry.order))


@dataclass(frozen=True)
class Attention:
    """A role's to-do list."""

    items: tuple[AttentionItem, ...]

    @property
    def mine(self) -> tuple[AttentionItem, ...]:
        """The items the reader must act on."""
        return tuple(entry for entry in self.items if entry.mine)

    @property
    def waiting(self) -> tuple[AttentionItem, ...]:
        """The items the reader waits for others on."""
        return tuple(entry for entry in self.items if not entry.mine)

    @property
    def overdue(self) -> int:
        """How many of the reader's own items are overdue."""
        return sum(1 for entry in self.mine if entry.overdue)


def names(people: Iterable) -> list[str]:
    """Panel members' names, as a message parameter (joined 甲、乙 or "A, B" in the reader's language)."""
    return [member.user.name for member in people]
