"""Builders for test data, through the services where a rule applies (so the audit trail is real)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from stdnum.cn import ric, uscc

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import Company, User
from procurement.services import accounts, projects

PASSWORD = "password123"
_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def valid_uscc(division: str = "540102", serial: str | None = None) -> str:
    """A valid USCC registered in ``division``."""
    serial = serial or f"MA6T{_next():05d}"
    body = "91" + division + serial[:9].ljust(9, "0")
    return body + uscc.calc_check_digit(body)


def valid_id(division: str = "540102", birth: str = "19850101", serial: str | None = None) -> str:
    """A valid resident ID number."""
    body = division + birth + (serial or f"{_next() % 1000:03d}")
    return body + ric.calc_check_digit(body)


def make_buyer(email: str = "buyer@example.com", name: str = "措姆") -> User:
    """A buyer staff account."""
    return accounts.create_buyer(email, PASSWORD, name)


def make_panel(email: str | None = None, name: str | None = None) -> User:
    """A panel member account."""
    n = _next()
    user = accounts.create_user(email or f"panel{n}@example.com", PASSWORD, "panel", name or f"评委{n}", actor=False)
    db.session.commit()
    return user


def make_supplier(
    email: str | None = None,
    company_name: str | None = None,
    *,
    division: str = "540102",
    premises_division: str = "540102",
    complete: bool = True,
) -> User:
    """A supplier account with (by default) a complete company profile."""
    n = _next()
    user = accounts.sign_up_supplier(email or f"supplier{n}@example.com", PASSWORD, company_name or f"拉萨测试商贸{n}有限公司", f"联系人{n}")
    if complete:
        company: Company = user.company
        company.uscc = valid_uscc(division)
        company.registered_address = "西藏自治区拉萨市城关区测试路 1 号"
        company.premises_division = premises_division
        company.premises_address = "城关区北京中路 1 号"
        company.legal_rep_name = "次仁"
        company.legal_rep_id_number = valid_id()
        company.contact_name = "次仁"
        company.contact_mobile = "13908910001"
        db.session.commit()
    return user


NOTICE_DATA = {
    "code": "TEST-001",
    "title": "西藏日报社遴选2025年办公用品供应商项目",
    "buyer_name": "西藏日报社",
    "method": "询比价",
    "contract_term": "自合同签订之日起1年",
    "requirements_text": "具体详见询比价文件及公告",
    "specific_requirement": "在拉萨有固定的实体经营场所",
    "registration_place": "西藏传媒集团二楼",
    "registration_documents_text": "",
    "opening_place": "西藏传媒集团二楼会议室",
    "opening_at": datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING),
    "contact_name": "措姆女士",
    "contact_phone": "13618906639",
}

ITEMS = [
    projects.ItemData("复印纸", "A4 70g", "包", Decimal("100"), Decimal("30.00")),
    projects.ItemData("硒鼓", "CF228A", "个", Decimal("10"), Decimal("450.00")),
    projects.ItemData("中性笔", "0.5mm 黑", "盒", Decimal("20"), None),
]


def make_project(buyer: User, clock=None, *, publish: bool = True, published_at: datetime | None = None, **overrides):
    """A project like the notice's (three lines), published on 2024-12-25 09:00 by default.

    ``clock`` (the test's FixedClock) is moved to the publication time and back.
    """
    items = overrides.pop("items", None) or ITEMS
    data = dict(NOTICE_DATA)
    data["code"] = overrides.pop("code", f"TEST-{_next():03d}")
    data.update(overrides)
    project = projects.create_project(data, list(items), buyer)
    if publish:
        before = clock.now() if clock else None
        if clock:
            clock.set(published_at or datetime(2024, 12, 25, 9, 0, tzinfo=BEIJING))
        projects.publish(project, buyer)
        if clock:
            clock.set(before)
    return project
