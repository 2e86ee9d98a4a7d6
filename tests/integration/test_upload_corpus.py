"""Real files still go in (a scanned PDF, a PNG, a phone's JPEG, Word and Excel documents), stored and
served under clean names with honest headers; a name stored before names were cleaned is sent clean.

The hostile half, every case of ``tests/corpus.py`` against every upload field the crawl finds, runs
in each scenario of ``tests/integration/test_form_fuzz.py`` (one world, one crawl for both).
"""
from __future__ import annotations

import hashlib
import io
from urllib.parse import quote

import sqlalchemy as sa
from PIL import Image

from procurement.extensions import db
from procurement.models import AuditEvent, ProjectFile, RegistrationDocument, StoredFile
from procurement.services import rfq
from tests import factories as f
from tests.conftest import AuthActions, post_form
from tests.corpus import docx_document, pdf


def _signed_in(app, user):
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    return client


def _photo_with_metadata() -> bytes:
    """A JPEG from a phone: EXIF (turned 90°), a comment, and a web page after its end."""
    image = Image.new("RGB", (40, 20), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"<script>alert(1)</script>")
    return out.getvalue() + b"<html><script>alert(2)</script></html>"


def test_real_scans_are_taken_images_re_encoded_and_served_with_honest_headers(app, clock):
    project = f.make_project(f.make_buyer(), clock)
    supplier = f.make_supplier()
    client = _signed_in(app, supplier)
    clock.set(f.REGISTRATION_OPEN_AT)
    photo = _photo_with_metadata()
    files = {
        "business_licence": ("营业执照\u202egpj.pdf", f.tiny_pdf("licence")),
        "legal_rep_id": ("身份证.png", f.tiny_png(6, 4)),
        "bank_permit": ("IMG_2041.JPG", photo),
    }
    data = {"action": "save", **{kind: (io.BytesIO(body), name) for kind, (name, body) in files.items()}}
    url = f"/supplier/projects/{project.id}/registration"
    response = post_form(client, url, data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)

    documents = {d.kind: d.stored_file for d in db.session.scalars(sa.select(RegistrationDocument))}
    licence, seal, permit = documents["business_licence"], documents["legal_rep_id"], documents["bank_permit"]
    assert (licence.original_name, licence.mime_type) == ("营业执照gpj.pdf", "application/pdf")
    assert (seal.original_name, permit.original_name, permit.mime_type) == ("身份证.png", "IMG_2041.jpg", "image/jpeg")
    for kind, stored in documents.items():
        served = client.get(f"{url}/documents/{kind}")
        assert served.status_code == 200
        # What is stored, hashed, audited and served is one file (for an image, its re-encoding).
        assert hashlib.sha256(served.data).hexdigest() == stored.sha256 and len(served.data) == stored.size
        assert served.headers["Content-Type"].startswith(stored.mime_type)
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        disposition = served.headers["Content-Disposition"]
        assert disposition.startswith("inline; filename=") and "\u202e" not in disposition and "%E2%80%AE" not in disposition
    audited = {e.details["kind"]: e.details["sha256"] for e in db.session.scalars(sa.select(AuditEvent)) if e.action == "registration.upload"}
    assert audited == {kind: stored.sha256 for kind, stored in documents.items()}
    assert licence.sha256 == hashlib.sha256(files["business_licence"][1]).hexdigest()  # a PDF is kept as sent
    kept = client.get(f"{url}/documents/bank_permit").data
    assert b"<script>" not in kept and b"PhoneMaker" not in kept and b"Exif" not in kept
    with Image.open(io.BytesIO(kept)) as upright:
        assert upright.size == (20, 40)  # turned as the EXIF said, then the EXIF dropped
    assert "sandbox" in client.get(f"{url}/documents/legal_rep_id").headers["Content-Security-Policy"].split("; ")


def test_rfq_documents_in_pdf_word_and_excel_are_published_and_sent_as_filename_star(app, clock):
    from openpyxl import Workbook

    buyer = f.make_buyer()
    project = f.make_project(buyer, clock, publish=False)
    client = _signed_in(app, buyer)
    book = Workbook()
    book.active["A1"] = "品名"
    sheet = io.BytesIO()
    book.save(sheet)
    uploads = [("询比价文件.pdf", pdf()), ("技术要求.docx", docx_document()), ("报价单格式.xlsx", sheet.getvalue())]
    for name, body in uploads:
        response = post_form(
            client, f"/buyer/projects/{project.id}/files", {"rfq-title": name, "rfq-file": (io.BytesIO(body), name)},
            page=f"/buyer/projects/{project.id}", content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    files = db.session.scalars(sa.select(ProjectFile).order_by(ProjectFile.id)).all()
    assert [(p.stored_file.original_name, p.stored_file.mime_type) for p in files] == [
        ("询比价文件.pdf", "application/pdf"),
        ("技术要求.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("报价单格式.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ]
    for project_file, (name, body) in zip(files, uploads):
        served = client.get(f"/buyer/projects/{project.id}/files/{project_file.id}")
        assert served.status_code == 200 and served.data == body
        how = "inline" if name.endswith(".pdf") else "attachment"
        assert served.headers["Content-Disposition"] == f"{how}; filename=\"{rfq.ascii_name(project_file)}\"; filename*=UTF-8''{quote(name)}"


def test_a_name_stored_before_names_were_cleaned_still_gives_a_clean_header(app, clock):
    buyer = f.make_buyer()
    project = f.make_project(buyer, clock, publish=False)
    rfq.add_file(project, f.scan_upload("rfq"), "询比价文件", buyer)
    stored = db.session.scalar(sa.select(StoredFile))
    nul = "" if db.engine.dialect.name == "postgresql" else "\x00"  # PostgreSQL's text holds no NUL, SQLite's may
    stored.original_name = f"旧文件{nul}\r\nX-Injected: 1\u202e\x07.pdf"  # as a row from before the checks might hold
    db.session.commit()
    client = _signed_in(app, buyer)
    page = client.get(f"/buyer/projects/{project.id}").get_data(as_text=True)
    assert "旧文件X-Injected 1.pdf" in page and "\u202e" not in page
    project_file = db.session.scalar(sa.select(ProjectFile))
    served = client.get(f"/buyer/projects/{project.id}/files/{project_file.id}")
    assert served.status_code == 200
    assert "X-Injected" not in served.headers
    clean = "旧文件X-Injected 1.pdf"
    assert served.headers["Content-Disposition"] == f"inline; filename=\"{rfq.ascii_name(project_file)}\"; filename*=UTF-8''{quote(clean)}"
