"""Keep WeasyPrint 70 from copying each embedded font's whole file on every render.

``weasyprint.pdf.fonts.Font.__init__`` copies the face's complete font file out of HarfBuzz into
a bytes object, ``file_content``: 20-27 MB for each Noto CJK face, two faces a document, on
every render. With HarfBuzz subsetting nothing reads that copy for our fonts (only variable or
colour fonts, ``full_fonts`` and a failed subset do) before the subset replaces it. The copy
costs a few milliseconds a face, touches every page of the font files (44 MB resident instead of
15), and the freed 20-27 MB blocks fragment glibc's heap: a process rendering the documents in
turn settled at 270 MB instead of 174 MB (bench/render_notices.py's set-up, 300 renders).
:class:`LazyFileFont` makes the copy on first read instead; the PDFs are byte for byte the same
(tests/integration/test_document_fonts.py).

It replaces the class WeasyPrint's PDF stream instantiates, for the pinned version only: another
version keeps WeasyPrint's own class (the memory figures then need a new look).
"""
from __future__ import annotations

import weasyprint
from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.pdf import stream as weasyprint_stream

PATCHED_VERSION = "70.0"


def _all_but_the_face_file(copy):
    """``get_hb_object_data`` that answers ``None`` for a whole face (the copy ``Font`` makes first)."""

    def get_hb_object_data(hb_object, ot_color=None, glyph=None):
        if ot_color is None and glyph is None:
            return None
        return copy(hb_object, ot_color, glyph)

    return get_hb_object_data


class LazyFileFont(weasyprint_fonts.Font):
    """A WeasyPrint ``Font`` whose ``file_content`` (the whole font file) is copied only when read.

    Constructed while rendering, under ``procurement.documents.pdf``'s lock: the swap of
    ``get_hb_object_data`` below is not thread-safe on its own.
    """

    def __init__(self, *args, **kwargs):
        copy = weasyprint_fonts.get_hb_object_data
        weasyprint_fonts.get_hb_object_data = _all_but_the_face_file(copy)
        try:
            super().__init__(*args, **kwargs)
        finally:
            weasyprint_fonts.get_hb_object_data = copy

    @property
    def file_content(self) -> bytes:
        """The font file (copied from HarfBuzz on first read), or the subset once made."""
        if self._file_content is None:
            self._file_content = weasyprint_fonts.get_hb_object_data(self.hb_face)
        return self._file_content

    @file_content.setter
    def file_content(self, value) -> None:
        self._file_content = value


def install() -> bool:
    """Have WeasyPrint's PDF stream build :class:`LazyFileFont` fonts; whether it did (pinned version only)."""
    if weasyprint.__version__ != PATCHED_VERSION:
        return False
    weasyprint_stream.Font = LazyFileFont
    return True
