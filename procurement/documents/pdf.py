"""Render PDFs with WeasyPrint: one FontConfiguration per process, an embedded CJK font.

design.md §7: a new FontConfiguration per render swings memory to 700 MB where one
reused per process stays near 120 MB; the CJK font is a system font (fonts-noto-cjk)
that the set-up installs. WeasyPrint logs ``.notdef`` warnings on its logger when a
glyph is missing; :func:`render_pdf` collects them so tests and callers can refuse
a PDF whose Chinese would print as empty boxes.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, render_template

_lock = threading.Lock()
_font_config = None
_stylesheet = None  # (the file's mtime, the parsed CSS)

STATIC = Path(__file__).resolve().parent.parent / "static"
PRINT_CSS = STATIC / "css" / "print.css"


def font_configuration():
    """The process-wide FontConfiguration (created on first use, with :mod:`.font_files` installed)."""
    global _font_config
    if _font_config is None:
        from weasyprint.text.fonts import FontConfiguration

        from procurement.documents import font_files

        font_files.install()
        _font_config = FontConfiguration()
    return _font_config


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
    """Render a Jinja template to an A4 PDF with metadata (title, author, subject).

    In Chinese, whatever the language of the page that asked for it: documents are issued in Chinese.
    """
    from procurement.i18n import chinese

    with chinese():
        html = render_template(template, title=title, **context)
    return html_to_pdf(html, title=title, subject=subject, author=author)


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
