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
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit


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


# --- issue 7: an evaluated project, built directly with models ------------------------
# Issues 5 and 6 (opening, evaluation) are written concurrently, so this builds the state they
# would leave behind: accepted registrations, opened quotes with their lines, a confirmed
# evaluation report with ranks and candidate places, and the panel that signed it.

EVALUATED_REPORT_AT = datetime(2025, 1, 3, 11, 0, tzinfo=BEIJING)  # Friday after the opening
SUPPLIER_NAMES = ["拉萨雪域办公用品有限公司", "西藏圣地商贸有限公司", "拉萨高原文具有限公司", "拉萨吉祥纸业有限公司"]
# Unit prices for ITEMS (复印纸 100 包, 硒鼓 10 个, 中性笔 20 盒), one row per supplier.
EVALUATED_PRICES = [
    ("24.50", "398.75", "30.00"),  # 2,450 + 3,987.50 + 600 = 7,037.50: rank 1
    ("26.00", "410.00", "28.50"),  # 2,600 + 4,100 + 570 = 7,270.00: rank 2
    ("27.80", "420.00", "31.00"),  # 2,780 + 4,200 + 620 = 7,600.00: rank 3
    ("20.00", "300.00", "20.00"),  # 5,400.00, but not qualified (premises not in Lhasa)
]
PANEL_NAMES = ["扎西次仁", "卓玛", "王建国"]


class EvaluatedProject:
    """What :func:`make_evaluated_project` built: the project and its people, in input order."""

    def __init__(self, project, buyer, suppliers, registrations, results, panel):
        self.project = project
        self.buyer = buyer
        self.suppliers = suppliers
        self.registrations = registrations
        self.results = results
        self.panel = panel

    def candidate(self, place: int):
        """(supplier user, registration) of the candidate at ``place``."""
        for user, registration, result in zip(self.suppliers, self.registrations, self.results):
            if result.candidate_place == place:
                return user, registration
        raise LookupError(place)

    def not_qualified(self):
        """(supplier user, registration) of the first supplier that failed the review."""
        for user, registration, result in zip(self.suppliers, self.registrations, self.results):
            if not result.passed:
                return user, registration
        raise LookupError("none failed")


def make_evaluated_project(
    buyer: User,
    clock=None,
    *,
    prices=EVALUATED_PRICES,
    failing=(3,),
    names=SUPPLIER_NAMES,
    report_at: datetime = EVALUATED_REPORT_AT,
    **overrides,
) -> EvaluatedProject:
    """A project like the notice's in state ``evaluated`` (report confirmed at ``report_at``).

    ``prices`` holds one row of unit prices per supplier (for the three ITEMS lines); the
    suppliers whose index is in ``failing`` did not pass the review; the rest are ranked by total
    and the lowest ``project.candidates`` (default 2) become candidates. Project settings such as
    ``framework_award`` or ``candidates`` pass through ``overrides``.
    """
    import hashlib

    from procurement.models import (
        STATUS_EVALUATED,
        Evaluation,
        EvaluationResult,
        OpenedQuote,
        OpenedQuoteLine,
        PanelMember,
        Registration,
        SealedQuote,
    )

    project = make_project(buyer, clock, **overrides)
    opened_at = project.opening_at
    submitted_at = datetime(2024, 12, 30, 11, 0, tzinfo=BEIJING)
    suppliers, registrations, quotes = [], [], []
    for index, row in enumerate(prices):
        name = names[index] if index < len(names) else None
        user = make_supplier(company_name=name)
        company = user.company
        company.registered_address = f"西藏自治区拉萨市城关区北京中路 {index + 10} 号"
        snapshot = {
            "name": company.name,
            "uscc": company.uscc,
            "registered_address": company.registered_address,
            "premises_division": company.premises_division,
            "premises_address": company.premises_address,
        }
        registration = Registration(
            project_id=project.id,
            company_id=company.id,
            status="accepted",
            declarations={},
            company_snapshot=snapshot,
            created_at=submitted_at,
            submitted_at=submitted_at,
            created_by_id=user.id,
        )
        db.session.add(registration)
        db.session.flush()
        sealed = SealedQuote(
            registration_id=registration.id,
            version=1,
            kind="quote",
            sealed=b"sealed-by-factory",
            receipt_hash=hashlib.sha256(f"quote-{registration.id}".encode()).hexdigest(),
            submitted_at=submitted_at,
            submitted_by_id=user.id,
            is_current=True,
        )
        db.session.add(sealed)
        db.session.flush()
        lines = []
        for item, price in zip(project.items, row):
            unit_price = Decimal(price)
            line_total = (item.quantity * unit_price).quantize(Decimal("0.01"))
            lines.append(OpenedQuoteLine(boq_item_id=item.id, unit_price=unit_price, line_total=line_total))
        total = sum((line.line_total for line in lines), Decimal("0.00"))
        quote = OpenedQuote(
            project_id=project.id,
            registration_id=registration.id,
            sealed_quote_id=sealed.id,
            total=total,
            opened_at=opened_at,
            hash_verified=True,
            lines=lines,
        )
        db.session.add(quote)
        suppliers.append(user)
        registrations.append(registration)
        quotes.append(quote)
    db.session.flush()

    passing = sorted((i for i in range(len(prices)) if i not in failing), key=lambda i: quotes[i].total)
    results = []
    for index, quote in enumerate(quotes):
        passed = index not in failing
        rank = passing.index(index) + 1 if passed else None
        result = EvaluationResult(
            project_id=project.id,
            registration_id=registrations[index].id,
            passed=passed,
            failure_reasons=[] if passed else [{"criterion": "lhasa_premises", "reasons": ["经营场所不在拉萨市辖区"]}],
            total=quote.total,
            rank=rank,
            tied=False,
            candidate_place=rank if rank is not None and rank <= project.candidates else None,
        )
        db.session.add(result)
        results.append(result)
    db.session.add(
        Evaluation(
            project_id=project.id,
            started_at=opened_at,
            ranked_at=report_at,
            failed=False,
            tie_draws=[],
            completed_at=report_at,
        )
    )
    panel = []
    for position, name in enumerate(PANEL_NAMES):
        member = make_panel(name=name)
        db.session.add(
            PanelMember(
                project_id=project.id,
                user_id=member.id,
                is_chair=position == 0,
                appointed_at=opened_at,
                conflict_declared=False,
                declared_at=opened_at,
                votes_submitted_at=report_at,
                report_confirmed_at=report_at,
            )
        )
        panel.append(member)
    project.status = STATUS_EVALUATED
    project.opened_at = opened_at
    project.status_changed_at = report_at
    project.status_changed_by_id = buyer.id
    db.session.commit()
    return EvaluatedProject(project, buyer, suppliers, registrations, results, panel)


# --- issue 4: stamped scans, credit lists, registrations through the service ----------------

REGISTRATION_OPEN_AT = datetime(2024, 12, 26, 10, 0, tzinfo=BEIJING)  # Thursday, inside 09:30–13:00


def tiny_pdf(text: str = "stamped scan") -> bytes:
    """A small but valid one-page PDF (correct xref offsets), as a stamped scan stands in for."""
    stream = f"BT /F1 12 Tf 20 50 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def tiny_png(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small valid PNG (a red square: the company seal), built with struct and zlib."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def scan_upload(kind: str = "business_licence", data: bytes | None = None, filename: str | None = None):
    """A FileStorage as the registration form would post it (a PDF unless ``data`` says otherwise)."""
    import io

    from werkzeug.datastructures import FileStorage

    data = tiny_pdf(kind) if data is None else data
    return FileStorage(io.BytesIO(data), filename=filename or f"{kind}.pdf")


def blacklist_csv(rows: list[dict], header: str = "name,uscc,list,source,listed_from,listed_until") -> bytes:
    """CSV bytes for a list import: ``rows`` are dicts with the header's keys (missing ones blank)."""
    columns = header.split(",")
    lines = [header] + [",".join(str(row.get(column, "")) for column in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def make_blacklist(list_kind: str, rows: list[dict] | None = None, actor=None):
    """Import a version of one list through the service; by default one unrelated entry."""
    from procurement.domain.credit import LIST_KINDS
    from procurement.services import credit

    rows = rows if rows is not None else [{"name": "某地无关商贸有限公司", "source": "信用中国", "listed_from": "2023-01-01"}]
    rows = [{"list": LIST_KINDS[list_kind], **row} for row in rows]
    return credit.import_blacklist(list_kind, blacklist_csv(rows), f"{list_kind}.csv", actor)


def make_all_blacklists(actor=None) -> dict:
    """Import every list (one unrelated entry each), so a clean supplier's credit check passes outright."""
    from procurement.domain.credit import LIST_KINDS

    return {kind: make_blacklist(kind, actor=actor) for kind in LIST_KINDS}


def register(
    project,
    user: User,
    clock=None,
    *,
    at: datetime = REGISTRATION_OPEN_AT,
    via_agent: bool = False,
    agent_name: str | None = None,
    agent_id_number: str | None = None,
    consortium: bool = False,
    declarations: dict | None = None,
    documents=None,
):
    """Register ``user``'s company for ``project`` through the service, at ``at`` (inside the window).

    ``documents`` is an iterable of kinds to upload (default: every kind required). Returns the
    service's Submission; ``clock`` (a FixedClock) is moved to ``at`` and back.
    """
    from procurement.domain.qualification import ARTICLE22_DECLARATIONS, required_documents
    from procurement.services import registrations

    before = clock.now() if clock else None
    if clock:
        clock.set(at)
    try:
        if via_agent:
            agent_name = agent_name or "格桑"
            agent_id_number = agent_id_number or valid_id()
        answers = registrations.Answers(
            via_agent=via_agent,
            agent_name=agent_name,
            agent_id_number=agent_id_number,
            consortium=consortium,
            declarations=declarations if declarations is not None else {key: True for key in ARTICLE22_DECLARATIONS},
        )
        kinds = documents if documents is not None else required_documents(via_agent)
        uploads = {kind: scan_upload(kind) for kind in kinds}
        return registrations.submit_registration(project, user.company, answers, uploads, user)
    finally:
        if clock:
            clock.set(before)


# --- issue 5: accepted registrations built directly, and sealed quotes through the service ----
# The registration service (issue 4) is written concurrently; these build the state it leaves
# behind for an accepted supplier, so the quote tests do not depend on it.

QUOTE_AT = datetime(2024, 12, 31, 10, 0, tzinfo=BEIJING)  # before the 2025-01-02 16:00 deadline


def make_accepted_registration(project, supplier_user: User, clock=None, *, at: datetime = REGISTRATION_OPEN_AT):
    """An accepted Registration of ``supplier_user``'s company with a passing QualificationCheck."""
    from procurement.domain.qualification import ARTICLE22_DECLARATIONS
    from procurement.models import QualificationCheck, Registration

    company = supplier_user.company
    registration = Registration(
        project_id=project.id,
        company_id=company.id,
        status="accepted",
        declarations={key: True for key in ARTICLE22_DECLARATIONS},
        company_snapshot={
            "name": company.name,
            "uscc": company.uscc,
            "registered_address": company.registered_address,
            "premises_division": company.premises_division,
            "premises_address": company.premises_address,
        },
        created_at=at,
        submitted_at=at,
        created_by_id=supplier_user.id,
    )
    db.session.add(registration)
    db.session.flush()
    db.session.add(
        QualificationCheck(registration_id=registration.id, run_at=at, context="registration", overall="pass", results=[], list_versions={})
    )
    db.session.commit()
    return registration


def make_sealed_quote(registration, supplier_user: User, prices, clock=None, *, at: datetime = QUOTE_AT):
    """Submit a sealed quote through the service at ``at``; ``prices`` are unit-price texts in ITEMS order."""
    from procurement.services import quotes

    project = registration.project
    before = clock.now() if clock else None
    if clock:
        clock.set(at)
    try:
        sheet = quotes.price_sheet(project, {item.id: text for item, text in zip(project.items, prices)})
        return quotes.submit_quote(registration.id, sheet.prices(), supplier_user)
    finally:
        if clock:
            clock.set(before)


# --- issue 6: an opened project built directly with models, and its panel ---------------------
# The opening (issue 5) is written concurrently, so this builds the state it leaves behind:
# accepted registrations with their stamped scans and registration-time checks, sealed and
# opened quotes with their lines, project status "opened"; then, on request, the panel.

OPENED_AT = datetime(2025, 1, 2, 16, 5, tzinfo=BEIJING)
REVIEW_AT = datetime(2025, 1, 2, 16, 30, tzinfo=BEIJING)


class SupplierSpec:
    """One supplier of :func:`make_opened_project`: its name, unit prices (ITEMS order) and divisions."""

    def __init__(self, name: str, prices, *, division: str = "540102", premises_division: str = "540102"):
        self.name = name
        self.prices = tuple(prices)
        self.division = division
        self.premises_division = premises_division


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
        self.quotes = quotes
        self.panel = panel  # panel accounts (User)
        self.members = members  # their PanelMember seats


def _store_scan(data: bytes, mime: str, name: str, actor):
    from procurement.services import uploads

    return uploads.save(uploads.CheckedFile(data=data, mime_type=mime, original_name=name), actor)


def make_opened_registration(project, spec: SupplierSpec, *, at: datetime = REGISTRATION_OPEN_AT):
    """A supplier with an accepted registration: snapshot, declarations, scans and its registration-time check."""
    from procurement.domain.qualification import ARTICLE22_DECLARATIONS, RegistrationFacts, overall_status, required_documents, run_checks
    from procurement.models import QualificationCheck, Registration, RegistrationDocument
    from procurement.services import credit

    user = make_supplier(company_name=spec.name, division=spec.division, premises_division=spec.premises_division)
    company = user.company
    snapshot = {
        "name": company.name,
        "uscc": company.uscc,
        "registered_address": company.registered_address,
        "premises_division": company.premises_division,
        "premises_address": company.premises_address,
        "legal_rep_name": company.legal_rep_name,
        "legal_rep_id_number": company.legal_rep_id_number,
        "contact_name": company.contact_name,
        "contact_mobile": company.contact_mobile,
    }
    registration = Registration(
        project_id=project.id,
        company_id=company.id,
        status="accepted",
        declarations={key: True for key in ARTICLE22_DECLARATIONS},
        company_snapshot=snapshot,
        created_at=at,
        submitted_at=at,
        created_by_id=user.id,
    )
    db.session.add(registration)
    db.session.flush()
    kinds = required_documents(False, premises="lhasa_premises" in project.criteria)
    for kind in kinds:
        if kind == "legal_rep_id":
            stored = _store_scan(tiny_png(6, 4), "image/png", f"{kind}.png", user)
        else:
            stored = _store_scan(tiny_pdf(f"{kind} {company.uscc}"), "application/pdf", f"{kind}.pdf", user)
        db.session.add(RegistrationDocument(registration_id=registration.id, kind=kind, stored_file_id=stored.id, uploaded_at=at))
    found = credit.check_registration_credit(company.uscc, company.name)
    facts = RegistrationFacts(
        uscc=company.uscc,
        legal_rep_id=company.legal_rep_id_number,
        via_agent=False,
        agent_id=None,
        consortium=False,
        declarations=registration.declarations,
        documents=frozenset(kinds),
        premises_division=company.premises_division,
        premises_address=company.premises_address,
        credit_hits=found.hits,
    )
    results = run_checks(facts, list(project.criteria))
    db.session.add(
        QualificationCheck(
            registration_id=registration.id,
            run_at=at,
            context="registration",
            overall=overall_status(results),
            results=[
                {
                    "criterion": r.criterion,
                    "status": r.status,
                    "message": r.message,
                    "params": {k: list(v) if isinstance(v, tuple) else v for k, v in r.params.items()},
                }
                for r in results
            ],
            list_versions=found.list_versions,
        )
    )
    db.session.commit()
    return user, registration


def make_opened_quote(project, registration, user, prices, *, submitted_at: datetime = QUOTE_AT, opened_at: datetime = OPENED_AT):
    """A sealed quote version and what the opening revealed of it (lines and total)."""
    import hashlib

    from procurement.models import OpenedQuote, OpenedQuoteLine, SealedQuote

    sealed = SealedQuote(
        registration_id=registration.id,
        version=1,
        kind="quote",
        sealed=b"sealed-by-factory",
        receipt_hash=hashlib.sha256(f"opened-{registration.id}".encode()).hexdigest(),
        submitted_at=submitted_at,
        submitted_by_id=user.id,
        is_current=True,
    )
    db.session.add(sealed)
    db.session.flush()
    lines = [
        OpenedQuoteLine(
            boq_item_id=item.id,
            unit_price=Decimal(price),
            line_total=(item.quantity * Decimal(price)).quantize(Decimal("0.01")),
        )
        for item, price in zip(project.items, prices)
    ]
    quote = OpenedQuote(
        project_id=project.id,
        registration_id=registration.id,
        sealed_quote_id=sealed.id,
        total=sum((line.line_total for line in lines), Decimal("0.00")),
        opened_at=opened_at,
        hash_verified=True,
        lines=lines,
    )
    db.session.add(quote)
    db.session.commit()
    return quote


def appoint_panel(project, names=("格桑", "陈静", "索朗"), *, chair: int = 0, declare: bool = False, at: datetime = OPENED_AT):
    """Panel accounts seated on ``project`` directly (chair: index ``chair``); ``declare`` records "no conflict"."""
    from procurement.models import PanelMember

    users, members = [], []
    for index, name in enumerate(names):
        user = make_panel(name=name)
        member = PanelMember(
            project_id=project.id,
            user_id=user.id,
            is_chair=index == chair,
            appointed_at=at,
            conflict_declared=False if declare else None,
            declared_at=at if declare else None,
        )
        db.session.add(member)
        users.append(user)
        members.append(member)
    db.session.commit()
    return users, members


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
    ``set(aware_dt)``). ``before_opening(project)`` runs at 2025-01-02 10:00, after registration
    (say, to import a credit list that the review-time re-run should catch). ``panel`` names the
    members (first is chair; empty for none); ``declare`` records their "no conflict"; ``start``
    starts the evaluation through the service.
    """
    from procurement.models import STATUS_OPENED
    from procurement.services import evaluation

    project = make_project(buyer, clock, **overrides)
    clock.set(REGISTRATION_OPEN_AT)
    db.session.commit()
    users, registrations, quotes = [], [], []
    for spec in suppliers:
        user, registration = make_opened_registration(project, spec)
        users.append(user)
        registrations.append(registration)
    for user, registration, spec in zip(users, registrations, suppliers):
        quotes.append(make_opened_quote(project, registration, user, spec.prices))
    if before_opening is not None:
        clock.set(datetime(2025, 1, 2, 10, 0, tzinfo=BEIJING))
        db.session.commit()
        before_opening(project)
    clock.set(OPENED_AT)
    project.status = STATUS_OPENED
    project.opened_at = OPENED_AT
    project.status_changed_at = OPENED_AT
    project.status_changed_by_id = buyer.id
    db.session.commit()
    panel_users, members = appoint_panel(project, panel, declare=declare) if panel else ([], [])
    clock.set(REVIEW_AT)
    db.session.commit()
    if start:
        evaluation.start_evaluation(project, buyer)
    return OpenedProject(project, buyer, users, registrations, quotes, panel_users, members)
