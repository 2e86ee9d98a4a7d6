"""Render PDFs with WeasyPrint: one FontConfiguration per process, an embedded CJK font.

design.md §7: a new FontConfiguration per render swings memory to 700 MB where one
reused per process stays near 120 MB; the CJK font is a system font (fonts-noto-cjk)
that the set-up installs. WeasyPrint logs ``.notdef`` warnings on its logger when a
glyph is missing; :func:`render_pdf` collects them so tests and callers can refuse
a PDF whose Chinese would print as empty boxes.
"""
from __future__ import annotations

import ctypes
import logging
import platform
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, render_template

_lock = threading.Lock()
_font_config = None
_stylesheet = None  # (the file's mtime, the parsed CSS)

STATIC = Path(__file__).resolve().parent.parent / "static"
PRINT_CSS = STATIC / "css" / "print.css"


# mallopt(3) parameter number of M_MMAP_THRESHOLD in glibc's <malloc.h>.
_M_MMAP_THRESHOLD = -3


def font_configuration():
    """The process-wide FontConfiguration (created on first use)."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        _keep_large_blocks_out_of_the_heap()
        _font_config = FontConfiguration()
    return _font_config


def _keep_large_blocks_out_of_the_heap() -> None:
    """Have glibc give WeasyPrint's copies of the font files back to the system when freed.

    Each render copies every embedded face's whole font file (20-27 MB for Noto CJK) into one
    bytes object. glibc serves a block that large with mmap, but once such a block is freed its
    dynamic threshold rises to that size (up to 32 MB), so the next copies come from the heap,
    which fragments and does not shrink: a worker settled about 70 MB higher after a few dozen
    renders (bench/render_notices.py). A fixed threshold of 1 MiB turns the dynamic one off.
    """
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, 1 << 20)


def print_stylesheet():
    """The parsed print stylesheet, shared by every render while the file is unchanged.

    WeasyPrint only reads a parsed ``CSS`` (it keeps its own user-agent sheets the same way);
    parsing ours again cost every render a few milliseconds. Call it holding ``_lock``.
    """
    global _stylesheet
    from weasyprint import CSS

    mtime = PRINT_CSS.stat().st_mtime_ns
    if _stylesheet is None or _stylesheet[0] != mtime:
        _stylesheet = (mtime, CSS(filename=str(PRINT_CSS), font_config=font_configuration()))
    return _stylesheet[1]


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class RenderedPdf:
    """PDF bytes and the warnings WeasyPrint logged while rendering them."""

    data: bytes
    warnings: list[str] = field(default_factory=list)

    @property
    def missing_glyphs(self) -> bool:
        """Whether any glyph fell back to ``.notdef`` (an empty box)."""
        return any(".notdef" in message for message in self.warnings)


def render_pdf(template: str, *, title: str, subject: str, author: str = "西藏日报社", **context) -> RenderedPdf:
    """Render a Jinja template to an A4 PDF with metadata (title, author, subject)."""
    return html_to_pdf(render_template(template, title=title, **context), title=title, subject=subject, author=author)


def html_to_pdf(html: str, *, title: str, subject: str, author: str = "西藏日报社") -> RenderedPdf:
    """Lay out an HTML string with the print stylesheet and write it as a PDF with metadata."""
    from weasyprint import HTML

    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    # WeasyPrint is not thread-safe around one FontConfiguration; renders are short.
    with _lock:
        logger.addHandler(collector)
        try:
            document = HTML(string=html, base_url=str(STATIC)).render(
                font_config=font_configuration(),
                stylesheets=[print_stylesheet()],
            )
            document.metadata.title = title
            document.metadata.authors = [author]
            document.metadata.description = subject
            document.metadata.generator = "询比价平台"
            data = document.write_pdf()
        finally:
            logger.removeHandler(collector)
    if collector.messages and current_app:
        for message in collector.messages:
            current_app.logger.warning("weasyprint: %s", message)
    return RenderedPdf(data=data, warnings=collector.messages)
