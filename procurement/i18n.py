"""The interface's two languages: which one a request speaks, the catalogs, and Chinese documents.

Simplified Chinese is the source language (every msgid is Chinese) and the default; English comes
from ``translations/en/LC_MESSAGES/messages.po``. A request's language is, in order:

1. the signed-in user's saved choice (``user.locale``, set by the language switch);
2. the browser's choice (the ``lang`` cookie, set by the switch for anyone);
3. on a first visit, the best match of ``Accept-Language`` (Chinese when it names neither).

Outside a request (jobs, the CLI) the language is Chinese. Legal documents (the notices, the PDFs,
the mails) are issued in Chinese whatever the reader's language: :func:`chinese` forces it while
they are rendered, and :func:`chinese_document` renders a document's body inside an English page.

The ``.mo`` files are build products, not committed: ``make setup`` compiles them
(``pybabel compile``), and :func:`compile_catalogs` recompiles any that is missing or older than
its ``.po`` when the app starts, so a fresh clone or a pulled change works without a step.
"""
from __future__ import annotations

import logging
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import Flask, has_request_context, request
from flask_babel import force_locale, get_locale
from jinja2 import pass_context
from markupsafe import Markup

log = logging.getLogger(__name__)

CHINESE = "zh_Hans_CN"
ENGLISH = "en"
# What the switch offers: locale, its own name, the HTML lang tag.
LANGUAGES = {CHINESE: ("中文", "zh-CN"), ENGLISH: ("English", "en")}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# Templates of what is issued in Chinese (rendered under :func:`chinese`): the catalog need not
# translate what only they use (tests/integration/test_translations.py).
DOCUMENT_TEMPLATES = (
    "templates/documents/",
    "templates/mail/",
    "templates/public/_notice_body.html",
    "templates/public/result_body.html",
    "templates/panel/_report_body.html",
)


def normalise(value: object) -> str | None:
    """A locale this service speaks from a cookie, a form or a column (``zh``, ``zh-CN``, ``en-GB``...), else ``None``."""
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("-", "_").lower()
    if tag in ("zh", "zh_cn", "zh_hans", "zh_hans_cn"):
        return CHINESE
    if tag == "en" or tag.startswith("en_"):
        return ENGLISH
    return None


def from_accept_language() -> str:
    """The best of Chinese and English for ``Accept-Language``; Chinese when it names neither.

    Only the language counts (``zh-TW`` reads Simplified Chinese, the closer of the two).
    """
    best, best_quality = CHINESE, 0.0
    for tag, quality in request.accept_languages:
        locale = CHINESE if tag.lower().split("-")[0] == "zh" else normalise(tag)
        if locale is not None and quality > best_quality:
            best, best_quality = locale, quality
    return best


def select_locale() -> str:
    """Flask-Babel's locale selector (see the module docstring for the order)."""
    if not has_request_context():
        return CHINESE
    from flask_login import current_user

    saved = normalise(getattr(current_user, "locale", None)) if current_user.is_authenticated else None
    return saved or normalise(request.cookies.get(COOKIE)) or from_accept_language()


def current() -> str:
    """The locale of this request (or of the block forced by :func:`chinese`), as a string."""
    locale = get_locale()
    return ENGLISH if locale is not None and locale.language == "en" else CHINESE


def is_chinese() -> bool:
    """Whether the interface speaks Chinese now."""
    return current() == CHINESE


def html_lang() -> str:
    """The page's ``<html lang>``."""
    return LANGUAGES[current()][1]


@contextmanager
def chinese() -> Iterator[None]:
    """Render what is issued in Chinese (documents, mails) in Chinese, whatever the reader's language."""
    with force_locale(CHINESE):
        yield


@pass_context
def chinese_document(context, name: str) -> Markup:
    """A document's body (the notice, the result announcement, the panel's report) inside a page.

    Rendered in Chinese with the page's variables, as the document is issued; the page marks
    the element it sits in with ``lang="zh"``.
    """
    template = context.environment.get_template(name)
    with chinese():
        return Markup(template.render(context.get_all()))


def vary(response):
    """Pages differ by language: tell caches that the cookie and ``Accept-Language`` choose it."""
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def translation_directory() -> Path:
    """Where the catalogs live (``translations/`` beside the package)."""
    return Path(__file__).resolve().parent.parent / "translations"


def compile_catalogs(directory: Path) -> list[Path]:
    """Compile every ``<lang>/LC_MESSAGES/*.po`` whose ``.mo`` is missing or older; the ``.mo`` files written.

    Writes to a temporary file and renames it, so parallel app starts never read half a file.
    A catalog that cannot be written (a read-only checkout) is logged and skipped: the
    interface then stays untranslated for that language rather than failing to start.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        try:
            fd, temporary = tempfile.mkstemp(dir=po.parent, prefix=".messages-", suffix=".mo")
            with os.fdopen(fd, "wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            os.replace(temporary, mo)
        except OSError as error:
            log.warning("Could not compile %s: %s", po, error)
            continue
        written.append(mo)
    return written


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with the selector and the catalogs; compile stale catalogs; the template helpers."""
    from procurement.extensions import babel

    directory = translation_directory()
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(directory))
    compile_catalogs(directory)
    babel.init_app(app, default_locale=CHINESE, default_timezone="Asia/Shanghai", locale_selector=select_locale)
    app.after_request(vary)
    app.jinja_env.globals.update(
        chinese_document=chinese_document,
        ui_chinese=is_chinese,
        html_lang=html_lang,
        languages=LANGUAGES,
        current_locale=current,
    )


__all__ = [
    "CHINESE",
    "ENGLISH",
    "LANGUAGES",
    "COOKIE",
    "normalise",
    "select_locale",
    "current",
    "is_chinese",
    "chinese",
    "chinese_document",
    "compile_catalogs",
    "init_app",
]
