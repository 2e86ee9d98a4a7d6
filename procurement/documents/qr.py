"""The verification QR code printed on every generated document, as a small PNG data URI.

One pixel per module, black on white, with a one-module margin: the stylesheet scales it to
24 mm with ``image-rendering: pixelated``, so the PDF carries a bitmap of a few hundred bytes
that viewers and printers draw with sharp module edges (the image is marked not to be
interpolated). An SVG of the same code is one path of several hundred sub-paths that WeasyPrint
parsed and drew on every render (about 18 ms of a notice's 0.2 s); the bitmap is placed as it is.
"""
from __future__ import annotations

import base64
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(text: str) -> bytes:
    """The QR code of ``text`` as a 1-bit PNG, one pixel per module, a one-module margin."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=1)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def qr_data_uri(text: str) -> str:
    """The QR code of ``text`` as a PNG data URI, for the PDF templates."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode()
