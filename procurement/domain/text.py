"""Clean text: which characters no field of ours accepts, and why.

A name, an address or a reason is shown back in lists, drop-downs, PDFs and the audit trail.
Control characters (NUL and the rest of Unicode category Cc) break storage and rendering;
bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C) reorder what
a reader sees, so "公司A‮B司公" can pose as another company; invisible format characters
(zero-width space, word joiner, BOM, tag characters, ...) make two names that look the same
compare different. None of them is typed by a person filling in a procurement form.

Multi-line fields (a challenge, a reason) keep tab, line feed and carriage return, and the
zero-width joiners (U+200C, U+200D) that emoji sequences and some scripts need; single-line
fields keep none of them.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from procurement.domain import N_

# Unicode's Bidi_Control property: every character that changes the displayed order.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MULTILINE_ALLOWED = frozenset("\t\n\r\u200c\u200d")

KIND_CONTROL = "control"
KIND_BIDI = "bidi"
KIND_INVISIBLE = "invisible"

MESSAGES = {
    KIND_CONTROL: N_("含有控制字符 %(code)s（第 %(position)s 个字符），请删除后重新填写。"),
    KIND_BIDI: N_("含有改变文字显示方向的控制字符 %(code)s（第 %(position)s 个字符），请删除后重新填写。"),
    KIND_INVISIBLE: N_("含有不可见字符 %(code)s（第 %(position)s 个字符），请删除后重新填写。"),
}


@dataclass(frozen=True)
class ForbiddenCharacter:
    """The first character a field refuses: where (1-based), which, and what kind."""

    position: int
    char: str
    kind: str

    @property
    def code(self) -> str:
        """U+202E."""
        return f"U+{ord(self.char):04X}"

    @property
    def message(self) -> str:
        """The untranslated Chinese message template (fill with :attr:`params`)."""
        return MESSAGES[self.kind]

    @property
    def params(self) -> dict:
        """The message's parameters."""
        return {"code": self.code, "position": self.position}


def kind_of(char: str, *, multiline: bool = False) -> str | None:
    """Why ``char`` is refused (``control``, ``bidi``, ``invisible``), or ``None`` when it is fine."""
    if multiline and char in MULTILINE_ALLOWED:
        return None
    if char in BIDI_CONTROLS:
        return KIND_BIDI
    category = unicodedata.category(char)
    if category == "Cc":
        return KIND_CONTROL
    if category in ("Cf", "Zl", "Zp", "Cs"):
        # Format characters (zero-width space, BOM, tags), line and paragraph separators and
        # lone surrogates. Private-use characters stay: older Chinese systems put rare
        # characters of people's names there.
        return KIND_INVISIBLE
    return None


def first_forbidden(text: str, *, multiline: bool = False) -> ForbiddenCharacter | None:
    """The first character of ``text`` a field refuses, or ``None`` when every one is fine."""
    for index, char in enumerate(text):
        kind = kind_of(char, multiline=multiline)
        if kind is not None:
            return ForbiddenCharacter(index + 1, char, kind)
    return None


def strip_forbidden(text: str, *, multiline: bool = False) -> str:
    """``text`` without the characters :func:`first_forbidden` would refuse."""
    return "".join(char for char in text if kind_of(char, multiline=multiline) is None)
