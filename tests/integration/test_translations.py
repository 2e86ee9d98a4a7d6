"""Every interface string has an English translation: the catalog is extracted afresh from the code.

The test runs ``pybabel extract`` with ``babel.cfg`` (as ``make translations`` does) into a
temporary folder and compares the strings found with ``translations/en/LC_MESSAGES/messages.po``.
A string only the legal documents use (``procurement.i18n.DOCUMENT_TEMPLATES``: the notices, the
PDFs, the mails, issued in Chinese) is not required; every other one needs a msgstr that is not
empty, not fuzzy, keeps the msgid's placeholders and holds no Chinese. When it fails, run
``make translations`` and translate what it lists.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from procurement import i18n

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sd]")
CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The catalog template extracted now from the code in the repository (with locations)."""
    target = tmp_path_factory.mktemp("catalog") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "--ignore-dirs", ".* __pycache__ instance", "-o", str(target), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with target.open("rb") as handle:
        return read_po(handle)


@pytest.fixture(scope="module")
def english():
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="en")


def _interface(message) -> bool:
    """Whether a string is used outside the documents (a string without a location counts)."""
    paths = [path for path, _line in message.locations]
    return not paths or any(not path.startswith(i18n.DOCUMENT_TEMPLATES) for path in paths)


def _where(message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.locations[:3])


def test_the_extraction_finds_the_interface_strings(extracted):
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extracted if m.id}
    assert len(ids) > 1000
    # Python (_l, N_, ngettext), templates, and the macros in templates/_macros (babel skips "_" folders by default).
    assert {"请先登录。", "报名尚未开始，将于 %(at)s（北京时间）开始。", "采购公告", "报价截止时间：%(at)s（北京时间）"} <= ids
    assert any(isinstance(m.id, tuple) for m in extracted), "ngettext's plural forms are extracted"
    assert any(m.context == "audit" for m in extracted), "pgettext's contexts are extracted"


def test_every_interface_string_has_an_english_translation(extracted, english):
    problems = []
    for message in extracted:
        if not message.id or not _interface(message):
            continue
        key = message.id
        found = english.get(key, context=message.context)
        label = repr(key if isinstance(key, str) else key[0]) + (f" [{message.context}]" if message.context else "")
        if found is None or not found.string or (isinstance(found.string, tuple) and not all(found.string)):
            problems.append(f"no English: {label}  ({_where(message)})")
            continue
        if found.fuzzy:
            problems.append(f"fuzzy (check, then remove the flag): {label}  ({_where(message)})")
            continue
        wanted = sorted(set(PLACEHOLDER.findall(key if isinstance(key, str) else key[0])))
        for text in found.string if isinstance(found.string, tuple) else (found.string,):
            if sorted(set(PLACEHOLDER.findall(text))) != wanted:
                problems.append(f"placeholders differ from {wanted}: {label} -> {text!r}")
            if CJK.search(text):
                problems.append(f"Chinese left in the English: {label} -> {text!r}")
    assert not problems, f"{len(problems)} strings lack a proper English translation (run `make translations`):\n" + "\n".join(problems)


def test_plural_forms_are_english_ones(english):
    assert english.plural_forms == "nplurals=2; plural=(n != 1);"
    plurals = [m for m in english if m.id and isinstance(m.id, tuple)]
    assert plurals
    for message in plurals:
        singular, plural = message.string
        assert singular != plural, f"the singular and plural of {message.id[0]!r} read the same"


def test_the_app_reads_the_compiled_catalog(app):
    """The app compiles a missing or older .mo when it starts: English pages need no manual step."""
    from flask_babel import force_locale, gettext

    mo = CATALOG.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= CATALOG.stat().st_mtime
    with app.test_request_context("/"):
        with force_locale("en"):
            assert gettext("采购公告") == "Procurement notices"
        assert gettext("采购公告") == "采购公告"


def test_compile_catalogs_rebuilds_a_stale_catalog(tmp_path):
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\nmsgid "采购公告"\nmsgstr "Procurement notices"\n',
        encoding="utf-8",
    )
    assert i18n.compile_catalogs(tmp_path) == [folder / "messages.mo"]
    assert i18n.compile_catalogs(tmp_path) == []  # up to date: nothing written
