"""The quote flow is post/redirect/get: entering redirects to a GET review page whose prices wait
server-side in an encrypted draft; confirming redirects to the receipt; a confirmation whose draft is
gone (confirmed, signed out, expired) or that comes after the deadline gets a clear message."""
from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import QuoteDraft, SealedQuote
from procurement.services import quote_drafts, quotes
from tests.conftest import CSRF_RE, AuthActions, post_form
from tests.factories import QUOTE_AT, make_accepted_registration, make_buyer, make_project, make_supplier

DEADLINE = datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING)
PRICES = ["25.50", "400", "12.30"]  # 2,550.00 + 4,000.00 + 246.00 = 6,796.00
NO_DRAFT = "没有待确认的报价"


@pytest.fixture
def world(app, clock):
    """A published project, an accepted supplier signed in, the clock inside the quoting period."""
    buyer = make_buyer()
    project = make_project(buyer, clock)
    supplier = make_supplier(company_name="拉萨雪域办公用品有限公司")
    registration = make_accepted_registration(project, supplier, clock)
    clock.set(QUOTE_AT)
    client = app.test_client()
    AuthActions(client).login(supplier.email)

    class World:
        pass

    w = World()
    w.project, w.supplier, w.registration, w.client, w.buyer = project, supplier, registration, client, buyer
    w.base = f"/supplier/projects/{project.id}/quote"
    w.fields = lambda texts, version=0: {
        f"price_{item.id}": text for item, text in zip(project.items, texts)
    } | {"expected_version": str(version)}
    return w


def _versions(registration_id) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(SealedQuote.version).where(SealedQuote.registration_id == registration_id).order_by(SealedQuote.version)
        )
    )


def _enter(world, texts, version=0, client=None):
    client = client or world.client
    return post_form(client, f"{world.base}/review", world.fields(texts, version), page=world.base)


def _confirm_fields(html: str) -> dict:
    fields = dict(re.findall(r'name="(expected_version|draft)" type="hidden" value="([^"]*)"', html))
    fields["csrf_token"] = CSRF_RE.search(html).group(1)
    return fields


def test_entering_redirects_to_a_get_review_page_that_keeps_the_prices_server_side(app, world):
    entered = _enter(world, PRICES)
    assert entered.status_code == 302
    assert entered.headers["Location"].endswith(f"{world.base}/review")
    review = world.client.get(entered.headers["Location"])  # a GET: reloading or going back repeats nothing
    assert review.status_code == 200
    assert review.headers["Cache-Control"] == "no-store"
    html = review.get_data(as_text=True)
    for figure in ("¥2,550.00", "¥4,000.00", "¥246.00", "¥6,796.00", "人民币陆仟柒佰玖拾陆元整"):
        assert figure in html
    # the confirm form carries the draft's token and the version, never a price
    confirm_form = re.search(r'<form[^>]*data-testid="confirm-form".*?</form>', html, re.S).group(0)
    assert 'name="price_' not in confirm_form and "25.50" not in confirm_form
    assert re.search(r'name="draft" type="hidden" value="[0-9a-f]{32}"', confirm_form)
    # reloading the review is harmless and shows the same
    assert "¥6,796.00" in world.client.get(f"{world.base}/review").get_data(as_text=True)
    # one encrypted draft row, no plaintext; nothing submitted yet
    [row] = db.session.scalars(sa.select(QuoteDraft)).all()
    assert b"25.50" not in row.sealed and b"6796" not in row.sealed
    assert len(row.sealed) % 512 == 40  # padded to the block (plus nonce and tag): the length tells no digits
    assert _versions(world.registration.id) == []
    session_data = app.session_interface.get_signing_serializer(app).loads(world.client.get_cookie("session").value)
    assert "25.50" not in json.dumps(session_data) and "6,796" not in json.dumps(session_data)


def test_back_to_edit_shows_the_prices_and_the_copy_is_a_get_download(app, world):
    _enter(world, PRICES)
    sheet = world.client.get(world.base).get_data(as_text=True)  # "返回修改"
    assert 'value="25.50"' in sheet and 'value="400.00"' in sheet and 'value="12.30"' in sheet
    with world.client.get(f"{world.base}/copy.xlsx") as response:
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        book = load_workbook(io.BytesIO(response.data))
    assert [Decimal(str(book.active[f"G{row}"].value)) for row in (5, 6, 7)] == [Decimal("25.50"), Decimal("400"), Decimal("12.30")]


def test_an_invalid_entry_still_answers_400_beside_the_line_and_keeps_no_draft(app, world):
    response = _enter(world, ["25", "400", "12.345"])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'data-field-error="price_{world.project.items[2].id}"' in html and "金额最多两位小数" in html
    assert 'value="12.345"' in html
    assert quote_drafts.count() == 0


def test_confirm_redirects_to_the_receipt_and_the_review_is_gone_afterwards(app, world):
    review = world.client.get(_enter(world, PRICES).headers["Location"])
    confirmed = world.client.post(f"{world.base}/confirm", data=_confirm_fields(review.get_data(as_text=True)))
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"].endswith(f"{world.base}/receipts/1")
    assert world.client.get(confirmed.headers["Location"]).status_code == 200
    assert quote_drafts.count() == 0 and _versions(world.registration.id) == [1]
    # the back button re-requests the review page: it sends the supplier to the sheet, explained
    back = world.client.get(f"{world.base}/review")
    assert back.status_code == 302 and back.headers["Location"].endswith(world.base)
    sheet = world.client.get(back.headers["Location"])
    html = sheet.get_data(as_text=True)
    assert sheet.status_code == 200 and NO_DRAFT in html
    assert "您已有有效报价（第1版）" in html
    assert 'value="25.50"' not in html  # once sealed, the sheet no longer shows the amounts
    assert world.client.get(f"{world.base}/copy.xlsx").status_code == 302  # nor does the copy


def test_an_uploaded_sheet_redirects_to_the_same_review_and_confirms(app, world):
    with world.client.get(f"{world.base}/sheet.xlsx") as response:
        book = load_workbook(io.BytesIO(response.data))
    book.active["G5"], book.active["G6"], book.active["G7"] = 25.5, "400", 12.3
    buffer = io.BytesIO()
    book.save(buffer)
    uploaded = post_form(
        world.client,
        f"{world.base}/upload",
        {"expected_version": "0", "file": (io.BytesIO(buffer.getvalue()), "报价单.xlsx")},
        page=world.base,
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302 and uploaded.headers["Location"].endswith(f"{world.base}/review")
    review = world.client.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert "¥6,796.00" in review
    confirmed = world.client.post(f"{world.base}/confirm", data=_confirm_fields(review))
    assert confirmed.headers["Location"].endswith("/receipts/1")


@pytest.mark.parametrize("how", ["signed_out", "deleted", "other_session"])
def test_confirming_after_the_draft_is_gone_gives_a_clear_message(app, world, how):
    review = world.client.get(_enter(world, PRICES).headers["Location"]).get_data(as_text=True)
    client = world.client
    if how == "signed_out":  # signing out ends the review: its drafts are deleted
        AuthActions(world.client).logout()
        assert quote_drafts.count() == 0
        AuthActions(world.client).login(world.supplier.email)
    elif how == "deleted":  # e.g. removed by the opening housekeeping
        quote_drafts.discard(world.registration.id)
        db.session.commit()
    else:  # the same account in another browser: the draft's key half lives in the first one's cookie
        client = app.test_client()
        AuthActions(client).login(world.supplier.email)
    data = _confirm_fields(review)
    data["csrf_token"] = CSRF_RE.search(client.get(world.base).get_data(as_text=True)).group(1)
    response = client.post(f"{world.base}/confirm", data=data, follow_redirects=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert NO_DRAFT in html and "请重新填写报价单" in html
    assert 'data-testid="quote-form"' in html  # on the sheet, ready to enter again
    assert _versions(world.registration.id) == []


def test_a_double_confirm_stores_one_version_and_says_so(app, world):
    review = world.client.get(_enter(world, PRICES).headers["Location"]).get_data(as_text=True)
    data = _confirm_fields(review)
    first = world.client.post(f"{world.base}/confirm", data=data)
    second = world.client.post(f"{world.base}/confirm", data=data)
    assert first.headers["Location"].endswith("/receipts/1") and second.headers["Location"].endswith("/receipts/1")
    assert "本次操作未重复生效" in world.client.get(second.headers["Location"]).get_data(as_text=True)
    assert _versions(world.registration.id) == [1]


@pytest.mark.parametrize("at", [DEADLINE, DEADLINE + timedelta(days=1)])
def test_confirming_or_reviewing_after_the_deadline_gives_the_deadline_message_and_drops_the_draft(app, world, clock, at):
    review = world.client.get(_enter(world, PRICES).headers["Location"]).get_data(as_text=True)
    clock.set(at)
    response = world.client.post(f"{world.base}/confirm", data=_confirm_fields(review), follow_redirects=True)
    assert response.status_code == 200
    assert "报价截止时间（2025年1月2日16点00分，北京时间）已到，不再接受报价、修改或撤回" in response.get_data(as_text=True)
    assert _versions(world.registration.id) == [] and quote_drafts.count() == 0
    again = world.client.get(f"{world.base}/review", follow_redirects=True)
    assert again.status_code == 200 and "不再接受报价" in again.get_data(as_text=True)


def test_a_review_page_made_before_another_window_entered_new_prices_asks_to_review_again(app, world):
    old_review = world.client.get(_enter(world, PRICES).headers["Location"]).get_data(as_text=True)
    _enter(world, ["24", "390", "12"])  # a second tab: 2,400 + 3,900 + 240 = 6,540.00
    response = world.client.post(f"{world.base}/confirm", data=_confirm_fields(old_review))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{world.base}/review")
    page = world.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "报价单已在其他窗口重新填写" in page and "¥6,540.00" in page
    assert _versions(world.registration.id) == []
    assert world.client.post(f"{world.base}/confirm", data=_confirm_fields(page)).headers["Location"].endswith("/receipts/1")


def test_a_forged_confirm_form_answers_400_on_the_review_page(app, world):
    review = world.client.get(_enter(world, PRICES).headers["Location"]).get_data(as_text=True)
    data = _confirm_fields(review) | {"draft": "²" * 40}
    response = world.client.post(f"{world.base}/confirm", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "页面已过期，未能提交" in html and "¥6,796.00" in html
    assert _versions(world.registration.id) == []


def test_withdrawing_deletes_a_pending_review(app, world):
    review = world.client.get(_enter(world, PRICES).headers["Location"]).get_data(as_text=True)
    world.client.post(f"{world.base}/confirm", data=_confirm_fields(review))
    _enter(world, ["24", "390", "12"], version=1)
    assert quote_drafts.count() == 1
    hub = f"/supplier/projects/{world.project.id}"
    assert post_form(world.client, f"{world.base}/withdraw", {"expected_version": "1"}, page=hub).status_code == 302
    assert quote_drafts.count() == 0


def test_a_draft_reads_back_only_with_its_session_half_and_the_server_secret(app, world, monkeypatch):
    key = quote_drafts.new_session_key()
    prices = {item.id: Decimal(text) for item, text in zip(world.project.items, PRICES)}
    quote_drafts.save(world.registration, world.supplier.id, prices, 0, key)
    assert quote_drafts.load(world.registration, world.supplier.id, key).prices == prices
    assert quote_drafts.load(world.registration, world.supplier.id, quote_drafts.new_session_key()) is None
    assert quote_drafts.load(world.registration, world.supplier.id, None) is None
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret")
    assert quote_drafts.load(world.registration, world.supplier.id, key) is None
    monkeypatch.undo()
    row = db.session.scalar(sa.select(QuoteDraft))
    row.user_id = world.buyer.id  # a row moved to another user does not decrypt: the key is bound to it
    db.session.commit()
    assert quote_drafts.load(world.registration, world.buyer.id, key) is None
    row.user_id = world.supplier.id
    db.session.commit()
    assert quote_drafts.load(world.registration, world.supplier.id, key) is not None
    row.token = "0" * 32  # nor does one whose token was changed
    db.session.commit()
    assert quote_drafts.load(world.registration, world.supplier.id, key) is None
    assert quotes.priced_sheet(world.project, prices).total == Decimal("6796.00")
