"""Issue 10 point 11: wording and small things users tripped on.

The public badge after the deadline, the opening record's table layout, the deadline sentence
without JavaScript, duplicate refusals, ASCII fallback file names, the favicon, and the buyer's
wording on a refused RFQ upload.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
from datetime import datetime, timedelta
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from procurement.domain.qualification import ARTICLE22_DECLARATIONS
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import Registration
from procurement.services import opening, rfq
from tests.conftest import AuthActions, post_form
from tests.factories import (
    QUOTE_AT,
    REGISTRATION_OPEN_AT,
    make_accepted_registration,
    make_all_blacklists,
    make_blacklist,
    make_buyer,
    make_project,
    make_sealed_quote,
    make_supplier,
    tiny_pdf,
)

DEADLINE = datetime(2025, 1, 2, 16, 0, tzinfo=BEIJING)
LONG_NAME = "西藏自治区拉萨市城关区雪域高原现代办公用品综合贸易有限责任公司"


def _client(app, user):
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


def _pdf_layout(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


# --- (b) the opening record's table -------------------------------------------------------------


@pytest.fixture
def opened_long_name(app, clock):
    """An opened project whose one quoting supplier has a 26-character name."""
    buyer = make_buyer()
    project = make_project(buyer, clock)
    user = make_supplier(company_name=LONG_NAME)
    registration = make_accepted_registration(project, user, clock)
    make_sealed_quote(registration, user, ["29.99", "449.99", "99.99"], clock, at=QUOTE_AT)
    clock.set(DEADLINE + timedelta(minutes=3))
    opening.open_quotes(project.id, buyer)
    return buyer, project, user


def test_the_opening_record_headers_stay_on_one_line_and_a_long_name_is_kept_whole(app, opened_long_name):
    buyer, project, _user = opened_long_name
    with _client(app, buyer).get(f"/buyer/projects/{project.id}/opening-record.pdf") as response:
        assert response.status_code == 200
        data = response.data
    if os.environ.get("SMALL_PDF_OUT"):
        with open(os.environ["SMALL_PDF_OUT"], "wb") as out:
            out.write(data)
    lines = _pdf_layout(data).splitlines()
    header = next(line for line in lines if "序号" in line)
    assert header.split() == ["序号", "供应商", "报价总价（小写）", "报价总价（大写）", "最终提交时间"]
    # The supplier cell: its first word on each line from the row's number to the hash line.
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("1 "))
    cell = []
    for line in lines[start:]:
        if "回执哈希" in line:
            break
        words = line.split()
        if words and words[0] == "1":
            words = words[1:]
        if words and not words[0][0].isdigit() and not words[0].startswith(("¥", "人民币", "（")):
            cell.append(words[0])
    assert "".join(cell) == LONG_NAME
    # Lines end only where the name's parts do (places, trade name, legal form), never inside one.
    ends = {len("".join(cell[: i + 1])) for i in range(len(cell))}
    assert len(cell) > 1 and ends <= {5, 8, 11, len(LONG_NAME) - 6, len(LONG_NAME)}, cell


# --- (d) a refusal is said once -----------------------------------------------------------------


def _registration_form(kinds=("business_licence", "bank_permit", "legal_rep_id", "premises_proof")) -> dict:
    data = {"registrant": "legal_rep", "entity": "single", **{key: "y" for key in ARTICLE22_DECLARATIONS}}
    for kind in kinds:
        data[kind] = (io.BytesIO(tiny_pdf(kind)), f"{kind}.pdf")
    return data


def _visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def listed_twice(app, clock):
    """A supplier listed twice on one list (two sources) and a project open for registration."""
    buyer = make_buyer()
    project = make_project(buyer, clock)
    make_all_blacklists(buyer)
    clock.set(REGISTRATION_OPEN_AT)
    user = make_supplier(company_name="拉萨重复商贸有限公司")
    rows = [
        {"name": user.company.name, "uscc": user.company.uscc, "source": "中国执行信息公开网", "listed_from": "2024-01-01"},
        {"name": user.company.name, "uscc": user.company.uscc, "source": "信用中国", "listed_from": "2024-03-01"},
    ]
    make_blacklist("dishonest_debtor", rows, actor=buyer)
    return buyer, project, user


def test_the_supplier_and_the_buyer_see_each_refusal_once(app, listed_twice):
    buyer, project, user = listed_twice
    client = _client(app, user)
    url = f"/supplier/projects/{project.id}/registration"
    response = post_form(client, url, _registration_form(), content_type="multipart/form-data")
    assert response.status_code == 302
    page = _visible(client.get(response.headers["Location"]).get_data(as_text=True))
    # The hit names the list version it matched (point 10): one version, so one text.
    hit = f"失信被执行人（统一社会信用代码一致：{user.company.name}，{user.company.uscc}；名单版本："
    assert f"已被列入以下名单，不得参加本次采购：{hit}" in page
    assert page.count(hit) == 1
    # The outcome is said once: the section's alert, not a flash repeating it above.
    assert page.count("自动审核未通过") == 1

    registration = db.session.scalar(sa.select(Registration).where(Registration.project_id == project.id))
    buyer_page = _visible(_client(app, buyer).get(f"/buyer/projects/{project.id}/registrations/{registration.id}").get_data(as_text=True))
    assert buyer_page.count(hit) == 1


# --- (a) the public list after the deadline ----------------------------------------------------


def test_the_public_list_says_the_deadline_has_passed_while_the_quotes_wait_to_be_opened(app, clock):
    project = make_project(make_buyer(), clock)
    clock.set(DEADLINE - timedelta(minutes=1))
    before = app.test_client().get("/").get_data(as_text=True)
    assert 'data-testid="phase">报价中<' in before
    clock.set(DEADLINE + timedelta(minutes=1))
    for url in ("/", f"/notices/{project.id}"):
        html = app.test_client().get(url).get_data(as_text=True)
        assert 'data-testid="phase">已截止，待开启<' in html, url
        assert 'data-testid="phase">待开启<' not in html, url


# --- (c) the deadline as text without JavaScript -----------------------------------------------

SENTENCE = "报价截止时间：2025年1月2日16:00（北京时间）"


def test_the_notice_page_states_the_deadline_without_javascript(app, clock):
    project = make_project(make_buyer(), clock)
    clock.set(QUOTE_AT)
    html = app.test_client().get(f"/notices/{project.id}").get_data(as_text=True)
    countdown = re.search(r'<span class="[^"]*" data-testid="countdown">(.*?)</span>。</span>', html, re.S)
    assert countdown, "the countdown sentence is missing"
    assert re.sub(r"<[^>]+>", "", countdown.group(0)) == SENTENCE + "。"
    assert "—</span>" not in html


def test_the_supplier_quote_step_states_the_deadline_without_javascript(app, clock):
    project = make_project(make_buyer(), clock)
    user = make_supplier()
    make_accepted_registration(project, user, clock)
    clock.set(QUOTE_AT)
    page = _visible(_client(app, user).get(f"/supplier/projects/{project.id}").get_data(as_text=True))
    assert f"{SENTENCE} 。 截止前可以修改或撤回" in page or f"{SENTENCE}。 截止前可以修改或撤回" in page
    assert "剩余 。" not in page and "剩余。" not in page


# --- (e) file names: a UTF-8 name and a real ASCII fallback ------------------------------------


def _disposition(response) -> tuple[str, str, str | None]:
    """(type, ASCII filename, decoded filename*) of a response's Content-Disposition."""
    value = response.headers["Content-Disposition"]
    kind = value.split(";", 1)[0].strip()
    plain = re.search(r'filename="([^"]*)"', value)
    extended = re.search(r"filename\*=UTF-8''([^;\s]+)", value)
    return kind, plain.group(1) if plain else "", unquote(extended.group(1)) if extended else None


@pytest.fixture
def rfq_project(app, clock):
    """A project with two RFQ documents under Chinese names and a supplier allowed to download them."""
    buyer = make_buyer()
    project = make_project(buyer, clock)
    rfq.add_file(project, FileStorage(io.BytesIO(tiny_pdf("rfq")), filename="询比价文件.pdf"), "询比价文件", buyer)
    rfq.add_file(project, FileStorage(io.BytesIO(tiny_pdf("boq")), filename="采购清单.pdf"), "采购清单", buyer)
    user = make_supplier()
    make_accepted_registration(project, user, clock)
    return buyer, project, user


def test_the_rfq_download_has_an_ascii_fallback_and_the_utf8_name(app, rfq_project):
    buyer, project, user = rfq_project
    first, second = sorted(project.files, key=lambda f: f.id)
    for client, prefix in ((_client(app, user), "/supplier"), (_client(app, buyer), "/buyer")):
        for project_file, number, name in ((first, 1, "询比价文件.pdf"), (second, 2, "采购清单.pdf")):
            with client.get(f"{prefix}/projects/{project.id}/files/{project_file.id}") as response:
                assert response.status_code == 200
                kind, fallback, utf8 = _disposition(response)
            assert fallback == f"rfq-{project.code}-{number}.pdf", prefix
            assert fallback.isascii()
            assert utf8 == name
    assert kind == "inline"  # buyer staff read a PDF in the browser; suppliers get an attachment


def test_every_download_with_a_chinese_name_has_a_real_ascii_fallback(app, opened_long_name):
    buyer, project, supplier = opened_long_name
    anonymous = app.test_client()
    staff = _client(app, buyer)
    downloads = [
        (anonymous, f"/notices/{project.id}/notice.pdf", f"{project.code}-询比价公告.pdf", f"{project.code}-announcement.pdf"),
        (staff, f"/buyer/projects/{project.id}/opening-record.pdf", f"{project.code}-开标记录.pdf", f"{project.code}-opening-record.pdf"),
    ]
    own = _client(app, supplier)
    downloads += [
        (own, f"/supplier/projects/{project.id}/opening-record.pdf", f"{project.code}-开标记录.pdf", f"{project.code}-opening-record.pdf"),
        (own, f"/supplier/projects/{project.id}/quote/receipts/1.pdf", f"{project.code}-报价回执-第1版.pdf", f"{project.code}-receipt-v1.pdf"),
    ]
    for client, url, name, fallback in downloads:
        with client.get(url) as response:
            assert response.status_code == 200, url
            _kind, plain, utf8 = _disposition(response)
        assert (plain, utf8) == (fallback, name), url


def test_the_quote_sheet_download_has_an_ascii_fallback(app, clock):
    project = make_project(make_buyer(), clock)
    user = make_supplier()
    make_accepted_registration(project, user, clock)
    clock.set(QUOTE_AT)
    with _client(app, user).get(f"/supplier/projects/{project.id}/quote/sheet.xlsx") as response:
        assert response.status_code == 200
        kind, plain, utf8 = _disposition(response)
    assert (kind, plain, utf8) == ("attachment", f"{project.code}-quote-sheet.xlsx", f"{project.code}-报价单.xlsx")


def test_an_uploaded_scan_with_a_chinese_name_falls_back_to_its_number(app):
    from procurement.web import ascii_fallback, content_disposition

    assert ascii_fallback("营业执照.pdf", "file-7") == "file-7.pdf"
    assert ascii_fallback("business_licence.pdf", "file-7") == "business_licence.pdf"
    assert content_disposition("a.pdf", "a.pdf", inline=True) == 'inline; filename="a.pdf"'


# --- (f) the favicon ---------------------------------------------------------------------------


def test_a_favicon_is_served_and_linked(app, client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype.startswith("image/")
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    home = client.get("/").get_data(as_text=True)
    links = re.findall(r'<link rel="icon" href="([^"]+)"', home)
    assert "/favicon.ico" in links
    svg = next(link for link in links if link.endswith(".svg"))
    with client.get(svg) as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"


# --- (g) the buyer's wording on a refused RFQ upload -------------------------------------------


def test_a_refused_rfq_upload_speaks_to_the_buyer(app, clock):
    buyer = make_buyer()
    project = make_project(buyer, clock)
    client = _client(app, buyer)
    response = post_form(
        client,
        f"/buyer/projects/{project.id}/files",
        {"rfq-title": "询比价文件", "rfq-file": (io.BytesIO(b"MZ\x90\x00 not a document"), "询比价文件.pdf")},
        page=f"/buyer/projects/{project.id}",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "请将询比价文件另存为 PDF、Word 或 Excel 文档后再上传" in html
    assert "请上传真实的扫描件" not in html
