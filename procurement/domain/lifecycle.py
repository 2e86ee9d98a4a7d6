"""The project lifecycle: the stored statuses and the transitions allowed between them.

Event states (published, opened, evaluated, awarded, cancelled, failed) are stored with who and
when; time-driven phases (registration open, quoting, deadline passed, closed after the challenge
period) are derived from the frozen schedule and the clock and are never stored (design.md §2).
Every service changes a project's status through :func:`check_transition`, so a transition that
is not listed here cannot happen anywhere.
"""
from __future__ import annotations

from procurement.domain import DomainError, N_

DRAFT = "draft"
PUBLISHED = "published"
OPENED = "opened"
EVALUATED = "evaluated"
AWARDED = "awarded"
CANCELLED = "cancelled"
FAILED = "failed"

STATUSES: tuple[str, ...] = (DRAFT, PUBLISHED, OPENED, EVALUATED, AWARDED, CANCELLED, FAILED)

#: The statuses a project can move to from each status. Ended projects (cancelled, failed) move
#: nowhere. An awarded project can still be terminated (终止) once every candidate has declined
#: or been found ineligible; the award service decides that condition, this table allows it.
TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({PUBLISHED}),
    PUBLISHED: frozenset({OPENED, CANCELLED}),
    OPENED: frozenset({EVALUATED, FAILED, CANCELLED}),
    EVALUATED: frozenset({AWARDED, FAILED, CANCELLED}),
    AWARDED: frozenset({CANCELLED}),
    CANCELLED: frozenset(),
    FAILED: frozenset(),
}

#: Statuses in which a project has ended for everyone (a termination notice exists or will).
ENDED: frozenset[str] = frozenset({CANCELLED, FAILED})


class TransitionError(DomainError):
    """A status change the lifecycle does not allow."""

    code = "transition_not_allowed"


def allowed(current: str, target: str) -> bool:
    """Whether a project in ``current`` may move to ``target``."""
    return target in TRANSITIONS.get(current, frozenset())


def check_transition(current: str, target: str) -> None:
    """Refuse a transition the lifecycle does not list.

    :raise TransitionError: naming both statuses; unknown statuses are refused too.
    """
    if current not in TRANSITIONS or target not in TRANSITIONS:
        raise TransitionError(N_("未知的项目状态：%(current)s → %(target)s。"), current=current, target=target)
    if not allowed(current, target):
        raise TransitionError(
            N_("项目当前状态（%(current)s）不能变为 %(target)s。"), current=current, target=target
        )
