"""Before the opening no amount leaks: not on any page or export (walked as every role), not in the
audit trail, a log line or the session cookie, and nothing stored (database rows, the SQLite file
itself, uploaded and generated files) carries an amount in plaintext. That holds for a review in
progress too: supplier D's entered-but-unconfirmed prices wait in an encrypted draft row."""
from __future__ import annotations

import email
import email.policy
import io
import itertools
import json
import logging
import re
import subprocess
from contextlib import ExitStack
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for
from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage

from procurement.documents.storage import KINDS, current_store
from procurement.domain.money import amount_in_words, quantize
from procurement.extensions import db
from procurement.models import PanelMember, QuoteDraft, SealedQuote
from procurement.mail import transport
from procurement.models import MailMessage, Notification
from procurement.services import projects, quote_drafts, reminders, rfq
from tests.conftest import AuthActions, post_form
from tests.factories import (
    QUOTE_AT,
    make_accepted_registration,
    make_buyer,
    make_panel,
    make_project,
    make_sealed_quote,
    make_supplier,
    tiny_pdf,
)
from tests.mailserver import body_text
from tests.notices import smtp

# Distinctive unit prices for 复印纸 ×100, 硒鼓 ×10, 中性笔 ×20 (every figure has a decimal point,
# so no hexadecimal hash or verification code can contain one by chance).
A_FIRST = ["27.13", "433.21", "18.77"]  # 2,713.00 + 4,332.10 + 375.40 = 7,420.50
A_REVISED = ["26.41", "417.39", "17.93"]  # 2,641.00 + 4,173.90 + 358.60 = 7,173.50
B_PRICES = ["23.87", "401.17", "16.59"]  # 2,387.00 + 4,011.70 + 331.80 = 6,730.50
D_PRICES = ["22.19", "398.63", "15.29"]  # 2,219.00 + 3,986.30 + 305.80 = 6,511.10 (reviewed, never confirmed)


def _entered(client, response):
    """Entering prices (typed or uploaded) redirects to the GET review page: follow it."""
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"])


def _confirm_form(review) -> dict:
    """The review page's confirm form: the CSRF token, the version and the draft's token, no price."""
    html = review.get_data(as_text=True)
    fields = dict(re.findall(r'name="(csrf_token|expected_version|draft)" type="hidden" value="([^"]*)"', html))
    assert set(fields) == {"csrf_token", "expected_version", "draft"}
    assert 'name="price_' not in html  # the prices wait server-side, encrypted
    return fields


def needles(project, prices) -> set[str]:
    """Every way an amount of this quote could be written: unit prices, line totals, the total, in words."""
    found = set()
    total = Decimal("0.00")
    for item, text in zip(project.items, prices):
        price = Decimal(text)
        line = quantize(item.quantity * price)
        total += line
        found |= {f"{price:.2f}", f"{line:.2f}", f"{line:,.2f}"}
    found |= {f"{total:.2f}", f"{total:,.2f}", amount_in_words(total)}
    return found


@pytest.fixture
def sealed_world(app, clock, caplog):
    """Supplier A quotes through the pages (typed, then revised by XLSX upload), B through the
    service, C registered without quoting; a panel member is appointed. Logs are captured.

    Their registrations' notifications are mailed into the outbox (.eml files); from the quotes on
    a real SMTP server receives the mails: a correction notice, a new RFQ document and the
    reminder of the quote deadline (24 hours before it) go to every registrant."""
    with ExitStack() as stack:
        yield _sealed_world(app, clock, caplog, stack)


def _sealed_world(app, clock, caplog, stack):
    caplog.set_level(logging.DEBUG)
    buyer = make_buyer()
    project = make_project(buyer, clock)
    a = make_supplier(company_name="拉萨甲商贸有限公司")
    b = make_supplier(company_name="拉萨乙文具有限公司")
    c = make_supplier(company_name="拉萨丙纸业有限公司")
    d = make_supplier(company_name="拉萨丁办公设备有限公司")
    reg_a = make_accepted_registration(project, a, clock)
    reg_b = make_accepted_registration(project, b, clock)
    make_accepted_registration(project, c, clock)
    make_accepted_registration(project, d, clock)
    member = make_panel(name="扎西")
    db.session.add(PanelMember(project_id=project.id, user_id=member.id, appointed_at=QUOTE_AT))
    db.session.commit()
    clock.set(QUOTE_AT)
    received = stack.enter_context(smtp(app))

    client_a = app.test_client()
    AuthActions(client_a).login(a.email)
    base = f"/supplier/projects/{project.id}/quote"
    fields = {f"price_{item.id}": text for item, text in zip(project.items, A_FIRST)}
    review = _entered(client_a, post_form(client_a, f"{base}/review", fields | {"expected_version": "0"}, page=base))
    assert review.status_code == 200 and "7,420.50" in review.get_data(as_text=True)  # A sees its own, now
    assert client_a.post(f"{base}/confirm", data=_confirm_form(review)).status_code == 302
    # the revision goes through the XLSX sheet
    with client_a.get(f"{base}/sheet.xlsx") as response:
        book = load_workbook(io.BytesIO(response.data))
    for row, text in zip((5, 6, 7), A_REVISED):
        book.active[f"G{row}"] = text
    buffer = io.BytesIO()
    book.save(buffer)
    uploaded = post_form(
        client_a,
        f"{base}/upload",
        {"expected_version": "1", "file": (io.BytesIO(buffer.getvalue()), "sheet.xlsx")},
        page=base,
        content_type="multipart/form-data",
    )
    uploaded = _entered(client_a, uploaded)
    assert uploaded.status_code == 200 and "7,173.50" in uploaded.get_data(as_text=True)
    assert client_a.post(f"{base}/confirm", data=_confirm_form(uploaded)).status_code == 302
    with client_a.get(f"{base}/receipts/2.pdf") as response:  # a stored receipt document
        assert response.status_code == 200
    make_sealed_quote(reg_b, b, B_PRICES, clock, at=QUOTE_AT + timedelta(hours=1))
    # D has entered and reviewed its prices but not confirmed: the review draft waits, encrypted.
    client_d = app.test_client()
    AuthActions(client_d).login(d.email)
    d_fields = {f"price_{item.id}": text for item, text in zip(project.items, D_PRICES)}
    d_review = _entered(client_d, post_form(client_d, f"{base}/review", d_fields | {"expected_version": "0"}, page=base))
    assert d_review.status_code == 200 and "6,511.10" in d_review.get_data(as_text=True)  # the needles are real
    with client_d.get(f"{base}/copy.xlsx") as response:  # the filled copy, made into the response only
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert quote_drafts.count() == 1
    clock.set(QUOTE_AT + timedelta(hours=2))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedQuote)) == 3
    projects.amend(project, {"contact_phone": "0891-6831234"}, "联系电话变更", "原电话号码有误", buyer)
    rfq.add_file(project, FileStorage(io.BytesIO(tiny_pdf("rfq")), filename="补充说明.pdf"), "补充说明", buyer)
    assert reminders.tick(project.opening_at - timedelta(hours=23)) == 4  # the quote deadline's reminder

    class World:
        pass

    world = World()
    world.project, world.buyer, world.member = project, buyer, member
    world.suppliers = {"A": a, "B": b, "C": c, "D": d}
    world.client_a, world.client_d = client_a, client_d
    world.secrets = {
        "A": needles(project, A_FIRST) | needles(project, A_REVISED),
        "B": needles(project, B_PRICES),
        "D": needles(project, D_PRICES),
    }
    world.caplog = caplog
    world.received = received
    return world


def _leaks(text: str, secrets: set[str]) -> set[str]:
    return {needle for needle in secrets if needle in text}


def _readable(response) -> str:
    """The body as text: HTML and text as is, a PDF through pdftotext, an XLSX cell by cell."""
    data = response.get_data()
    if data.startswith(b"%PDF"):
        return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True).stdout.decode("utf-8", "replace")
    if data.startswith(b"PK\x03\x04"):
        try:
            book = load_workbook(io.BytesIO(data), data_only=False)
        except Exception:
            return data.decode("latin-1")
        return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row)
    return data.decode("utf-8", "replace")


def _urls(app, project) -> list[str]:
    """Every GET route, its arguments filled with the ids that exist in this small database."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        choices = []
        for name in sorted(rule.arguments):
            converter = type(rule._converters[name]).__name__
            if name == "project_id":
                choices.append([(name, project.id)])
            elif converter == "IntegerConverter":
                choices.append([(name, value) for value in (1, 2, 3, 4)])
            else:
                choices.append([(name, value) for value in ("x", project.code, "2025")])
        with app.test_request_context():
            for combination in itertools.product(*choices):
                urls.append(url_for(rule.endpoint, **dict(combination)))
    return sorted(set(urls))


def test_no_page_export_or_response_of_any_role_carries_an_amount_before_opening(app, sealed_world):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # another feature's 500 is not a leak; keep walking
    world = sealed_world
    every_secret = set().union(*world.secrets.values())
    viewers = {"public": app.test_client()}
    for label, user in (("buyer", world.buyer), ("panel", world.member), ("B", world.suppliers["B"]), ("C", world.suppliers["C"])):
        viewers[label] = app.test_client()
        AuthActions(viewers[label]).login(user.email)
    viewers["A"] = world.client_a  # not even the supplier itself can read its sealed amounts back
    urls = _urls(app, world.project)
    assert len(urls) > 40
    seen_ok = {}
    for label, client in viewers.items():
        for url in urls:
            with client.get(url) as response:
                body = _readable(response) + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
                leaked = _leaks(body, every_secret)
                assert not leaked, (label, url, response.status_code, leaked)
                if response.status_code == 200:
                    seen_ok.setdefault(label, set()).add(url)
    project_id = world.project.id
    # the walk reached the pages that matter
    assert f"/buyer/projects/{project_id}" in seen_ok["buyer"]
    assert f"/buyer/projects/{project_id}/opening" in seen_ok["buyer"]
    assert f"/panel/projects/{project_id}/opening" in seen_ok["panel"]
    assert f"/notices/{project_id}" in seen_ok["public"]
    assert f"/supplier/projects/{project_id}" in seen_ok["B"]
    assert f"/supplier/projects/{project_id}/quote/receipts/2" in seen_ok["A"]
    assert f"/supplier/projects/{project_id}/quote/receipts/2.pdf" in seen_ok["A"]
    assert f"/supplier/projects/{project_id}/quote/receipts/1" in seen_ok["B"]  # B's own receipt


def test_the_audit_trail_logs_and_session_cookie_carry_no_amount(app, sealed_world):
    world = sealed_world
    every_secret = set().union(*world.secrets.values())
    from procurement.models import AuditEvent

    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = {event.action for event in events}
    assert {"quote.submit", "quote.revise"} <= actions
    for event in events:
        text = json.dumps(
            [event.actor, event.action, event.object_type, event.object_id, event.details], ensure_ascii=False, default=str
        )
        assert not _leaks(text, every_secret), (event.action, text)
    log_text = "\n".join(record.getMessage() for record in world.caplog.records)
    assert not _leaks(log_text, every_secret)
    cookie = world.client_a.get_cookie("session")
    assert cookie is not None
    session_data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert not _leaks(json.dumps(session_data, ensure_ascii=False, default=str), every_secret)
    # D's review is in progress: its cookie holds only the random half of the draft key, no amount
    d_session = app.session_interface.get_signing_serializer(app).loads(world.client_d.get_cookie("session").value)
    assert quote_drafts.SESSION_ENTRY in d_session
    assert not _leaks(json.dumps(d_session, ensure_ascii=False, default=str), every_secret)
    assert not _leaks(json.dumps(d_session, ensure_ascii=False, default=str), world.secrets["D"])


def _scan_value(value, secrets) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        return {needle for needle in secrets if needle.encode("utf-8") in raw}
    if isinstance(value, (dict, list)):
        return _leaks(json.dumps(value, ensure_ascii=False, default=str), secrets) | _leaks(json.dumps(value, default=str), secrets)
    text = str(value)
    return _leaks(text, secrets) | ({text} & secrets)


def test_the_database_and_the_stored_files_hold_no_plaintext_amount(app, sealed_world):
    world = sealed_world
    every_secret = set().union(*world.secrets.values())
    db.session.commit()
    scanned = 0
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)):
                for column, value in zip(table.columns, row):
                    leaked = _scan_value(value, every_secret)
                    assert not leaked, (table.name, column.name, leaked)
                    scanned += 1
    assert scanned > 100
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuoteDraft)) == 1  # D's draft was scanned too
    # files: every upload and generated document in the store (PDF text extracted), then the database file itself
    store = current_store()
    pdfs = 0
    for kind in KINDS:
        for key in store.keys(kind):
            data = store.get(key, kind)
            assert not _scan_value(data, every_secret), key
            if data.startswith(b"%PDF"):
                pdfs += 1
                text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True).stdout.decode("utf-8", "replace")
                assert not _leaks(text, every_secret), key
    assert pdfs >= 2  # the announcement and A's receipt at least
    url = str(db.engine.url)
    if url.startswith("sqlite"):
        database = Path(db.engine.url.database)
        for path in (database, Path(f"{database}-wal")):
            if path.exists():
                assert not _scan_value(path.read_bytes(), every_secret), path


def test_sealed_rows_do_not_reveal_the_number_of_digits(app, sealed_world):
    """Padding: quotes with different amounts seal to the same length."""
    lengths = {len(quote.sealed) for quote in db.session.scalars(sa.select(SealedQuote))}
    assert len(lengths) == 1


def test_after_the_opening_the_amounts_appear_where_they_should(app, sealed_world, clock):
    """The check above can fail: the same needles are found once the quotes are opened."""
    from procurement.services import opening

    world = sealed_world
    clock.set(world.project.opening_at + timedelta(minutes=1))
    opening.open_quotes(world.project.id, world.buyer)
    client = app.test_client()
    AuthActions(client).login(world.buyer.email)
    html = client.get(f"/buyer/projects/{world.project.id}/opening").get_data(as_text=True)
    assert "7,173.50" in html and "6,730.50" in html  # A's final version and B
    assert "7,420.50" not in html  # A's first version was replaced, never opened
    assert "6,511.10" not in html  # D only reviewed: nothing of it was submitted
    assert quote_drafts.count() == 0  # the opening voided D's unconfirmed review


# --------------------------------------------------------------------------- the open data (issue 16)

SEALED_KEYS = {"bids", "tenderers", "numberOfTenderers", "awards", "value", "amount"}


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | set().union(*(_keys(item) for item in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_keys(item) for item in value)) if value else set()
    return set()


def _api_urls(app, world) -> list[str]:
    """Every API route (filled like the page walk), its filters, and every document's verification and PDF."""
    from procurement.models import GeneratedDocument

    urls = [url for url in _urls(app, world.project) if url.startswith("/api/")]
    urls += [f"/api/v1/projects?{query}" for query in ("status=active", "published_from=2024-12-01", "per_page=100", "page=2")]
    urls += ["/api/v1/results?per_page=100"]
    for code in db.session.scalars(sa.select(GeneratedDocument.verification_code)):
        urls += [f"/api/v1/documents/{code}", f"/api/v1/documents/{code}.pdf"]
    return sorted(set(urls))


def _registrant_names(world) -> set[str]:
    return {user.company.name for user in world.suppliers.values()}


def test_no_api_answer_or_release_carries_an_amount_or_a_registrant_before_opening(app, sealed_world):
    from procurement.models import OcdsRelease

    world = sealed_world
    every_secret = set().union(*world.secrets.values())
    names = _registrant_names(world)
    urls = _api_urls(app, world)
    assert f"/api/v1/projects/{world.project.id}/releases" in urls and f"/api/v1/projects/{world.project.id}/record" in urls
    answered = set()
    for client in (app.test_client(), world.client_a):  # the public, and a supplier that quoted (its cookie)
        for url in urls:
            with client.get(url) as response:
                body = _readable(response) + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
                assert not _leaks(body, every_secret), (url, _leaks(body, every_secret))
                assert not {name for name in names if name in body}, (url, response.status_code)
                if response.status_code == 200:
                    answered.add(url.split("?")[0])
                if response.mimetype == "application/json" and response.status_code == 200 and not url.endswith("openapi.json"):
                    leaked_keys = _keys(response.get_json()) & SEALED_KEYS
                    assert not leaked_keys, (url, leaked_keys)
    assert {f"/api/v1/projects/{world.project.id}/releases", f"/api/v1/projects/{world.project.id}/record", "/api/v1/projects"} <= answered
    releases = db.session.scalars(sa.select(OcdsRelease).where(OcdsRelease.project_id == world.project.id)).all()
    tags = [row.tag for row in releases]
    # Publication and its announcement PDF; the world's correction notice (for the notifications) and its PDF.
    assert tags[:2] == ["tender", "tenderUpdate"] and set(tags) <= {"tender", "tenderUpdate", "tenderAmendment"}, tags
    for row in releases:
        release = json.loads(row.body)
        assert not _leaks(row.body, every_secret) and not {name for name in names if name in row.body}, row.release_id
        assert not _keys(release) & SEALED_KEYS, row.release_id
        assert [party["roles"] for party in release["parties"]] == [["buyer", "procuringEntity"]]


def test_after_the_opening_the_api_names_the_tenderers_and_only_them(app, sealed_world, clock):
    """The check above can fail: once opened, A and B (who quoted) appear; C and D (registered, no quote) never."""
    from procurement.services import opening

    world = sealed_world
    clock.set(world.project.opening_at + timedelta(minutes=1))
    opening.open_quotes(world.project.id, world.buyer)
    body = app.test_client().get(f"/api/v1/projects/{world.project.id}/releases").get_data(as_text=True)
    a, b, c, d = (world.suppliers[key].company.name for key in "ABCD")
    assert a in body and b in body and '"numberOfTenderers":2' in body
    assert c not in body and d not in body
COMPANIES = {"A": "拉萨甲商贸有限公司", "B": "拉萨乙文具有限公司", "C": "拉萨丙纸业有限公司", "D": "拉萨丁办公设备有限公司"}


def _mail_text(message) -> str:
    """A parsed mail's headers and decoded bodies (a base64 or quoted-printable body hides nothing)."""
    return "\n".join([str(message["Subject"]), str(message["To"]), body_text(message), body_text(message, "html")])


def _others(name: str) -> set[str]:
    return {company for other, company in COMPANIES.items() if other != name}


def test_no_notification_mail_or_outbox_file_carries_an_amount_or_names_another_supplier(app, sealed_world):
    """Registrations (mailed to the outbox), a correction notice, an RFQ document and the quote
    deadline's reminder (received by a real SMTP server), all before the opening."""
    world = sealed_world
    every_secret = set().union(*world.secrets.values())
    by_user = {user.id: name for name, user in world.suppliers.items()}
    by_address = {user.email: name for name, user in world.suppliers.items()}

    notes = db.session.scalars(sa.select(Notification).order_by(Notification.id)).all()
    assert {note.kind for note in notes} >= {"registration_checked", "project_amended", "rfq_changed", "quote_deadline_reminder"}
    for note in notes:
        text = "\n".join([note.title, note.body, note.link or ""])
        assert not _leaks(text, every_secret), (note.kind, text)
        if note.user_id in by_user:
            assert not _leaks(text, _others(by_user[note.user_id])), (note.kind, text)
    [reminder_a] = [n for n in notes if n.kind == "quote_deadline_reminder" and n.user_id == world.suppliers["A"].id]
    assert "第 2 版" in reminder_a.body  # which version counts, without its amount
    [reminder_c] = [n for n in notes if n.kind == "quote_deadline_reminder" and n.user_id == world.suppliers["C"].id]
    assert "没有有效的报价" in reminder_c.body

    rows = db.session.scalars(sa.select(MailMessage)).all()
    assert len(rows) >= 4 * 4
    for row in rows:
        text = "\n".join([row.subject, row.text_body or "", row.html_body or ""])
        assert not _leaks(text, every_secret), (row.kind, row.subject)
        if row.user_id in by_user:
            assert not _leaks(text, _others(by_user[row.user_id])), (row.kind, row.subject)

    files = sorted(transport.outbox_folder(app).glob("*.eml"))
    assert len(files) == 4  # the four registrations, before the SMTP server took over
    for path in files:
        raw = path.read_bytes()
        assert not _scan_value(raw, every_secret), path
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        text = _mail_text(parsed)
        assert "报名已通过资格审核" in text
        assert not _leaks(text, every_secret), path
        recipient = next(name for address, name in by_address.items() if address in str(parsed["To"]))
        assert not _leaks(text, _others(recipient)), path

    received = world.received
    assert len(received.messages) == 3 * 4  # notice, RFQ document, reminder: to each of the four
    for (_, recipients), message in zip(received.envelopes, received.messages):
        text = _mail_text(message)
        assert not _leaks(text, every_secret), message["Subject"]
        assert not _leaks(message.as_string(), every_secret), message["Subject"]
        [recipient] = [by_address[address] for address in recipients]
        assert not _leaks(text, _others(recipient)), (recipient, message["Subject"])
    assert sum("报价截止提醒" in message["Subject"] for message in received.messages) == 4
