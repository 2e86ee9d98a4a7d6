"""Sealed quotes: the sheet (typed or XLSX), review with totals, confirm, revise, withdraw, receipts,
the deadline, and concurrency (double submits and racing the deadline)."""
from __future__ import annotations

import io
import re
import subprocess
import threading
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from procurement import audit
from procurement.domain.schedule import BEIJING
from procurement.domain.sealing import receipt_hash
from procurement.extensions import db
from procurement.models import AuditEvent, Registration, SealedQuote, User
from procurement.services import ServiceError, quotes
from tests.conftest import CSRF_RE, AuthActions, csrf_token, post_form
from tests.factories import (
    QUOTE_AT,
    make_accepted_registration,
    make_buyer,
    make_project,
    make_sealed_quote,
    make_supplier,
)

DEADLINE = datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING)


@pytest.fixture
def setup(app, clock):
    """A published project, an accepted supplier signed in, the clock inside the quoting period."""
    buyer = make_buyer()
    project = make_project(buyer, clock)
    supplier = make_supplier(company_name="拉萨雪域办公用品有限公司")
    registration = make_accepted_registration(project, supplier, clock)
    clock.set(QUOTE_AT)

    class Setup:
        pass

    s = Setup()
    s.buyer, s.project, s.supplier, s.registration = buyer, project, supplier, registration
    s.items = list(project.items)
    return s


def _prices(setup, texts):
    return {f"price_{item.id}": text for item, text in zip(setup.items, texts)}


def download(client, url):
    """GET a file and close the response: (status, mimetype, bytes)."""
    with client.get(url) as response:
        return response.status_code, response.mimetype, response.data


def _signed_in(app, user):
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


def _quote_url(setup, suffix=""):
    return f"/supplier/projects/{setup.project.id}/quote{suffix}"


def _enter(client, setup, texts, version=0):
    """POST the typed prices (step 1); a valid sheet answers a redirect to the GET review page."""
    data = _prices(setup, texts) | {"expected_version": str(version)}
    return post_form(client, _quote_url(setup, "/review"), data, page=_quote_url(setup))


def _review(client, setup, texts, version=0):
    """Enter the prices and, when accepted, GET the review page the entry redirected to."""
    response = _enter(client, setup, texts, version)
    if response.status_code != 302:
        return response
    assert response.headers["Location"].endswith(_quote_url(setup, "/review"))
    return client.get(response.headers["Location"])


def draft_token(html: str) -> str:
    """The review draft's token from a review page's confirm form."""
    return re.search(r'name="draft" type="hidden" value="([0-9a-f]{32})"', html).group(1)


def _confirm_data(client, setup, texts, version=0):
    """Enter and review ``texts``; return the review page's confirm form data (no prices in it)."""
    review = _review(client, setup, texts, version)
    assert review.status_code == 200, review.get_data(as_text=True)
    html = review.get_data(as_text=True)
    return {"csrf_token": CSRF_RE.search(html).group(1), "expected_version": str(version), "draft": draft_token(html)}


def _confirm(client, setup, texts, version=0):
    return client.post(_quote_url(setup, "/confirm"), data=_confirm_data(client, setup, texts, version))


def _current(registration_id):
    return db.session.scalars(
        sa.select(SealedQuote).where(SealedQuote.registration_id == registration_id, SealedQuote.is_current.is_(True))
    ).all()


def _all_versions(registration_id):
    return db.session.scalars(
        sa.select(SealedQuote).where(SealedQuote.registration_id == registration_id).order_by(SealedQuote.version)
    ).all()


# --- the sheet and the review step ----------------------------------------------------------


def test_review_shows_line_totals_and_the_total_in_capital_numerals_before_anything_is_stored(app, setup):
    client = _signed_in(app, setup.supplier)
    page = client.get(_quote_url(setup)).get_data(as_text=True)
    assert "复印纸" in page and "¥450.00" in page  # the lines and a ceiling
    response = _review(client, setup, ["25.50", "¥400", "12.3"])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # 100 × 25.50 = 2,550.00; 10 × 400 = 4,000.00; 20 × 12.30 = 246.00; total 6,796.00
    for figure in ("¥2,550.00", "¥4,000.00", "¥246.00", "¥6,796.00"):
        assert figure in html
    assert "人民币陆仟柒佰玖拾陆元整" in html
    assert "确认提交" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert _all_versions(setup.registration.id) == []  # reviewing stores nothing


def test_a_price_above_the_ceiling_is_refused_naming_the_line(app, setup):
    client = _signed_in(app, setup.supplier)
    response = _review(client, setup, ["30.01", "400", "12"])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    item = setup.items[0]
    assert f'data-field-error="price_{item.id}"' in html
    assert "第1项“复印纸”的单价超过最高限价 ¥30.00" in html
    assert 'value="30.01"' in html  # what was typed is kept


@pytest.mark.parametrize(
    "text, message",
    [("", "请输入金额"), ("-5", "金额不能为负数"), ("12.345", "金额最多两位小数"), ("0", "金额必须大于零"), ("abc", "请输入金额")],
)
def test_bad_prices_are_refused_beside_their_line(app, setup, text, message):
    client = _signed_in(app, setup.supplier)
    response = _review(client, setup, ["25", "400", text])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'data-field-error="price_{setup.items[2].id}"' in html
    assert message in html


def test_back_from_the_review_keeps_the_prices(app, setup):
    client = _signed_in(app, setup.supplier)
    assert _review(client, setup, ["25.50", "400.00", "12.30"]).status_code == 200
    response = client.get(_quote_url(setup))  # "返回修改" is a link now: the prices wait in the draft
    assert response.status_code == 200
    assert 'value="25.50"' in response.get_data(as_text=True)


# --- submit, revise, withdraw ---------------------------------------------------------------


def test_confirm_seals_a_version_and_shows_its_receipt(app, setup):
    client = _signed_in(app, setup.supplier)
    response = _confirm(client, setup, ["25.50", "400", "12.30"])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_quote_url(setup, "/receipts/1"))
    [quote] = _current(setup.registration.id)
    assert quote.version == 1 and quote.kind == "quote"
    assert quote.receipt_hash == receipt_hash(quote.sealed)
    assert b"25.50" not in quote.sealed  # sealed, not plaintext
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "密封报价回执" in html
    assert "拉萨雪域办公用品有限公司" in html and setup.project.code in html
    assert "第1版" in html
    assert quote.receipt_hash in html
    assert "2024年12月31日 10:00:00" in html  # server time, Beijing, to the second
    assert "6,796" not in html and "25.50" not in html  # a receipt carries no amount
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "quote.submit")).all()
    assert [e.details["version"] for e in events] == [1]
    assert events[0].details["receipt_hash"] == quote.receipt_hash


def test_a_revision_replaces_the_current_quote(app, setup, clock):
    client = _signed_in(app, setup.supplier)
    assert _confirm(client, setup, ["25.50", "400", "12.30"]).status_code == 302
    clock.set(QUOTE_AT + timedelta(hours=1))
    response = _confirm(client, setup, ["24.00", "390", "12.00"], version=1)
    assert response.headers["Location"].endswith("/receipts/2")
    versions = _all_versions(setup.registration.id)
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert versions[0].receipt_hash != versions[1].receipt_hash
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "quote.revise")) == 1
    hub = client.get(f"/supplier/projects/{setup.project.id}").get_data(as_text=True)
    assert "当前有效报价：第2版" in hub
    assert versions[1].receipt_hash in hub


def test_a_withdrawal_removes_the_current_quote(app, setup):
    client = _signed_in(app, setup.supplier)
    _confirm(client, setup, ["25.50", "400", "12.30"])
    response = post_form(
        client, _quote_url(setup, "/withdraw"), {"expected_version": "1"}, page=f"/supplier/projects/{setup.project.id}"
    )
    assert response.status_code == 302
    assert _current(setup.registration.id) == []
    versions = _all_versions(setup.registration.id)
    assert [(v.version, v.kind, v.is_current) for v in versions] == [(1, "quote", False), (2, "withdrawal", False)]
    hub = client.get(f"/supplier/projects/{setup.project.id}").get_data(as_text=True)
    assert "您已撤回报价，目前没有有效报价" in hub
    # and it may quote again before the deadline
    assert _confirm(client, setup, ["25", "400", "12"], version=2).headers["Location"].endswith("/receipts/3")
    assert [q.version for q in _current(setup.registration.id)] == [3]


def test_withdrawing_with_no_current_quote_is_refused(app, setup):
    with pytest.raises(ServiceError) as caught:
        quotes.withdraw_quote(setup.registration.id, setup.supplier)
    assert caught.value.code == "nothing_to_withdraw"


def test_a_double_click_stores_one_version_and_points_at_its_receipt(app, setup):
    client = _signed_in(app, setup.supplier)
    data = _confirm_data(client, setup, ["25.50", "400", "12.30"])
    first = client.post(_quote_url(setup, "/confirm"), data=data)
    second = client.post(_quote_url(setup, "/confirm"), data=data)
    assert first.headers["Location"].endswith("/receipts/1")
    assert second.headers["Location"].endswith("/receipts/1")
    assert len(_all_versions(setup.registration.id)) == 1
    assert "本次操作未重复生效" in client.get(second.headers["Location"]).get_data(as_text=True)


# --- the deadline ---------------------------------------------------------------------------


@pytest.mark.parametrize("at", [DEADLINE, DEADLINE + timedelta(microseconds=1), DEADLINE + timedelta(days=1)])
def test_submissions_at_and_after_the_deadline_are_refused_from_a_page_opened_before(app, setup, clock, at):
    client = _signed_in(app, setup.supplier)
    data = _confirm_data(client, setup, ["25", "400", "12"])  # reviewed before the deadline
    clock.set(at)
    response = client.post(_quote_url(setup, "/confirm"), data=data, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "报价截止时间（2025年1月2日16点00分，北京时间）已到，不再接受报价、修改或撤回" in html
    assert _all_versions(setup.registration.id) == []
    with pytest.raises(ServiceError) as caught:
        quotes.submit_quote(setup.registration.id, {i.id: Decimal("1") for i in setup.items}, setup.supplier)
    assert caught.value.code == "deadline_passed"


def test_one_microsecond_before_the_deadline_is_still_accepted(app, setup, clock):
    clock.set(DEADLINE - timedelta(microseconds=1))
    quote = quotes.submit_quote(setup.registration.id, {i.id: Decimal("1") for i in setup.items}, setup.supplier)
    assert quote.is_current


def test_revising_reviewing_and_withdrawing_after_the_deadline_are_refused(app, setup, clock):
    client = _signed_in(app, setup.supplier)
    _confirm(client, setup, ["25", "400", "12"])
    hub_url = f"/supplier/projects/{setup.project.id}"
    token = csrf_token(client, hub_url)
    clock.set(DEADLINE)
    for url, data in (
        (_quote_url(setup, "/withdraw"), {"expected_version": "1"}),
        (_quote_url(setup, "/review"), _prices(setup, ["1", "1", "1"]) | {"expected_version": "1"}),
        (_quote_url(setup, "/upload"), {"expected_version": "1"}),
    ):
        response = client.post(url, data=data | {"csrf_token": token}, follow_redirects=True)
        assert "不再接受报价、修改或撤回" in response.get_data(as_text=True), url
    assert [(v.version, v.is_current) for v in _all_versions(setup.registration.id)] == [(1, True)]
    page = client.get(_quote_url(setup)).get_data(as_text=True)
    assert 'data-testid="quote-closed"' in page and 'data-testid="quote-form"' not in page


def test_a_registration_that_is_not_accepted_cannot_quote(app, setup, clock):
    other = make_supplier()
    registration = make_accepted_registration(setup.project, other, clock)
    registration.status = "draft"
    db.session.commit()
    client = _signed_in(app, other)
    response = client.get(_quote_url(setup), follow_redirects=True)
    assert "报名审核通过后才能报价" in response.get_data(as_text=True)
    with pytest.raises(ServiceError) as caught:
        quotes.submit_quote(registration.id, {i.id: Decimal("1") for i in setup.items}, other)
    assert caught.value.code == "not_accepted"


def test_another_suppliers_receipt_is_404(app, setup):
    make_sealed_quote(setup.registration, setup.supplier, ["25", "400", "12"])
    other = make_supplier()
    make_accepted_registration(setup.project, other)
    client = _signed_in(app, other)
    assert client.get(_quote_url(setup, "/receipts/1")).status_code == 404
    assert client.get(_quote_url(setup, "/receipts/1.pdf")).status_code == 404


def test_the_receipt_pdf_carries_project_supplier_version_time_and_hash(app, setup):
    quote = make_sealed_quote(setup.registration, setup.supplier, ["25", "400", "12"])
    client = _signed_in(app, setup.supplier)
    status, mimetype, data = download(client, _quote_url(setup, "/receipts/1.pdf"))
    assert status == 200 and mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    compact = re.sub(r"\s+", "", text)
    assert "密封报价回执" in compact and setup.project.code in compact and "拉萨雪域办公用品有限公司" in compact
    assert "第1版" in compact and "2024年12月31日10:00:00" in compact
    assert quote.receipt_hash in compact
    assert download(client, _quote_url(setup, "/receipts/1.pdf"))[2] == data  # stored, served byte for byte


# --- XLSX -----------------------------------------------------------------------------------


def _downloaded_sheet(client, setup):
    status, _, data = download(client, _quote_url(setup, "/sheet.xlsx"))
    assert status == 200
    return load_workbook(io.BytesIO(data))


def _upload(client, setup, data: bytes, version=0):
    return post_form(
        client,
        _quote_url(setup, "/upload"),
        {"expected_version": str(version), "file": (io.BytesIO(data), "报价单.xlsx")},
        page=_quote_url(setup),
        content_type="multipart/form-data",
    )


def _save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_the_xlsx_sheet_round_trips_to_the_review(app, setup):
    client = _signed_in(app, setup.supplier)
    book = _downloaded_sheet(client, setup)
    sheet = book.active
    assert sheet["B2"].value == setup.project.code
    assert [sheet[f"B{row}"].value for row in (5, 6, 7)] == ["复印纸", "硒鼓", "中性笔"]
    sheet["G5"], sheet["G6"], sheet["G7"] = 25.5, "400", 12.3
    uploaded = _upload(client, setup, _save(book))
    assert uploaded.status_code == 302 and uploaded.headers["Location"].endswith(_quote_url(setup, "/review"))
    response = client.get(uploaded.headers["Location"])
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "¥6,796.00" in html and "人民币陆仟柒佰玖拾陆元整" in html
    assert _all_versions(setup.registration.id) == []


@pytest.mark.parametrize(
    "cell, value, message",
    [
        ("G6", "450.01", "第6行 G列：第2项“硒鼓”的单价超过最高限价 ¥450.00"),
        ("G7", "12.345", "第7行 G列：金额最多两位小数"),
        ("G5", None, "第5行 G列：请输入金额"),
        ("G7", "-3", "第7行 G列：金额不能为负数"),
    ],
)
def test_a_bad_cell_is_named_by_row_and_column(app, setup, cell, value, message):
    client = _signed_in(app, setup.supplier)
    book = _downloaded_sheet(client, setup)
    sheet = book.active
    sheet["G5"], sheet["G6"], sheet["G7"] = "25", "400", "12"
    sheet[cell] = value
    response = _upload(client, setup, _save(book))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_moved_row_and_a_foreign_or_broken_file_are_refused(app, setup):
    client = _signed_in(app, setup.supplier)
    book = _downloaded_sheet(client, setup)
    book.active["B6"] = "别的东西"
    assert "第6行 A列：该行应为第2项“硒鼓”" in _upload(client, setup, _save(book)).get_data(as_text=True)
    other = Workbook()
    other.active["B2"] = "OTHER-001"
    assert "这不是本项目" in _upload(client, setup, _save(other)).get_data(as_text=True)
    response = _upload(client, setup, b"%PDF-1.4 not a sheet")
    assert response.status_code == 400
    assert "无法读取该文件" in response.get_data(as_text=True)


def test_the_filled_copy_is_made_into_the_response_only(app, setup):
    client = _signed_in(app, setup.supplier)
    assert _review(client, setup, ["25.50", "400", "12.30"]).status_code == 200
    response = client.get(_quote_url(setup, "/copy.xlsx"))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [Decimal(str(sheet[f"G{row}"].value)) for row in (5, 6, 7)] == [Decimal("25.50"), Decimal("400"), Decimal("12.30")]
    assert _all_versions(setup.registration.id) == []


# --- concurrency ----------------------------------------------------------------------------


class TickingClock:
    """A thread-safe clock that moves ``step`` forward on every reading (for racing the deadline)."""

    simulated = True

    def __init__(self, start: datetime, step: timedelta) -> None:
        self._next = start
        self._step = step
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            value = self._next
            self._next += self._step
            return value


def _race(app, jobs):
    """Run ``jobs`` (callables taking no argument) in threads, each in its own app context."""
    # End this thread's transaction: on SQLite it holds the write lock (BEGIN IMMEDIATE).
    db.session.commit()
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        with app.app_context():
            barrier.wait()
            try:
                results[index] = ("ok", job())
            except ServiceError as error:
                db.session.rollback()
                results[index] = ("refused", error.code)
            except Exception as error:  # reported, so the assertion shows it
                db.session.rollback()
                results[index] = ("error", repr(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def _submit_job(registration_id, user_id, item_ids, price, expected=None):
    def job():
        user = db.session.get(User, user_id)
        quote = quotes.submit_quote(registration_id, {i: Decimal(price) for i in item_ids}, user, expected_version=expected)
        return (quote.id, quote.version, quote.receipt_hash)

    return job


def test_concurrent_double_submits_store_one_version(app, setup):
    item_ids = [i.id for i in setup.items]
    results = _race(app, [_submit_job(setup.registration.id, setup.supplier.id, item_ids, "10", expected=0) for _ in range(6)])
    db.session.expire_all()
    accepted = [r for r in results if r[0] == "ok"]
    assert len(accepted) == 1
    assert all(r == ("refused", "stale_version") for r in results if r[0] != "ok")
    versions = _all_versions(setup.registration.id)
    assert [(v.version, v.is_current, v.receipt_hash) for v in versions] == [(1, True, accepted[0][1][2])]


def test_concurrent_submits_without_a_version_check_never_make_two_current(app, setup):
    item_ids = [i.id for i in setup.items]
    results = _race(app, [_submit_job(setup.registration.id, setup.supplier.id, item_ids, str(10 + n)) for n in range(8)])
    db.session.expire_all()
    assert all(r[0] == "ok" for r in results)
    versions = _all_versions(setup.registration.id)
    assert sorted(v.version for v in versions) == list(range(1, 9))  # none lost, none duplicated
    assert [v.version for v in versions if v.is_current] == [8]
    assert {r[1][2] for r in results} == {v.receipt_hash for v in versions}
    assert all(status.ok for status in audit.verify())  # eight appends to one chain, queued on its head


def test_racing_the_deadline_loses_no_accepted_quote(app, setup, clock):
    """Twelve suppliers submit at once while the clock crosses the deadline; every accepted quote is kept and opened."""
    from procurement.services import opening

    users, registrations = [], []
    for _ in range(12):
        user = make_supplier()
        users.append(user)
        registrations.append(make_accepted_registration(setup.project, user))
    item_ids = [i.id for i in setup.items]
    step = timedelta(milliseconds=1)
    # Each submission reads the clock about twice (its own reading and the audit event's).
    app.extensions["clock"] = TickingClock(DEADLINE - 9 * step, step)
    results = _race(app, [_submit_job(r.id, u.id, item_ids, "10") for r, u in zip(registrations, users)])
    app.extensions["clock"] = clock
    db.session.expire_all()
    accepted = {registrations[i].id: r[1] for i, r in enumerate(results) if r[0] == "ok"}
    refused = [r for r in results if r[0] != "ok"]
    assert accepted and refused, results  # the race really crossed the deadline
    assert all(r == ("refused", "deadline_passed") for r in refused)
    stored = db.session.scalars(sa.select(SealedQuote).join(Registration).where(Registration.project_id == setup.project.id)).all()
    assert {q.registration_id: (q.id, q.version, q.receipt_hash) for q in stored} == accepted  # none lost, none extra
    assert all(q.is_current and q.submitted_at < DEADLINE for q in stored)
    assert all(status.ok for status in audit.verify())
    clock.set(DEADLINE + timedelta(minutes=5))
    opened = opening.open_quotes(setup.project.id, setup.buyer)
    assert {o.registration_id for o in opened} == set(accepted)


def test_a_sheet_that_inflates_beyond_reason_is_refused_unread(app, setup):
    client = _signed_in(app, setup.supplier)
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", b"\0" * (30 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    response = _upload(client, setup, buffer.getvalue())
    assert response.status_code == 400
    assert "可能是“压缩炸弹”，不予接受" in response.get_data(as_text=True)
