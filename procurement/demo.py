"""Demo data: the notice's project exactly as printed, its people, and a movable clock.

The notice's dates lie in the past, so the demo publishes the project with the simulated
clock at the publication date (2024-12-25) and leaves the clock inside the registration
window (2024-12-26 10:00 北京时间); buyer staff move it on from the banner.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from stdnum.cn import ric, uscc

from procurement import clock
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import ROLE_BUYER, ROLE_PANEL, ROLE_SUPPLIER, Company
from procurement.services import accounts, projects

DEMO_PASSWORD = "demo-2024"
PUBLISHED_AT = datetime(2024, 12, 25, 9, 0, tzinfo=BEIJING)
CLOCK_START = datetime(2024, 12, 26, 10, 0, tzinfo=BEIJING)
OPENING_AT = datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING)

NOTICE = {
    "code": "XZRB-XBJ-2024-001",
    "title": "西藏日报社遴选2025年办公用品供应商项目",
    "buyer_name": "西藏日报社",
    "method": "询比价",
    "contract_term": "自合同签订之日起1年",
    "requirements_text": "具体详见询比价文件及公告",
    "specific_requirement": "在拉萨有固定的实体经营场所",
    "criteria": ["article22", "credit", "no_consortium", "lhasa_premises", "documents", "identifiers"],
    "registration_place": "西藏传媒集团二楼",
    "registration_documents_text": (
        "报名时持公司营业执照副本复印件、开户许可证复印件、法人身份证复印件，若法人无法到场，"
        "则经办人需携带法人授权委托书及经办人身份证原件及复印件，上述资料复印件加盖单位公章。"
        "在线报名的，上传上述资料加盖公章的扫描件；报名成功后在线下载询比价文件资料（替代现场U盘或光盘拷贝）。"
    ),
    "opening_place": "西藏传媒集团二楼会议室",
    "opening_at": OPENING_AT,
    "contact_name": "措姆女士",
    "contact_phone": "13618906639",
    "registration_working_days": 5,
    "registration_hours": [["09:30", "13:00"], ["15:30", "18:00"]],
    "notice_working_days": 5,
    "candidates": 2,
    "min_valid_quotes": 3,
}

# Item, specification, unit, estimated yearly quantity, ceiling unit price (yuan).
ITEMS = [
    ("复印纸", "A4 70g 500张/包", "包", "1200", "28.00"),
    ("复印纸", "A3 70g 500张/包", "包", "150", "56.00"),
    ("激光打印机硒鼓", "HP CF228A 或同等兼容", "个", "80", "420.00"),
    ("中性笔", "0.5mm 黑色 12支/盒", "盒", "300", "24.00"),
    ("中性笔替芯", "0.5mm 黑色 20支/盒", "盒", "200", "16.00"),
    ("文件夹", "A4 双强力夹", "个", "600", "9.50"),
    ("档案盒", "A4 背宽5cm 牛皮纸", "个", "800", "6.00"),
    ("笔记本", "B5 100页 软抄本", "本", "500", "8.00"),
    ("订书机", "12号 可订20页", "个", "60", "35.00"),
    ("长尾夹", "32mm 12个/盒", "盒", "150", "7.50"),
]


def make_uscc(division: str, serial: str) -> str:
    """A valid USCC: 9 (registered by market regulation), 1 (enterprise), division, org code."""
    body = "91" + division + serial
    return body + uscc.calc_check_digit(body)


def make_id(division: str, birth: str, serial: str) -> str:
    """A valid resident ID number for a person born in ``division`` on ``birth``."""
    body = division + birth + serial
    return body + ric.calc_check_digit(body)


# name, USCC division, premises division, premises address, legal rep, email
SUPPLIERS = [
    ("拉萨雪域办公用品有限公司", "540102", "540102", "城关区北京中路 56 号", "次仁多吉", "xueyu@example.com", "MA6T0001X"),
    ("西藏圣地文化用品有限公司", "540102", "540102", "城关区宇拓路 18 号", "卓玛", "shengdi@example.com", "MA6T0002X"),
    ("拉萨吉祥商贸有限责任公司", "540103", "540103", "堆龙德庆区青藏路 211 号", "王建国", "jixiang@example.com", "MA6T0003X"),
    ("日喀则珠峰办公设备有限公司", "540202", "540102", "城关区金珠西路 88 号", "扎西平措", "zhufeng@example.com", "MA6T0004X"),
    ("拉萨(高原)纸业有限公司", "540102", "540102", "城关区林廓北路 7 号", "李明", "gaoyuan@example.com", "MA6T0005X"),
]


def _set_clock(at: datetime) -> None:
    clk = clock.get_clock()
    if hasattr(clk, "set") and not isinstance(clk, clock.SystemClock):
        clk.set(at)
        db.session.commit()


def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo's people and project; return the logins to print."""
    _set_clock(datetime(2024, 12, 20, 9, 0, tzinfo=BEIJING))
    logins = []
    buyer = accounts.create_buyer("buyer@example.com", DEMO_PASSWORD, "措姆")
    logins.append((ROLE_BUYER, buyer.email, DEMO_PASSWORD))
    for index, name in enumerate(("格桑", "陈静", "索朗"), start=1):
        member = accounts.create_panel_member(f"panel{index}@example.com", DEMO_PASSWORD, name, None, buyer)
        logins.append((ROLE_PANEL, member.email, DEMO_PASSWORD))
    for index, (name, reg_div, prem_div, address, rep, email, serial) in enumerate(SUPPLIERS, start=1):
        user = accounts.sign_up_supplier(email, DEMO_PASSWORD, name, rep)
        company: Company = user.company
        company.uscc = make_uscc(reg_div, serial[:8] + str(index))
        company.registered_address = ("西藏自治区拉萨市" if reg_div.startswith("5401") else "西藏自治区日喀则市桑珠孜区") + "某路 %d 号" % index
        company.premises_division = prem_div
        company.premises_address = address
        company.legal_rep_name = rep
        company.legal_rep_id_number = make_id("540102", f"19{80 + index}0{index}1{index}", f"00{index}")
        company.contact_name = rep
        company.contact_mobile = f"1390891000{index}"
        db.session.commit()
        logins.append((ROLE_SUPPLIER, email, DEMO_PASSWORD))

    items = [
        projects.ItemData(name=n, specification=s, unit=u, quantity=Decimal(q), ceiling_unit_price=Decimal(c))
        for n, s, u, q, c in ITEMS
    ]
    project = projects.create_project(dict(NOTICE), items, buyer)
    _set_clock(PUBLISHED_AT)
    projects.publish(project, buyer)
    _set_clock(CLOCK_START)
    return logins
