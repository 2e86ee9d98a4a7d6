"""Award and result notices as PDFs: content, fonts, metadata, byte-for-byte downloads, verification."""
from __future__ import annotations

import hashlib
import re
import subprocess
import zlib
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from procurement.documents.pdf import render_pdf
from procurement.documents.storage import read_bytes
from procurement.domain.schedule import BEIJING
from procurement.extensions import db
from procurement.models import GeneratedDocument
from procurement.services import award as award_service
from tests.conftest import AuthActions
from tests.factories import make_buyer, make_evaluated_project, make_supplier

RESULT_DAY = datetime(2025, 1, 6, 10, 0, tzinfo=BEIJING)


# --- helpers shared with the e2e test ---------------------------------------------------


class Download:
    """A response's status, headers and body, read fully and closed (send_file keeps a file open)."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.headers = response.headers
        self.mimetype = response.mimetype
        self.data = response.get_data()
        response.close()


def download(client, url: str) -> Download:
    """GET ``url`` and read the whole body, closing the file behind it."""
    return Download(client.get(url))


def pdf_text(data: bytes, tmp_path: Path) -> str:
    """The text ``pdftotext`` reads from a PDF, with line breaks and spaces removed (CJK lines wrap)."""
    source = tmp_path / f"{hashlib.sha256(data).hexdigest()[:12]}.pdf"
    source.write_bytes(data)
    command = ["pdftotext", "-enc", "UTF-8", str(source), "-"]
    text = subprocess.run(command, check=True, capture_output=True).stdout.decode()
    return re.sub(r"\s+", "", text)


def pdf_fonts(data: bytes, tmp_path: Path) -> list[dict]:
    """``pdffonts`` rows as dicts: name, emb (yes/no)."""
    source = tmp_path / f"fonts-{hashlib.sha256(data).hexdigest()[:12]}.pdf"
    source.write_bytes(data)
    lines = subprocess.run(["pdffonts", str(source)], check=True, capture_output=True).stdout.decode().splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type... encoding emb sub uni object ID: the last five columns are fixed.
        rows.append({"name": parts[0], "emb": parts[-5]})
    return rows


def pdf_metadata(data: bytes) -> dict[str, str]:
    """Title, Author and Subject from the PDF's document information dictionary.

    WeasyPrint writes the dictionary inside a compressed object stream, so every Flate stream is
    inflated and the dictionary holding ``/Producer`` is read; strings may be hex (UTF-16BE with
    a BOM) or literal.
    """
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        try:
            chunks.append(zlib.decompress(data[match.end() : end]))
        except zlib.error:
            continue
    for chunk in chunks:
        for info in re.finditer(rb"<<[^<>]*?/Producer.*?>>", chunk, re.S):
            body = info.group(0)
            result = {}
            for key in (b"Title", b"Author", b"Subject"):
                found = re.search(rb"/" + key + rb"\s*(<[0-9A-Fa-f]*>|\((?:\\.|[^\\)])*\))", body)
                if found:
                    result[key.decode()] = _pdf_string(found.group(1))
            if result:
                return result
    return {}


def _pdf_string(token: bytes) -> str:
    if token.startswith(b"<"):
        raw = bytes.fromhex(token[1:-1].decode())
    else:
        raw = re.sub(rb"\\(.)", rb"\1", token[1:-1])
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be")
    return raw.decode("latin-1")


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def published(app, client, auth, clock):
    """An evaluated project whose first candidate was awarded and the result published on 2025-01-06."""
    buyer = make_buyer()
    built = make_evaluated_project(buyer, clock)
    clock.set(RESULT_DAY)
    _, winner = built.candidate(1)
    award_service.confirm(built.project, winner.id, buyer)
    award_service.publish(built.project, buyer)
    return built


def signed_in(app, user):
    """A fresh client signed in as ``user``."""
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


# --- tests ------------------------------------------------------------------------------


def test_award_notice_text_names_the_winner_and_the_amount_in_capital_numerals(client, auth, published, tmp_path):
    winner, _ = published.candidate(1)
    auth.login(winner.email)
    response = download(client, f"/supplier/projects/{published.project.id}/my-notice.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "成交通知书" in text
    assert "拉萨雪域办公用品有限公司" in text
    assert "¥7,037.50" in text
    assert "人民币柒仟零叁拾柒元伍角" in text
    assert "2025年2月5日" in text  # contract deadline: 30 days after the notice
    assert "2025年1月6日" in text  # the notice's date, in the 2025年1月3日 style
    assert "西藏日报社（盖章）" in text
    assert "验证码" in text


def test_notices_embed_a_cjk_font(client, auth, published, tmp_path):
    document = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "award_notice"))
    auth.login("buyer@example.com")
    data = download(client, f"/buyer/projects/{published.project.id}/documents/{document.id}").data
    fonts = pdf_fonts(data, tmp_path)
    cjk = [row for row in fonts if "CJK" in row["name"]]
    assert cjk, fonts
    assert all(row["emb"] == "yes" for row in cjk)


def test_rendering_a_notice_logs_no_missing_glyph(app, published):
    _, winner = published.candidate(1)
    _, loser = published.candidate(2)
    with app.test_request_context():
        cases = ((winner, "documents/award_notice.html"), (loser, "documents/result_notice.html"))
        for registration, template in cases:
            rendered = render_pdf(
                template,
                title="测试",
                subject="测试",
                project=published.project,
                registration=registration,
                verification_code="ABCDEFGHJKMN",
                verification_url="http://testserver/verify?code=ABCDEFGHJKMN",
                verification_qr="",
                issued_at=RESULT_DAY,
                **award_service.notice_context(published.project, registration),
            )
            assert not rendered.missing_glyphs, rendered.warnings
            assert not any(".notdef" in message for message in rendered.warnings)


def test_pdf_metadata_title_author_subject(client, auth, published):
    winner, _ = published.candidate(1)
    auth.login(winner.email)
    data = download(client, f"/supplier/projects/{published.project.id}/my-notice.pdf").data
    meta = pdf_metadata(data)
    assert meta["Title"] == f"成交通知书（{published.project.code} 拉萨雪域办公用品有限公司）"
    assert meta["Author"] == "西藏日报社"
    assert meta["Subject"] == f"成交通知书 {published.project.code}"
    announcement = download(client, f"/results/{published.project.id}/result.pdf").data
    assert pdf_metadata(announcement)["Title"] == f"{published.project.title}成交结果公告"


def test_documents_are_served_byte_for_byte(app, client, auth, published):
    winner, registration = published.candidate(1)
    auth.login(winner.email)
    response = download(client, f"/supplier/projects/{published.project.id}/my-notice.pdf")
    document = db.session.scalar(
        sa.select(GeneratedDocument).where(
            GeneratedDocument.kind == "award_notice", GeneratedDocument.registration_id == registration.id
        )
    )
    on_disk = read_bytes(document.storage_path, kind="document")
    assert hashlib.sha256(response.data).hexdigest() == document.sha256
    assert hashlib.sha256(on_disk).hexdigest() == document.sha256
    assert response.headers["X-Document-SHA256"] == document.sha256
    assert len(response.data) == document.size
    again = download(client, f"/supplier/projects/{published.project.id}/my-notice.pdf")
    assert again.data == response.data


def test_result_notices_state_each_participants_own_outcome(app, published, tmp_path):
    second, _ = published.candidate(2)
    client = signed_in(app, second)
    text = pdf_text(download(client, f"/supplier/projects/{published.project.id}/my-notice.pdf").data, tmp_path)
    assert "成交结果通知书" in text
    assert "拉萨雪域办公用品有限公司" in text and "人民币柒仟零叁拾柒元伍角" in text  # the winner and its amount
    assert "¥7,270.00" in text and "人民币柒仟贰佰柒拾元整" in text  # its own total
    assert "在3家有效报价中排名第2名" in text
    assert "2025年1月15日前" in text  # the challenge deadline

    failed, _ = published.not_qualified()
    client = signed_in(app, failed)
    text = pdf_text(download(client, f"/supplier/projects/{published.project.id}/my-notice.pdf").data, tmp_path)
    assert "未通过资格审查或符合性审查" in text
    assert "经营场所不在拉萨市辖区" in text


def test_supplier_page_shows_own_outcome_and_notice_link(app, client, auth, published):
    winner, _ = published.candidate(1)
    auth.login(winner.email)
    html = client.get(f"/supplier/projects/{published.project.id}").get_data(as_text=True)
    assert 'data-testid="result-section"' in html
    assert "下载成交通知书（PDF）" in html
    second, _ = published.candidate(2)
    client = signed_in(app, second)
    html = client.get(f"/supplier/projects/{published.project.id}").get_data(as_text=True)
    assert "下载成交结果通知书（PDF）" in html
    assert "在 3 家有效报价中排名第 2 名" in html


def test_a_non_participant_gets_no_notice(client, auth, published):
    outsider = make_supplier()
    auth.login(outsider.email)
    assert download(client, f"/supplier/projects/{published.project.id}/my-notice.pdf").status_code == 404
    page = client.get(f"/supplier/projects/{published.project.id}").get_data(as_text=True)
    assert 'data-testid="result-section"' not in page


def test_buyer_downloads_every_notice_but_not_another_projects(client, auth, published, clock):
    auth.login("buyer@example.com")
    query = sa.select(GeneratedDocument).where(GeneratedDocument.kind.in_(("award_notice", "result_notice")))
    notices = db.session.scalars(query).all()
    assert len(notices) == 4
    html = client.get(f"/buyer/projects/{published.project.id}").get_data(as_text=True)
    for document in notices:
        assert f"/documents/{document.id}" in html
        response = download(client, f"/buyer/projects/{published.project.id}/documents/{document.id}")
        assert response.status_code == 200
        assert hashlib.sha256(response.data).hexdigest() == document.sha256
    other = make_evaluated_project(published.buyer, clock, names=["甲公司", "乙公司", "丙公司", "丁公司"])
    assert download(client, f"/buyer/projects/{other.project.id}/documents/{notices[0].id}").status_code == 404


def test_verify_page_confirms_a_genuine_notice(client, published):
    document = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "award_notice"))
    response = client.get(f"/verify?code={document.verification_code}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-testid="verify-ok"' in html
    assert document.sha256 in html
    assert "2025年1月6日 10:00" in html  # the issue date, Beijing time
    assert document.title in html


def test_verify_page_rejects_an_unknown_code(client, published):
    response = client.get("/verify?code=ZZZZ2222ZZZZ")
    assert response.status_code == 404
    assert 'data-testid="verify-fail"' in response.get_data(as_text=True)


def test_verification_code_printed_on_the_notice_resolves(client, auth, published, tmp_path):
    winner, _ = published.candidate(1)
    auth.login(winner.email)
    text = pdf_text(download(client, f"/supplier/projects/{published.project.id}/my-notice.pdf").data, tmp_path)
    match = re.search(r"验证码：([2-9A-Z]{4})-([2-9A-Z]{4})-([2-9A-Z]{4})", text)
    assert match, text
    code = "".join(match.groups())
    assert f"http://testserver/verify?code={code}" in text
    assert client.get(f"/verify?code={code}").status_code == 200


def test_verify_accepts_the_code_as_printed_with_dashes_and_spaces(app, client, clock):
    from procurement.models import GeneratedDocument
    from tests.factories import make_buyer, make_project

    make_project(make_buyer(), clock)
    document = db.session.scalar(sa.select(GeneratedDocument))
    code = document.verification_code
    printed = f"{code[:4]}-{code[4:8]}-{code[8:]}"
    for typed in (printed, printed.lower(), f" {code[:4]} {code[4:8]} {code[8:]} "):
        response = client.get("/verify", query_string={"code": typed})
        assert response.status_code == 200, typed
        assert document.sha256 in response.get_data(as_text=True)
