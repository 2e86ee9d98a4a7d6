"""The hostile-upload corpus: files no upload field may accept, built in memory (cheaply) for the tests.

Each :class:`Case` is a file name and bytes. :data:`REFUSED` lists the cases every upload field
of the app must refuse with a message beside it (``tests/integration/test_upload_corpus.py``):
PDFs with JavaScript (an open action, the names tree, a page's additional actions, an XFA form),
a launch action or an embedded file; a PDF that needs a password; HTML dressed as a PDF, a PNG,
a JPEG; a PNG and a JPEG whose headers claim 400 and 900 megapixels; a GIF/JavaScript polyglot;
SVG and HTML; a zip bomb, a macro document, a zip of 1,500 parts and two broken zips named
``.docx`` / ``.xlsx``; an executable; an empty file and one larger than any field takes; CSV
text with control characters; real files under the wrong extension; and hostile names (NUL,
bidi overrides, control characters, 300 characters, a path) on refused content, so the
messages that name them are seen clean. (A line break cannot be sent inside a multipart
header; ``test_upload_corpus`` stores one in an old row's name instead.)

``tests/upload_refusals.py`` posts the corpus into the file inputs of the forms the crawl finds;
``tests/unit/test_file_checks.py`` runs each case through the checks directly.
"""
from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from pypdf import PdfWriter

from procurement.domain.uploads import MAX_FILE_BYTES
from tests.factories.files import tiny_jpeg, tiny_pdf, tiny_png

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>\n"


@dataclass(frozen=True)
class Case:
    """One hostile upload: what it is, the name it is sent under, and its bytes (built on first use)."""

    label: str
    filename: str
    build: object  # () -> bytes

    @property
    def data(self) -> bytes:
        return _built(self.build)


@functools.cache
def _built(build) -> bytes:
    return build()


# --------------------------------------------------------------------------- PDFs


def pdf(catalog_extra: bytes = b"", page_extra: bytes = b"", extra_objects: tuple[bytes, ...] = (), tail: bytes = b"") -> bytes:
    """A valid one-page PDF (correct xref) with extra entries in its catalog and page, extra objects (6 0 obj on) and bytes after %%EOF."""
    return tiny_pdf(catalog_extra=catalog_extra, page_extra=page_extra, extra_objects=extra_objects, tail=tail, version=b"1.7")


JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\('pwned'\\); this.exportDataObject\\({cName: 'a', nLaunch: 2}\\)) >>"


def pdf_js_open_action() -> bytes:
    return pdf(catalog_extra=b"/OpenAction " + JS_ACTION)


def pdf_js_names_tree() -> bytes:
    return pdf(catalog_extra=b"/Names << /JavaScript << /Names [(init) 6 0 R] >> >>", extra_objects=(JS_ACTION,))


def pdf_js_page_action() -> bytes:
    return pdf(page_extra=b"/AA << /O 6 0 R >>", extra_objects=(JS_ACTION,))


def pdf_xfa() -> bytes:
    xfa = b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'><script>app.alert(1)</script></xdp:xdp>"
    stream = b"<< /Length %d >>\nstream\n" % len(xfa) + xfa + b"\nendstream"
    return pdf(catalog_extra=b"/AcroForm << /Fields [] /XFA 6 0 R >>", extra_objects=(stream,))


def pdf_launch() -> bytes:
    return pdf(catalog_extra=b"/OpenAction << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) /P (/c calc) >> >>")


def pdf_embedded_file() -> bytes:
    payload = b"MZ\x90\x00 not really a program"
    embedded = b"<< /Type /EmbeddedFile /Length %d >>\nstream\n" % len(payload) + payload + b"\nendstream"
    spec = b"<< /Type /Filespec /F (invoice.exe) /EF << /F 6 0 R >> >>"
    return pdf(catalog_extra=b"/Names << /EmbeddedFiles << /Names [(invoice.exe) 7 0 R] >> >>", extra_objects=(embedded, spec))


def pdf_file_attachment_annotation() -> bytes:
    annotation = b"<< /Type /Annot /Subtype /FileAttachment /Rect [10 10 30 30] /FS << /Type /Filespec /F (a.html) >> >>"
    return pdf(page_extra=b"/Annots [6 0 R]", extra_objects=(annotation,))


def pdf_html_and_js() -> bytes:
    """The PDF of the report: HTML in a stream and after %%EOF, and a JavaScript open action."""
    html = b"<< /Length %d >>\nstream\n" % len(HTML) + HTML + b"\nendstream"
    return pdf(catalog_extra=b"/OpenAction " + JS_ACTION, extra_objects=(html,), tail=HTML)


def pdf_html_polyglot() -> bytes:
    """Starts like a PDF, is an HTML page, and has no PDF structure at all."""
    return b"%PDF-1.4\n" + HTML + b"%%EOF\n"


def pdf_encrypted() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 100)
    writer.encrypt(user_password="secret-2025", owner_password="owner-2025", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_truncated() -> bytes:
    data = tiny_pdf("truncated")
    return data[: len(data) // 2]


# --------------------------------------------------------------------------- images


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_huge(width: int = 20000, height: int = 20000) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` (1.6 GB to decode) over a few KB of IDAT."""
    row = b"\x00" + b"\x00" * (width * 3)
    idat = zlib.compress(row * 4, 9)  # four rows: enough to look real, nothing like the whole image
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def png_html() -> bytes:
    """A PNG signature followed by a web page."""
    return b"\x89PNG\r\n\x1a\n" + HTML


def jpeg_html() -> bytes:
    """A JPEG start and JFIF marker followed by a web page."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + HTML + b"\xff\xd9"


def jpeg_huge() -> bytes:
    """A real small JPEG whose frame header (SOF0) is patched to claim 30000 × 30000 pixels."""
    data = bytearray(tiny_jpeg())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 30000, 30000)
    return bytes(data)


def gif_polyglot() -> bytes:
    """A GIF header that is also JavaScript (the classic GIFAR-style polyglot)."""
    return b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00*/=1;alert(document.domain);//\x00\x3b"


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)">'
    b"<script>alert(document.cookie)</script></svg>"
)

# --------------------------------------------------------------------------- zips (DOCX, XLSX)

DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
XLSX_TYPES = DOCX_TYPES.replace("/word/document.xml", "/xl/workbook.xml").replace(
    "wordprocessingml.document.main", "spreadsheetml.sheet.main"
)
DOCM_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
)
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>询比价文件</w:t></w:r></w:p></w:body></w:document>"
)


def docx_document() -> bytes:
    """A small but real Word document: content types, the package relationships, the document part."""
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    types = DOCX_TYPES.replace(
        '<Default Extension="xml"',
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml"',
    )
    return _zip({"[Content_Types].xml": types, "_rels/.rels": rels, "word/document.xml": DOCUMENT_XML})


def _zip(parts: dict[str, bytes | str], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def docx_zip_bomb() -> bytes:
    """Shaped like a Word document; its document.xml inflates a thousandfold to 30 MB (the parts are streamed, not held)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(30):
                member.write(chunk)
    return out.getvalue()


def docx_without_content_types() -> bytes:
    return _zip({"word/document.xml": DOCUMENT_XML, "word/_rels/document.xml.rels": "<Relationships/>"})


def docx_with_macros() -> bytes:
    """A macro-enabled document (.docm) renamed .docx."""
    return _zip({"[Content_Types].xml": DOCM_TYPES, "word/document.xml": DOCUMENT_XML, "word/vbaProject.bin": b"\xd0\xcf\x11\xe0VBA"})


def docx_many_parts() -> bytes:
    parts: dict[str, bytes | str] = {"[Content_Types].xml": DOCX_TYPES, "word/document.xml": DOCUMENT_XML}
    parts.update({f"word/media/p{n}.xml": "<p/>" for n in range(1500)})
    return _zip(parts, zipfile.ZIP_STORED)


def xlsx_without_workbook() -> bytes:
    """Content types that name a workbook the zip does not have."""
    return _zip({"[Content_Types].xml": XLSX_TYPES, "xl/worksheets/sheet1.xml": "<worksheet/>"})


def zip_truncated() -> bytes:
    data = _zip({"[Content_Types].xml": DOCX_TYPES, "word/document.xml": DOCUMENT_XML * 50})
    return data[: len(data) // 2]


# --------------------------------------------------------------------------- the rest


def oversize() -> bytes:
    """One byte more than the largest file any field takes, starting like a PDF."""
    head = b"%PDF-1.4\n"
    return head + b"0" * (MAX_FILE_BYTES + 1 - len(head))


def executable() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"


def csv_with_controls() -> bytes:
    return "name,uscc,list\n拉萨\x1b[31m公司,91540100MA6T00000X,dishonest_debtor\n\x07\x08\n".encode("utf-8")


def _const(data: bytes):
    return lambda: data


REFUSED: tuple[Case, ...] = (
    Case("pdf-js-open-action", "营业执照.pdf", pdf_js_open_action),
    Case("pdf-js-names-tree", "营业执照.pdf", pdf_js_names_tree),
    Case("pdf-js-page-action", "scan.pdf", pdf_js_page_action),
    Case("pdf-xfa", "form.pdf", pdf_xfa),
    Case("pdf-launch", "scan.pdf", pdf_launch),
    Case("pdf-embedded-file", "scan.pdf", pdf_embedded_file),
    Case("pdf-file-attachment", "scan.pdf", pdf_file_attachment_annotation),
    Case("pdf-html-and-js", "report.pdf", pdf_html_and_js),
    Case("pdf-html-polyglot", "scan.pdf", pdf_html_polyglot),
    Case("pdf-encrypted", "scan.pdf", pdf_encrypted),
    Case("pdf-truncated", "scan.pdf", pdf_truncated),
    Case("png-html", "seal.png", png_html),
    Case("png-20000x20000", "seal.png", png_huge),
    Case("jpeg-html", "photo.jpg", jpeg_html),
    Case("jpeg-30000x30000", "photo.jpg", jpeg_huge),
    Case("gif-js-polyglot", "seal.gif", gif_polyglot),
    Case("svg", "seal.svg", _const(SVG)),
    Case("html", "index.html", _const(HTML)),
    Case("html-as-pdf", "scan.pdf", _const(HTML)),
    Case("html-as-csv", "list.csv", _const(HTML)),
    Case("docx-zip-bomb", "询比价文件.docx", docx_zip_bomb),
    Case("xlsx-zip-bomb", "报价单.xlsx", docx_zip_bomb),
    Case("docx-without-content-types", "询比价文件.docx", docx_without_content_types),
    Case("docx-with-macros", "询比价文件.docx", docx_with_macros),
    Case("docx-1500-parts", "询比价文件.docx", docx_many_parts),
    Case("xlsx-without-workbook", "清单.xlsx", xlsx_without_workbook),
    Case("zip-truncated", "报价单.xlsx", zip_truncated),
    Case("exe", "setup.exe", executable),
    Case("exe-as-pdf", "scan.pdf", executable),
    Case("empty", "empty.pdf", _const(b"")),
    Case("oversize", "big.pdf", oversize),
    Case("csv-control-characters", "list.csv", csv_with_controls),
    Case("png-named-pdf", "scan.pdf", tiny_png),
    Case("pdf-named-png", "seal.png", tiny_pdf),
    Case("jpeg-named-xlsx", "报价单.xlsx", tiny_jpeg),
    Case("name-nul", "营业\x00执照.pdf", _const(HTML)),
    Case("name-bidi", "发票\u202efdp.exe", _const(HTML)),
    Case("name-control", "a\x1b[31m\x07\x7f\tb.pdf", _const(HTML)),
    Case("name-invisible", "\ufeff\u200b营业执照\u2060.pdf", _const(HTML)),
    Case("name-300-characters", "长" * 300 + ".pdf", _const(HTML)),
    Case("name-path", "../../../../etc/passwd", _const(HTML)),
)

