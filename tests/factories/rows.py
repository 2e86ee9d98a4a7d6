"""factory_boy factories for the rows: accounts of each role, companies, draft projects with their
bill of quantities, credit-list versions and entries.

Every factory writes through the Flask-SQLAlchemy session of the running app and commits, like a
service would. Accounts are the one row a service must write (the password is hashed the way the
configuration says, and ``account.create`` is audited), so the account factories save through
``accounts.create_user`` — factory_boy's documented pattern for a model with a "create user"
manager. Everything else is a plain row; the states that follow rules (published, registered,
quoted, opened, evaluated) are built by the services in the sibling modules.

    BuyerFactory()                                   # buyer staff, buyer1@example.com …
    SupplierFactory(company__premises_division="540103")
    SupplierFactory(company__incomplete=True)        # signed up, profile not filled in
    ProjectFactory(buyer=buyer, code="P-1")          # a draft with the notice's three lines
"""
from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory
from stdnum.cn import ric, uscc

from procurement import clock
from procurement.domain.credit import normalise_name
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import (
    ROLE_BUYER,
    ROLE_PANEL,
    ROLE_SUPPLIER,
    STATUS_DRAFT,
    BlacklistEntry,
    BlacklistImport,
    BoqItem,
    Company,
    Project,
    User,
)
from procurement.services import accounts

PASSWORD = "tashi-delek-2025"
_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def valid_uscc(division: str = "540102", serial: str | None = None) -> str:
    """A valid USCC registered in ``division`` (python-stdnum computes the check character).

    The default serials (MA6W…) stay clear of the demo's (MA6T000k + k) and the factories' (MA6F…).
    """
    serial = serial or f"MA6W{_next():05d}"
    body = "91" + division + serial[:9].ljust(9, "0")
    return body + uscc.calc_check_digit(body)


def valid_id(division: str = "540102", birth: str = "19850101", serial: str | None = None) -> str:
    """A valid resident ID number."""
    body = division + birth + (serial or f"{_next() % 1000:03d}")
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit


class ModelFactory(SQLAlchemyModelFactory):
    """Base: the app's session, committed after each row (the tests read them from other requests)."""

    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731  (the session of the current app)
        sqlalchemy_session_persistence = "commit"


# --- accounts and companies -------------------------------------------------------------------


class CompanyFactory(ModelFactory):
    """A supplier company in Lhasa with a complete profile and a valid USCC (one per sequence number)."""

    class Meta:
        model = Company

    class Params:
        division = "540102"  # where the company is registered (the USCC's division)
        incomplete = factory.Trait(
            uscc=None,
            registered_address=None,
            premises_division=None,
            premises_address=None,
            legal_rep_name=None,
            legal_rep_id_number=None,
            contact_mobile=None,
        )

    name = factory.Sequence(lambda n: f"拉萨测试商贸{n}有限公司")
    uscc = factory.LazyAttributeSequence(lambda o, n: valid_uscc(o.division, f"MA6F{n:05d}"))
    registered_address = "西藏自治区拉萨市城关区测试路 1 号"
    premises_division = "540102"
    premises_address = "城关区北京中路 1 号"
    legal_rep_name = "次仁"
    legal_rep_id_number = factory.LazyFunction(valid_id)
    contact_name = factory.Sequence(lambda n: f"联系人{n}")
    contact_mobile = "13908910001"
    created_at = factory.LazyFunction(clock.now)


class UserFactory(ModelFactory):
    """An account, saved through ``accounts.create_user`` (hashed password, ``account.create`` audited)."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = PASSWORD
    role = ROLE_BUYER
    name = factory.Sequence(lambda n: f"用户{n}")
    phone = None
    company = None

    @classmethod
    def _save(cls, model_class, session, args, kwargs):
        user = accounts.create_user(
            kwargs.pop("email"), kwargs.pop("password"), kwargs.pop("role"), kwargs.pop("name"), actor=False, **kwargs
        )
        session.commit()
        return user


class BuyerFactory(UserFactory):
    """Buyer staff (采购人)."""

    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    role = ROLE_BUYER
    name = "措姆"


class PanelFactory(UserFactory):
    """A panel member's account (评审人员)."""

    email = factory.Sequence(lambda n: f"panel{n}@example.com")
    role = ROLE_PANEL
    name = factory.Sequence(lambda n: f"评委{n}")


class SupplierFactory(UserFactory):
    """A supplier's clerk with its company (complete profile unless ``company__incomplete=True``)."""

    email = factory.Sequence(lambda n: f"supplier{n}@example.com")
    role = ROLE_SUPPLIER
    company = factory.SubFactory(CompanyFactory)
    name = factory.SelfAttribute("company.contact_name")


# --- projects ---------------------------------------------------------------------------------


class BoqItemFactory(ModelFactory):
    """A bill-of-quantities line; normally built inside :class:`ProjectFactory`, not saved alone."""

    class Meta:
        model = BoqItem

    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"办公用品{n}")
    specification = ""
    unit = "个"
    quantity = Decimal("10")
    ceiling_unit_price = None


# The notice's three lines (复印纸 100 包, 硒鼓 10 个, 中性笔 20 盒; the pens have no ceiling price).
NOTICE_LINES = (
    ("复印纸", "A4 70g", "包", Decimal("100"), Decimal("30.00")),
    ("硒鼓", "CF228A", "个", Decimal("10"), Decimal("450.00")),
    ("中性笔", "0.5mm 黑", "盒", Decimal("20"), None),
)


def boq_lines(lines=NOTICE_LINES) -> list[BoqItem]:
    """Unsaved BoqItem rows, positions from 1, from (name, specification, unit, quantity, ceiling) tuples
    or ``projects.ItemData``."""
    return [
        BoqItemFactory.build(
            position=position, name=name, specification=specification, unit=unit, quantity=quantity, ceiling_unit_price=ceiling
        )
        for position, (name, specification, unit, quantity, ceiling) in enumerate(lines, start=1)
    ]


class ProjectFactory(ModelFactory):
    """A draft project like the notice's (西藏日报社, opening 2025-01-02 16:00) with its three lines.

    ``buyer`` (a User, created when not given) is who created it; ``lines`` the bill of quantities.
    Publication and what follows are the services' (see ``tests.factories.projects.make_project``).
    """

    class Meta:
        model = Project
        exclude = ("buyer", "lines")

    buyer = factory.SubFactory(BuyerFactory)
    lines = NOTICE_LINES

    code = factory.Sequence(lambda n: f"TEST-{n:03d}")
    title = "西藏日报社遴选2025年办公用品供应商项目"
    buyer_name = "西藏日报社"
    method = "询比价"
    contract_term = "自合同签订之日起1年"
    requirements_text = "具体详见询比价文件及公告"
    specific_requirement = "在拉萨有固定的实体经营场所"
    registration_place = "西藏传媒集团二楼"
    registration_documents_text = ""
    opening_place = "西藏传媒集团二楼会议室"
    opening_at = datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING)
    contact_name = "措姆女士"
    contact_phone = "13618906639"
    status = STATUS_DRAFT
    created_by_id = factory.SelfAttribute("buyer.id")
    created_at = factory.LazyFunction(clock.now)
    updated_at = factory.SelfAttribute("created_at")
    items = factory.LazyAttribute(lambda o: boq_lines(o.lines))


# --- credit lists -----------------------------------------------------------------------------


class BlacklistImportFactory(ModelFactory):
    """A version of one credit list (no entries unless given); imports with rules go through ``credit``."""

    class Meta:
        model = BlacklistImport

    list_kind = "dishonest_debtor"
    imported_at = factory.LazyFunction(clock.now)
    imported_by_id = None
    source_filename = factory.Sequence(lambda n: f"list{n}.csv")
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.source_filename.encode()).hexdigest())
    row_count = 0


class BlacklistEntryFactory(ModelFactory):
    """One listed company in a list version (its version created when not given)."""

    class Meta:
        model = BlacklistEntry

    list_import = factory.SubFactory(BlacklistImportFactory)
    list_kind = factory.SelfAttribute("list_import.list_kind")
    name = factory.Sequence(lambda n: f"某地失信商贸{n}有限公司")
    normalised_name = factory.LazyAttribute(lambda o: normalise_name(o.name))
    uscc = factory.LazyAttributeSequence(lambda o, n: valid_uscc("110105", f"MA0B{n:05d}"))
    source = "信用中国"
    listed_from = None
    listed_until = None

