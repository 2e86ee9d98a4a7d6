"""The parsers behind every upload (documents.file_checks), case by case of the hostile corpus, without an app:
which check refuses what, that real files pass, and what an image becomes when it is re-encoded."""
from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfWriter

from procurement.documents.file_checks import check_file
from procurement.domain.text import first_forbidden
from procurement.domain.uploads import (
    CSV_TYPES,
    DOCX,
    JPEG,
    MAX_FILE_BYTES,
    MAX_RFQ_BYTES,
    PDF,
    PNG,
    RFQ_TYPES,
    SCAN_TYPES,
    SHEET_TYPES,
    XLSX,
    FileRefused,
)
from tests import corpus
from tests.factories.files import blacklist_csv, tiny_jpeg, tiny_pdf, tiny_png

CASES = {case.label: case for case in corpus.REFUSED}

# What refuses each case of the corpus in a scan field (PDF, JPEG, PNG) and in the RFQ field (PDF, DOCX, XLSX).
EXPECTED = {
    "pdf-js-open-action": ("pdf_javascript", "pdf_javascript"),
    "pdf-js-names-tree": ("pdf_javascript", "pdf_javascript"),
    "pdf-js-page-action": ("pdf_javascript", "pdf_javascript"),
    "pdf-xfa": ("pdf_javascript", "pdf_javascript"),
    "pdf-launch": ("pdf_launch", "pdf_launch"),
    "pdf-embedded-file": ("pdf_embedded", "pdf_embedded"),
    "pdf-file-attachment": ("pdf_embedded", "pdf_embedded"),
    "pdf-html-and-js": ("pdf_javascript", "pdf_javascript"),
    "pdf-html-polyglot": ("pdf_unreadable", "pdf_unreadable"),
    "pdf-encrypted": ("pdf_encrypted", "pdf_encrypted"),
    "pdf-truncated": ("pdf_unreadable", "pdf_unreadable"),
    "png-html": ("image_unreadable", "file_type"),
    "png-20000x20000": ("image_too_large", "file_type"),
    "jpeg-html": ("image_unreadable", "file_type"),
    "jpeg-30000x30000": ("image_too_large", "file_type"),
    "gif-js-polyglot": ("file_type", "file_type"),
    "svg": ("file_type", "file_type"),
    "html": ("file_type", "file_type"),
    "html-as-pdf": ("file_type", "file_type"),
    "html-as-csv": ("file_type", "file_type"),
    "docx-zip-bomb": ("file_type", "zip_ratio"),
    "xlsx-zip-bomb": ("file_type", "zip_ratio"),
    "docx-without-content-types": ("file_type", "ooxml_invalid"),
    "docx-with-macros": ("file_type", "ooxml_macro"),
    "docx-1500-parts": ("file_type", "zip_entries"),
    "xlsx-without-workbook": ("file_type", "ooxml_invalid"),
    "zip-truncated": ("file_type", "ooxml_invalid"),
    "exe": ("file_type", "file_type"),
    "exe-as-pdf": ("file_type", "file_type"),
    "empty": ("file_empty", "file_empty"),
    "oversize": ("file_too_large", "file_too_large"),
    "csv-control-characters": ("file_type", "file_type"),
    "png-named-pdf": ("wrong_extension", "file_type"),
    "pdf-named-png": ("wrong_extension", "wrong_extension"),
    "jpeg-named-xlsx": ("wrong_extension", "file_type"),
    "name-nul": ("file_type", "file_type"),
    "name-bidi": ("file_type", "file_type"),
    "name-control": ("file_type", "file_type"),
    "name-invisible": ("file_type", "file_type"),
    "name-300-characters": ("file_type", "file_type"),
    "name-path": ("file_type", "file_type"),
}


def _refusal(case, allowed, limit=MAX_RFQ_BYTES) -> FileRefused:
    with pytest.raises(FileRefused) as refused:
        check_file(case.data, case.filename, allowed, max_bytes=limit)
    return refused.value


def test_every_case_of_the_corpus_has_its_expected_refusals():
    assert set(EXPECTED) == set(CASES)


@pytest.mark.parametrize("label", sorted(EXPECTED))
def test_each_case_is_refused_for_its_reason_in_a_scan_and_an_rfq_field(label):
    scan, rfq = EXPECTED[label]
    case = CASES[label]
    for allowed, code in ((SCAN_TYPES, scan), (RFQ_TYPES, rfq)):
        refused = _refusal(case, allowed)
        assert refused.code == code, (label, allowed)
        assert refused.message and first_forbidden(str(refused)) is None and "/" not in refused.params["name"]


@pytest.mark.parametrize("label", sorted(EXPECTED))
def test_each_case_is_refused_in_a_csv_field_and_a_quote_sheet_field(label):
    _refusal(CASES[label], CSV_TYPES)
    _refusal(CASES[label], SHEET_TYPES)


def test_the_oversize_case_is_larger_than_any_field_takes():
    assert len(CASES["oversize"].data) == MAX_FILE_BYTES + 1


def test_refusals_say_why_in_chinese():
    assert str(_refusal(CASES["pdf-js-open-action"], SCAN_TYPES)).startswith("文件“营业执照.pdf”含有 JavaScript 脚本")
    assert "需要密码才能打开" in str(_refusal(CASES["pdf-encrypted"], SCAN_TYPES))
    assert "启动外部程序" in str(_refusal(CASES["pdf-launch"], SCAN_TYPES))
    assert "内嵌了其他文件" in str(_refusal(CASES["pdf-embedded-file"], SCAN_TYPES))
    assert "20000×20000" in str(_refusal(CASES["png-20000x20000"], SCAN_TYPES))
    assert "压缩炸弹" in str(_refusal(CASES["docx-zip-bomb"], RFQ_TYPES))
    assert "含有宏" in str(_refusal(CASES["docx-with-macros"], RFQ_TYPES))
    assert str(_refusal(CASES["name-bidi"], SCAN_TYPES)).startswith("文件“发票fdp.exe”的内容不是允许的格式（PDF、JPEG、PNG）")


# --------------------------------------------------------------------------- real files pass


def _xlsx() -> bytes:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "allowed", "mime", "stored_name"),
    [
        (tiny_pdf(), "营业执照.pdf", SCAN_TYPES, PDF, "营业执照.pdf"),
        (corpus.pdf(), "scan", SCAN_TYPES, PDF, "scan.pdf"),
        (tiny_png(), "章.PNG", SCAN_TYPES, PNG, "章.png"),
        (tiny_jpeg(), "IMG_2041.jpeg", SCAN_TYPES, JPEG, "IMG_2041.jpg"),
        (corpus.docx_document(), "技术要求.docx", RFQ_TYPES, DOCX, "技术要求.docx"),
        (_xlsx(), "报价单.xlsx", RFQ_TYPES, XLSX, "报价单.xlsx"),
        (_xlsx(), "报价单.xlsx", SHEET_TYPES, XLSX, "报价单.xlsx"),
        (blacklist_csv([{"name": "拉萨某公司"}]), "名单.csv", CSV_TYPES, "text/csv", "名单.csv"),
        ("date,name\n2025-02-28,藏历新年\n".encode("gb18030"), "节假日.txt", CSV_TYPES, "text/csv", "节假日.csv"),
    ],
)
def test_real_files_pass_with_their_type_and_a_clean_name(data, name, allowed, mime, stored_name):
    checked = check_file(data, name, allowed, max_bytes=MAX_RFQ_BYTES)
    assert (checked.mime_type, checked.original_name) == (mime, stored_name)
    if mime in (PDF, DOCX, XLSX, "text/csv"):
        assert checked.data == data  # documents are stored as sent; only images are re-encoded


def test_a_pdf_protected_by_an_owner_password_only_opens_and_passes():
    writer = PdfWriter()
    writer.add_blank_page(200, 100)
    writer.encrypt(user_password="", owner_password="owner-2025", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    assert check_file(out.getvalue(), "scan.pdf", SCAN_TYPES, max_bytes=MAX_RFQ_BYTES).mime_type == PDF


def test_an_image_is_re_encoded_upright_without_metadata_or_trailing_bytes():
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    sent = io.BytesIO()
    image.save(sent, "JPEG", exif=exif.tobytes(), comment=b"<script>alert(1)</script>", icc_profile=b"\0" * 128)
    data = sent.getvalue() + b"<html><script>alert(2)</script></html>"
    stored = check_file(data, "IMG_2041.jpg", SCAN_TYPES, max_bytes=MAX_RFQ_BYTES).data
    assert b"script" not in stored and b"PhoneMaker" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.size == (20, 40) and not kept.info.get("icc_profile") and "exif" not in kept.info


def test_a_png_keeps_its_pixels_and_transparency_and_loses_its_text_chunks():
    from PIL import PngImagePlugin

    image = Image.new("RGBA", (5, 3), (10, 20, 30, 0))
    image.putpixel((1, 1), (200, 30, 30, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<html><script>alert(1)</script></html>")
    sent = io.BytesIO()
    image.save(sent, "PNG", pnginfo=info)
    stored = check_file(sent.getvalue(), "章.png", SCAN_TYPES, max_bytes=MAX_RFQ_BYTES).data
    assert b"script" not in stored
    with Image.open(io.BytesIO(stored)) as kept:
        assert kept.mode == "RGBA" and kept.tobytes() == image.tobytes()


def test_pillow_itself_refuses_what_the_upload_checks_refuse():
    assert Image.MAX_IMAGE_PIXELS == 40_000_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(corpus.png_huge()))
