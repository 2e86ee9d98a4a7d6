"""Quorum opening: officials with opening keys, a project published in quorum mode, shares supplied.

Every step is the services': ``opening_keys.set_up``, ``quorum_setup.set_opening_mode``, the
publication, ``quorum_opening.supply_share`` at the opening time. The factories of the other
modules keep building server-key projects.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from procurement.models import Project, User
from procurement.services import opening_keys, quorum_opening, quorum_setup
from tests.factories.opening import OPENED_AT
from tests.factories.projects import make_project
from tests.factories.rows import PanelFactory
from tests.factories.timing import move, moved, the_clock

# Strong enough for zxcvbn, none an account's own words.
PASSPHRASES = ("珠峰 yak butter 7391", "lhasa-river-kettle-58", "potala sunrise drum 44", "barley wind notebook 19", "snow lion kettle 620")


@dataclass
class Official:
    """An opening official and the passphrase of their opening key."""

    user: User
    passphrase: str


@dataclass
class QuorumProject:
    """What :func:`make_quorum_project` built: the project and its officials, in share order."""

    project: Project
    officials: list[Official]


def give_opening_key(user: User, passphrase: str | None = None) -> Official:
    """Set up ``user``'s opening key through the service; the official with its passphrase."""
    passphrase = passphrase or PASSPHRASES[user.id % len(PASSPHRASES)]
    opening_keys.set_up(user, passphrase)
    return Official(user, passphrase)


def make_officials(buyer: User, count: int = 3) -> list[Official]:
    """The buyer and ``count - 1`` panel accounts, each with an opening key (distinct passphrases)."""
    users = [buyer] + [PanelFactory() for _ in range(count - 1)]
    return [give_opening_key(user, PASSPHRASES[index]) for index, user in enumerate(users)]


def make_quorum_project(
    buyer: User, clock=None, *, officials: list[Official] | None = None, threshold: int = 2, publish: bool = True, **overrides
) -> QuorumProject:
    """A project like the notice's, in quorum mode (default: the buyer and two panel accounts, 2 of 3),
    published through the service on 2024-12-25 09:00 (unless ``publish`` is false)."""
    officials = officials if officials is not None else make_officials(buyer)
    project = make_project(buyer, clock, publish=False, **overrides)
    quorum_setup.set_opening_mode(project, "quorum", [official.user.id for official in officials], threshold, buyer)
    if publish:
        from procurement.services import projects
        from tests.factories.projects import PUBLISHED_AT

        with moved(clock, PUBLISHED_AT):
            projects.publish(project, buyer)
    return QuorumProject(project, officials)


def supply(project: Project, official: Official, clock=None, *, at: datetime | None = OPENED_AT):
    """``official`` enters the passphrase at ``at`` (the clock is left there; ``None``: not moved)."""
    if at is not None:
        move(the_clock(clock), at)
    return quorum_opening.supply_share(project.id, official.user, official.passphrase)


def open_demo(project: Project) -> list:
    """Open the demo project as its officials would: the buyer and panel1 enter their demo passphrases
    (the clock must be at or after the opening time); the opened quotes."""
    import sqlalchemy as sa

    from procurement.demo import DEMO_PASSPHRASES
    from procurement.extensions import db

    outcome = None
    for email in ("buyer@example.com", "panel1@example.com"):
        user = db.session.scalar(sa.select(User).where(User.email == email))
        outcome = quorum_opening.supply_share(project.id, user, DEMO_PASSPHRASES[email])
    return outcome.opened
