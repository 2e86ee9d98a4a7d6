"""Demo data: the notice's project exactly as printed, its people, and a movable clock.

The notice's dates lie in the past, so the demo publishes the project with the simulated
clock at the publication date (2024-12-25), lets the five suppliers register with stamped
scans and send sealed quotes at their own simulated times, and leaves the clock inside the
registration window (2024-12-26 10:00 北京时间); buyer staff move it on from the banner to
the opening, so the panel has something real to review. Supplier 4's premises proof shows
an address in Shigatse (the panel should fail it), and supplier 5 appears on a credit list
imported after it registered (the review-time credit check catches it).

The project opens by quorum (多人共同开标, 2 of 3): the buyer and the first two panel members
are its opening officials, each with a demo opening passphrase that ``flask demo`` prints next
to the logins; any two of them entering theirs at the opening time open the quotes.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from stdnum.cn import ric, uscc

from procurement import clock
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import ROLE_SUPPLIER, Company
from procurement.services import accounts, opening_keys, projects, quorum_setup

DEMO_PASSWORD = "demo-2024"
# The demo officials' opening passphrases (printed by `flask demo`; a real official's is known to them alone).
DEMO_PASSPHRASES = {
    "buyer@example.com": "kaibiao-yak-butter-61",
    "panel1@example.com": "kaibiao-barley-wind-72",
    "panel2@example.com": "kaibiao-snow-lion-83",
}
DEMO_THRESHOLD = 2
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
    """A valid resident ID number for a person born in ``division`` on ``birth``.

    python-stdnum's ``calc_check_digit`` expects the number with a placeholder check digit.
    """
    body = division + birth + serial
    return body + ric.calc_check_digit(body + "0")


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


def load_demo() -> list[tuple[str, str, str, str | None]]:
    """Create the demo's people and project; return the logins to print (role, email, password, opening passphrase)."""
    _set_clock(datetime(2024, 12, 20, 9, 0, tzinfo=BEIJING))
    logins = []
    officials = []
    buyer = accounts.create_buyer("buyer@example.com", DEMO_PASSWORD, "措姆")
    staff = [buyer]
    for index, name in enumerate(("格桑", "陈静", "索朗"), start=1):
        staff.append(accounts.create_panel_member(f"panel{index}@example.com", DEMO_PASSWORD, name, None, buyer))
    for user in staff:
        passphrase = DEMO_PASSPHRASES.get(user.email)
        if passphrase:
            opening_keys.set_up(user, passphrase)
            officials.append(user.id)
        logins.append((user.role, user.email, DEMO_PASSWORD, passphrase))
    for index, (name, reg_div, prem_div, address, rep, email, serial) in enumerate(SUPPLIERS, start=1):
        user = accounts.sign_up_supplier(email, DEMO_PASSWORD, name, rep)
        company: Company = user.company
        company.uscc = make_uscc(reg_div, serial[:8] + str(index))
        company.registered_address = ("西藏自治区拉萨市" if reg_div.startswith("5401") else "西藏自治区日喀则市桑珠孜区") + "某路 %d 号" % index
        company.premises_division = prem_div
        company.premises_address = address
        company.legal_rep_name = rep
        company.legal_rep_id_number = make_id("540102", f"19{85 + index}0{index}1{index}", f"00{index}")
        company.contact_name = rep
        company.contact_mobile = f"1390891000{index}"
        db.session.commit()
        logins.append((ROLE_SUPPLIER, email, DEMO_PASSWORD, None))

    items = [
        projects.ItemData(name=n, specification=s, unit=u, quantity=Decimal(q), ceiling_unit_price=Decimal(c))
        for n, s, u, q, c in ITEMS
    ]
    project = projects.create_project(dict(NOTICE), items, buyer)
    quorum_setup.set_opening_mode(project, "quorum", officials, DEMO_THRESHOLD, buyer)
    _set_clock(PUBLISHED_AT)
    projects.publish(project, buyer)
    _walk_to_clock_start(project, buyer)
    _set_clock(CLOCK_START)
    return logins


# Unit prices as a share of each line's ceiling: supplier 1 is the cheapest valid quote,
# supplier 4 (premises proof in Shigatse) and 5 (blacklisted after registering) are cheaper still,
# so the panel's review decides the ranking.
PRICE_FACTORS = (Decimal("0.82"), Decimal("0.86"), Decimal("0.90"), Decimal("0.80"), Decimal("0.78"))

FIRST_LISTS = {
    "dishonest_debtor": "name,uscc,list,source,listed_from,listed_until\n拉萨某某建材有限公司,,失信被执行人,中国执行信息公开网,2023-05-10,\n",
    "tax_violation": "name,uscc,list,source,listed_from,listed_until\n西藏某某贸易有限公司,,重大税收违法失信主体,国家税务总局西藏自治区税务局,2024-03-01,\n",
    "procurement_violation": "name,uscc,list,source,listed_from,listed_until\n某某办公设备有限公司,,政府采购严重违法失信行为记录名单,中国政府采购网,2022-08-15,2025-08-14\n",
}
# Published on 2024-12-26, after supplier 5 registered: the panel's re-run of the credit check catches it.
LATER_LIST = (
    "name,uscc,list,source,listed_from,listed_until\n"
    "某某办公设备有限公司,,政府采购严重违法失信行为记录名单,中国政府采购网,2022-08-15,2025-08-14\n"
    "拉萨（高原）纸业有限公司,,政府采购严重违法失信行为记录名单,中国政府采购网,2024-12-26,2027-12-25\n"
)


def _scan(title: str, heading: str, company: Company, lines: list[str]) -> bytes:
    """A stamped 'scan' for the demo: a one-page PDF with the company's seal."""
    from procurement.documents.pdf import render_pdf

    return render_pdf("documents/demo_scan.html", title=title, subject="演示扫描件", heading=heading, company=company, lines=lines).data


def _scans(company: Company, index: int) -> dict[str, tuple[str, bytes]]:
    premises = "日喀则市桑珠孜区珠峰路 20 号" if index == 4 else company.premises_address
    return {
        "business_licence": ("营业执照副本.pdf", _scan("营业执照", "营业执照（副本）", company, [
            f"名称：{company.name}", f"统一社会信用代码：{company.uscc}", f"住所：{company.registered_address}",
            f"法定代表人：{company.legal_rep_name}", "经营范围：办公用品、文化用品、纸制品销售"])),
        "bank_permit": ("开户许可证.pdf", _scan("开户许可证", "开户许可证", company, [
            f"存款人名称：{company.name}", "开户银行：中国银行拉萨分行营业部", f"法定代表人：{company.legal_rep_name}"])),
        "legal_rep_id": ("法人身份证.pdf", _scan("法定代表人身份证", "法定代表人身份证（复印件）", company, [
            f"姓名：{company.legal_rep_name}", f"公民身份号码：{company.legal_rep_id_number[:4]}**********{company.legal_rep_id_number[-4:]}"])),
        "premises_proof": ("经营场所租赁合同.pdf", _scan("经营场所证明", "房屋租赁合同（摘要）", company, [
            f"承租方：{company.name}", f"房屋坐落：{premises}", "租赁期限：2024年1月1日至2026年12月31日", "用途：商业经营（门市）"])),
    }


def _walk_to_clock_start(project, buyer) -> None:
    """Blacklists, registrations, the RFQ file and sealed quotes, each at its own simulated time."""
    import io

    from werkzeug.datastructures import FileStorage

    from procurement.domain.credit import LIST_KINDS
    from procurement.domain.qualification import ARTICLE22_DECLARATIONS
    from procurement.documents.pdf import render_pdf
    from procurement.models import User
    from procurement.services import credit, quotes, registrations, rfq

    _set_clock(datetime(2024, 12, 25, 9, 10, tzinfo=BEIJING))
    for kind, text in FIRST_LISTS.items():
        credit.import_blacklist(kind, text.encode(), f"{LIST_KINDS[kind]}-20241225.csv", buyer)

    rfq_pdf = render_pdf("documents/demo_rfq.html", title="询比价文件", subject=project.code, project=project).data
    rfq.add_file(project, FileStorage(stream=io.BytesIO(rfq_pdf), filename="询比价文件.pdf"), "询比价文件（含采购清单与评审办法）", buyer)

    suppliers = []
    for index, (_, _, _, _, _, email, _) in enumerate(SUPPLIERS, start=1):
        user = db.session.query(User).filter_by(email=email).one()
        suppliers.append(user)
        _set_clock(datetime(2024, 12, 25, 10, 0, tzinfo=BEIJING).replace(minute=index * 7))
        answers = registrations.Answers(
            via_agent=False, agent_name=None, agent_id_number=None, consortium=False,
            declarations={key: True for key in ARTICLE22_DECLARATIONS},
        )
        uploads = {kind: FileStorage(stream=io.BytesIO(data), filename=name) for kind, (name, data) in _scans(user.company, index).items()}
        registrations.submit_registration(project, user.company, answers, uploads, user)

    for index, user in enumerate(suppliers, start=1):
        _set_clock(datetime(2024, 12, 26, 9, 30 + index * 4, tzinfo=BEIJING))
        registration = registrations.own_registration(project, user.company)
        prices = {item.id: (item.ceiling_unit_price * PRICE_FACTORS[index - 1]).quantize(Decimal("0.01")) for item in project.items}
        quotes.submit_quote(registration.id, prices, user)

    _set_clock(datetime(2024, 12, 26, 9, 55, tzinfo=BEIJING))
    credit.import_blacklist("procurement_violation", LATER_LIST.encode(), "政府采购严重违法失信行为记录名单-20241226.csv", buyer)
