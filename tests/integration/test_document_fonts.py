"""Every kind of generated document embeds two CJK faces and carries a QR code that scans to its printed URL.

Each embedded face costs a render a subset of a 20-27 MB font file and the PDF ~100 KB
(bench/render_notices.py), so the count is what a regression shows first: a template or a
stylesheet that asks for a third weight or family (a bold serif for ``<strong>``, a fallback
font for some character) fails here. The QR code is a small bitmap drawn without interpolation
(documents/qr.py); it is read back the way a phone reads it, from the page rasterised.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from procurement.documents import pdf
from procurement.extensions import db
from procurement.models import SealedQuote
from procurement.services import documents, termination
from procurement.services.quote_receipts import receipt_document
from tests.integration.test_documents import pdf_fonts, pdf_text, published  # noqa: F401 (a fixture)

needs_poppler = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")

KINDS = (
    "announcement",
    "receipt",
    "opening_record",
    "evaluation_report",
    "result_announcement",
    "award_notice",
    "result_notice",
    "termination_notice",
)
# The body's face and the one bold face of headings, table headings and emphasis (print.css).
CJK_FACES = {"Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC-Bold"}


@pytest.fixture
def rendered_pdfs(monkeypatch) -> dict[str, bytes]:
    """Every PDF rendered from now on, by template name (``award_notice``): the first of each.

    Every render goes through ``pdf.render_pdf``, which looks ``render_template`` and
    ``html_to_pdf`` up in its module: wrapping them records which template made which PDF.
    """
    rendered: dict[str, bytes] = {}
    templates: list[str] = []
    real_template, real_html_to_pdf = pdf.render_template, pdf.html_to_pdf

    def recording_template(name, **context):
        templates.append(name)
        return real_template(name, **context)

    def recording_html_to_pdf(html, **metadata):
        result = real_html_to_pdf(html, **metadata)
        rendered.setdefault(templates.pop().removeprefix("documents/").removesuffix(".html"), result.data)
        return result

    monkeypatch.setattr(pdf, "render_template", recording_template)
    monkeypatch.setattr(pdf, "html_to_pdf", recording_html_to_pdf)
    return rendered


@pytest.fixture
def every_kind(rendered_pdfs, published, clock) -> dict[str, bytes]:
    """The PDF of each document kind, as its service rendered it: kind → bytes.

    ``published`` (announcement, opening record, evaluation report, result announcement and
    notices) runs after ``rendered_pdfs`` is in place; a receipt and a termination notice follow.
    """
    receipt_document(db.session.scalar(sa.select(SealedQuote).order_by(SealedQuote.id)))
    notice = termination.notice_spec(published.project, "因采购需求发生重大变化，采购人决定终止本次采购。", clock.now(), ended_as="cancelled")
    documents.issue(notice)
    assert set(KINDS) <= set(rendered_pdfs), sorted(rendered_pdfs)
    return {kind: rendered_pdfs[kind] for kind in KINDS}


@needs_poppler
def test_every_document_embeds_the_two_cjk_faces_and_no_other_font_but_a_monospace(every_kind, tmp_path):
    for kind, data in every_kind.items():
        fonts = pdf_fonts(data, tmp_path)
        names = [row["name"].split("+", 1)[-1] for row in fonts]
        cjk = {name for name in names if "CJK" in name}
        others = [name for name in names if "CJK" not in name]
        assert cjk == CJK_FACES, (kind, names)
        assert len(names) == len(set(names)), (kind, names)  # one entry a face
        # The SHA-256 on a receipt and in the opening record is set in a monospace face (a small Latin font).
        assert len(others) <= 1 and all("Mono" in name for name in others), (kind, names)
        assert all(row["emb"] == "yes" for row in fonts), (kind, fonts)


@needs_poppler
def test_every_document_carries_one_sharp_qr_bitmap_that_scans_to_its_printed_url(every_kind, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    for kind, data in every_kind.items():
        source = tmp_path / f"{kind}.pdf"
        source.write_bytes(data)
        printed = re.search(r"验真网址：(https?://\S+?code=[0-9A-Z]{12})", pdf_text(data, tmp_path))
        assert printed, kind
        # One image, drawn without interpolation (pixelated), one pixel per module and a one-module margin.
        listed = subprocess.run(["pdfimages", "-list", str(source)], check=True, capture_output=True, text=True).stdout
        images = [line.split() for line in listed.splitlines()[2:]]
        assert len(images) == 1, (kind, listed)
        width, height, interpolate = int(images[0][3]), int(images[0][4]), images[0][9]
        assert width == height <= 45 and interpolate == "no", (kind, listed)
        prefix = tmp_path / kind
        subprocess.run(["pdftoppm", "-r", "100", "-png", str(source), str(prefix)], check=True)
        scanned = [
            result.text
            for page in sorted(tmp_path.glob(f"{kind}-*.png"))
            for result in zxingcpp.read_barcodes(Image.open(page))
        ]
        assert scanned == [printed.group(1)], (kind, scanned)


def test_no_render_copies_a_whole_font_file_and_the_pdf_is_the_same_as_weasyprints_own(app, monkeypatch):
    from weasyprint.pdf import fonts as weasyprint_fonts
    from weasyprint.pdf import stream as weasyprint_stream

    from procurement.documents.font_files import LazyFileFont

    pdf.font_configuration()
    assert weasyprint_stream.Font is LazyFileFont  # installed for the pinned WeasyPrint
    copies = []
    real_copy = weasyprint_fonts.get_hb_object_data

    def counting_copy(hb_object, ot_color=None, glyph=None):
        data = real_copy(hb_object, ot_color, glyph)
        if data and len(data) > 5_000_000:  # a whole Noto CJK file (20-27 MB), not a subset
            copies.append(len(data))
        return data

    monkeypatch.setattr(weasyprint_fonts, "get_hb_object_data", counting_copy)
    html = '<html lang="zh-CN"><body><h1>成交通知书</h1><p>成交金额：<strong>¥7,037.50</strong>（人民币柒仟零叁拾柒元伍角）。</p></body></html>'
    lazy = pdf.html_to_pdf(html, title="t", subject="s").data
    assert copies == []
    monkeypatch.setattr(weasyprint_stream, "Font", weasyprint_fonts.Font)
    eager = pdf.html_to_pdf(html, title="t", subject="s").data
    assert len(copies) == 2  # WeasyPrint's own class copies both faces
    assert lazy == eager
