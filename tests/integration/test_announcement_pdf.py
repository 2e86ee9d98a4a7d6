"""The announcement PDF: A4, embedded CJK font, extractable text, stored with its SHA-256."""
from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from procurement.extensions import db
from procurement.models import GeneratedDocument
from tests.factories import make_buyer, make_project

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def _pdf(client, project_id, tmp_path):
    with client.get(f"/notices/{project_id}/notice.pdf") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        data = response.data
    path = tmp_path / "notice.pdf"
    path.write_bytes(data)
    return data, path


@needs_poppler
def test_announcement_pdf_has_the_notice_text_and_an_embedded_cjk_font(app, client, clock, tmp_path):
    project = make_project(make_buyer(), clock)
    data, path = _pdf(client, project.id, tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "西藏日报社遴选2025年办公用品供应商项目询比价公告" in text.replace(" ", "")
    assert "一、项目基本情况" in text and "六、其他事项" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk), fonts  # embedded (emb column)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "A4" in info or "595.28 x 841.89" in info or "595 x 842" in info


def test_announcement_pdf_is_served_byte_for_byte_as_stored(app, client, clock, tmp_path):
    project = make_project(make_buyer(), clock)
    data, _ = _pdf(client, project.id, tmp_path)
    document = db.session.scalar(sa.select(GeneratedDocument).where(GeneratedDocument.kind == "announcement"))
    assert hashlib.sha256(data).hexdigest() == document.sha256
    again, _ = _pdf(client, project.id, tmp_path)
    assert again == data


def test_rendering_logs_no_missing_glyph(app, clock):
    from procurement.documents.pdf import render_pdf
    from procurement.services.projects import schedule_of

    project = make_project(make_buyer(), clock)
    with app.test_request_context():
        rendered = render_pdf(
            "documents/announcement.html", title="t", subject="s", project=project, schedule=schedule_of(project), verification_code=""
        )
    assert not rendered.missing_glyphs, rendered.warnings
