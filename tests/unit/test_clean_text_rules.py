"""Which characters no text field accepts (domain.text): control, bidirectional and invisible ones."""
from __future__ import annotations

import pytest

from procurement.domain.text import KIND_BIDI, KIND_CONTROL, KIND_INVISIBLE, first_forbidden, strip_forbidden

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]


@pytest.mark.parametrize("char", BIDI)
def test_every_bidi_control_is_refused_in_every_field(char):
    for multiline in (False, True):
        found = first_forbidden(f"拉萨{char}公司", multiline=multiline)
        assert (found.position, found.kind, found.code) == (3, KIND_BIDI, f"U+{ord(char):04X}")


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_refused(char):
    assert first_forbidden("ab" + char, multiline=True).kind == KIND_CONTROL


@pytest.mark.parametrize("char", ["\u200b", "\u2060", "\ufeff", "\u00ad", "\U000e0041", "\u2028", "\u2029"])
def test_invisible_characters_are_refused(char):
    assert first_forbidden(char + "x").kind == KIND_INVISIBLE


def test_line_breaks_tabs_and_joiners_belong_to_multi_line_fields_only():
    text = "第一行\r\n第二行\t👩\u200d💻 \u200c"
    assert first_forbidden(text, multiline=True) is None
    assert first_forbidden(text).kind == KIND_CONTROL
    assert first_forbidden("👩\u200d💻").kind == KIND_INVISIBLE


def test_ordinary_text_of_every_script_we_meet_passes():
    for text in ("西藏日报社", "བོད་ལྗོངས་ཉིན་རེའི་ཚགས་པར་ཁང་།", "Lhasa Co., Ltd.", "（９１５４０１）", "¥1,234.50", "\ue000生僻字"):
        assert first_forbidden(text) is None, text


def test_strip_forbidden_keeps_the_rest():
    assert strip_forbidden("拉\u202e萨\x00公\u200b司") == "拉萨公司"
    assert strip_forbidden("一\n二\u202e", multiline=True) == "一\n二"
