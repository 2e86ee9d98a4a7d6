"""An opened project, built by the services: registrations, sealed quotes, the opening, the panel.

The clock is moved through the project's life: published 2024-12-25 09:00, registrations on
2024-12-26 10:00, quotes on 2024-12-31 10:00, the opening at 2025-01-02 16:05 (after the 16:00
opening time), the panel seated then; it is left at 16:30 on opening day (REVIEW_AT).
"""
from __future__ import annotations

from datetime import datetime

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import Project, User
from procurement.services import evaluation, opening
from procurement.services.quotes import QuoteSheetInvalid
from tests.factories.projects import make_project
from tests.factories.quotes import QUOTE_AT, make_sealed_quote, seal_unchecked_quote
from tests.factories.registrations import REGISTRATION_OPEN_AT, register_accepted
from tests.factories.rows import CompanyFactory, PanelFactory, SupplierFactory
from tests.factories.timing import move, moved, the_clock

OPENED_AT = datetime(2025, 1, 2, 16, 5, tzinfo=BEIJING)
REVIEW_AT = datetime(2025, 1, 2, 16, 30, tzinfo=BEIJING)
BEFORE_OPENING_AT = datetime(2025, 1, 2, 10, 0, tzinfo=BEIJING)


class SupplierSpec:
    """One supplier of :func:`make_opened_project`: its name, unit prices (ITEMS order) and divisions,
    or an existing supplier ``user`` (its company as it is) to register."""

    def __init__(
        self,
        name: str | None,
        prices,
        *,
        division: str = "540102",
        premises_division: str = "540102",
        registered_address: str | None = None,
        user: User | None = None,
    ):
        self.name = name
        self.prices = tuple(prices)
        self.division = division
        self.premises_division = premises_division
        self.registered_address = registered_address
        self.user = user


# Like the demo: supplier 4 is registered in Shigatse (a warning for the panel to look at),
# supplier 5's name is the one a credit list may carry with full-width brackets.
# Totals for ITEMS (复印纸 100, 硒鼓 10, 中性笔 20): 7,130.00 / 7,270.00 / 7,400.00 / 7,010.00 / 6,850.00.
OPENED_SUPPLIERS = (
    SupplierSpec("拉萨雪域办公用品有限公司", ("25.00", "420.00", "21.50")),
    SupplierSpec("西藏圣地文化用品有限公司", ("26.00", "410.00", "28.50")),
    SupplierSpec("拉萨吉祥商贸有限责任公司", ("27.00", "420.00", "25.00"), division="540103", premises_division="540103"),
    SupplierSpec("日喀则珠峰办公设备有限公司", ("24.00", "430.00", "15.50"), division="540202"),
    SupplierSpec("拉萨(高原)纸业有限公司", ("23.50", "425.00", "12.50")),
)


class OpenedProject:
    """What :func:`make_opened_project` built, in input order."""

    def __init__(self, project, buyer, suppliers, registrations, quotes, panel, members):
        self.project = project
        self.buyer = buyer
        self.suppliers = suppliers
        self.registrations = registrations
        self.quotes = quotes  # the OpenedQuote of each supplier
        self.panel = panel  # panel accounts (User)
        self.members = members  # their PanelMember seats


def supplier_for(spec: SupplierSpec) -> User:
    """A supplier account whose company matches ``spec`` (name, divisions, address), or ``spec.user``."""
    if spec.user is not None:
        return spec.user
    company = {"division": spec.division, "premises_division": spec.premises_division}
    if spec.name:
        company["name"] = spec.name
    if spec.registered_address:
        company["registered_address"] = spec.registered_address
    return SupplierFactory(company=CompanyFactory(**company))


def make_opened_registration(project, spec: SupplierSpec, *, at: datetime = REGISTRATION_OPEN_AT, clock=None):
    """A supplier registered and accepted through the service at ``at`` (stamped scans, real checks).

    The clock (the app's when ``clock`` is ``None``) is moved to ``at`` and back.
    """
    user = supplier_for(spec)
    return user, register_accepted(project, user, clock, at=at)


def appoint_panel(project, names=("格桑", "陈静", "索朗"), *, chair: int = 0, declare: bool = False, at: datetime = OPENED_AT, clock=None):
    """Panel accounts appointed through the service by the project's buyer (chair: index ``chair``).

    ``declare`` has each member declare "no conflict" (the service allows it once the project is
    opened). The clock (the app's when ``clock`` is ``None``) is moved to ``at`` and back.
    """
    buyer = db.session.get(User, project.created_by_id)
    users, members = [], []
    with moved(clock, at):
        for index, name in enumerate(names):
            user = PanelFactory(name=name)
            users.append(user)
            members.append(evaluation.appoint_member(project, user, buyer, chair=index == chair))
        if declare:
            for user, member in zip(users, members):
                evaluation.declare(member, False, None, user)
    return users, members


def open_quotes(project: Project, buyer: User, clock=None, *, at: datetime = OPENED_AT):
    """Open the project's quotes through the service at ``at`` (the clock is left there); the OpenedQuotes."""
    move(the_clock(clock), at)
    return opening.open_quotes(project.id, buyer)


def make_opened_project(
    buyer: User,
    clock,
    *,
    suppliers=OPENED_SUPPLIERS,
    panel=("格桑", "陈静", "索朗"),
    declare: bool = False,
    start: bool = False,
    before_opening=None,
    **overrides,
) -> OpenedProject:
    """A project like the notice's in state ``opened``, its clock left at REVIEW_AT (16:30 on opening day).

    ``clock`` is the test's FixedClock or the live server's SimulatedClock (anything with
    ``set(aware_dt)``). ``before_opening(project)`` runs at 2025-01-02 10:00, after the quotes
    (say, to import a credit list that the review-time re-run should catch). ``panel`` names the
    members (first is chair; empty for none); ``declare`` records their "no conflict"; ``start``
    starts the evaluation. Every step is a service call, except a quote whose prices the
    submission refuses (over a ceiling), which is sealed by :func:`seal_unchecked_quote`.
    """
    project = make_project(buyer, clock, **overrides)
    users, registrations = [], []
    for spec in suppliers:
        user, registration = make_opened_registration(project, spec, clock=clock)
        users.append(user)
        registrations.append(registration)
    for user, registration, spec in zip(users, registrations, suppliers):
        try:
            make_sealed_quote(registration, user, spec.prices, clock, at=QUOTE_AT)
        except QuoteSheetInvalid:  # over a ceiling: the service refuses it, see seal_unchecked_quote
            seal_unchecked_quote(registration, user, spec.prices, clock, at=QUOTE_AT)
    if before_opening is not None:
        move(clock, BEFORE_OPENING_AT)
        before_opening(project)
    opened = {record.registration_id: record for record in open_quotes(project, buyer, clock)}
    panel_users, members = appoint_panel(project, panel, declare=declare, clock=clock) if panel else ([], [])
    move(clock, REVIEW_AT)
    if start:
        evaluation.start_evaluation(project, buyer)
    quotes = [opened[registration.id] for registration in registrations]
    return OpenedProject(project, buyer, users, registrations, quotes, panel_users, members)

