"""Small valid files as a supplier or buyer would upload them: a PDF scan, a PNG or JPEG seal, a credit-list CSV."""
from __future__ import annotations

import io
import struct
import zlib

from werkzeug.datastructures import FileStorage


def tiny_pdf(
    text: str = "stamped scan",
    *,
    catalog_extra: bytes = b"",
    page_extra: bytes = b"",
    extra_objects: tuple[bytes, ...] = (),
    tail: bytes = b"",
    version: bytes = b"1.4",
) -> bytes:
    """A small but valid one-page PDF (correct xref offsets), as a stamped scan stands in for.

    The hostile corpus adds entries to its catalog and page, extra objects (6 0 obj on) and bytes
    after %%EOF.
    """
    stream = f"BT /F1 12 Tf 20 50 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + (catalog_extra + b" " if catalog_extra else b"") + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> "
        + (page_extra + b" " if page_extra else b"")
        + b">>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-" + version + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out) + tail


def tiny_png(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small valid PNG (a red square: the company seal), built with struct and zlib."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def tiny_jpeg(width: int = 8, height: int = 6, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small valid JPEG (a photo of the seal), encoded by Pillow."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), rgb).save(out, "JPEG")
    return out.getvalue()


def scan_upload(kind: str = "business_licence", data: bytes | None = None, filename: str | None = None) -> FileStorage:
    """A FileStorage as the registration form would post it (a PDF unless ``data`` says otherwise)."""
    data = tiny_pdf(kind) if data is None else data
    return FileStorage(io.BytesIO(data), filename=filename or f"{kind}.pdf")


def blacklist_csv(rows: list[dict], header: str = "name,uscc,list,source,listed_from,listed_until") -> bytes:
    """CSV bytes for a list import: ``rows`` are dicts with the header's keys (missing ones blank)."""
    columns = header.split(",")
    lines = [header] + [",".join(str(row.get(column, "")) for column in columns) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def as_stored(name: str, sent: bytes) -> bytes:
    """What the store keeps of a file sent: a PDF byte for byte, an image re-encoded without metadata (same pixels)."""
    from PIL import Image

    from procurement.documents.file_checks import reencode_image
    from procurement.domain.uploads import PNG

    if not sent.startswith(b"\x89PNG"):
        return sent
    stored = reencode_image(sent, PNG, name)
    assert Image.open(io.BytesIO(stored)).tobytes() == Image.open(io.BytesIO(sent)).tobytes()
    return stored
