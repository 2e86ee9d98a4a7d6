"""Projects: a draft is a row (:class:`ProjectFactory`); publication is the service's."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from procurement.domain.schedule import BEIJING
from procurement.models import Project, User
from procurement.services import projects
from tests.factories.rows import ProjectFactory
from tests.factories.timing import moved

PUBLISHED_AT = datetime(2024, 12, 25, 9, 0, tzinfo=BEIJING)  # Wednesday: registration 12-25 to 12-31

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


def make_project(buyer: User, clock=None, *, publish: bool = True, published_at: datetime | None = None, **overrides) -> Project:
    """A project like the notice's (three lines), published through the service on 2024-12-25 09:00.

    The draft is a :class:`ProjectFactory` row (``items`` and any project field pass through
    ``overrides``). With ``clock`` (the test's FixedClock or a SimulatedClock) the publication
    happens at ``published_at`` and the clock is moved back afterwards; without one it happens now.
    """
    items = overrides.pop("items", None) or ITEMS
    lines = [(i.name, i.specification, i.unit, i.quantity, i.ceiling_unit_price) for i in items]
    project = ProjectFactory(buyer=buyer, lines=lines, **overrides)
    if publish:
        if clock is None:
            projects.publish(project, buyer)
        else:
            with moved(clock, published_at or PUBLISHED_AT):
                projects.publish(project, buyer)
    return project
