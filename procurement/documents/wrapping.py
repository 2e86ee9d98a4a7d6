"""Line breaks for Chinese names and amounts in narrow PDF table cells.

Chinese text may break between any two characters, so a long company name in a narrow column
wraps wherever the line ends (西藏……贸易有 / 限责任公司). These helpers cut a name into the parts
a reader sees in it (the places it names, the trade name, the legal form) and an amount in words
at 万, 亿 and 元; each part is kept whole and a break is allowed only between parts. A part longer
than :data:`MAX_KEPT` characters is left free to break, so nothing ever overflows its cell.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

# 14 characters at 9.5 pt fit the opening record's supplier column (31 % of A4's 170 mm) with room to spare.
MAX_KEPT = 14

# Legal forms, longest first, so 有限责任公司 wins over 有限公司 and 公司.
_LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "合伙企业",
    "有限公司",
    "分公司",
    "合作社",
    "公司",
    "中心",
    "商行",
    "经营部",
)
# A place at the start of a name: up to six characters ending in an administrative unit.
_PLACE = re.compile(r"[^\s()（）]{1,6}?(?:特别行政区|自治区|自治州|自治县|地区|省|市|州|盟|县|区|旗)")


def name_parts(name: str) -> list[str]:
    """Cut a company name into places, trade name and legal form; joined they give ``name`` back."""
    rest = name
    parts: list[str] = []
    while rest:
        match = _PLACE.match(rest)
        if match is None or match.end() == len(rest):
            break
        parts.append(match.group())
        rest = rest[match.end() :]
    suffix = ""
    form = next((form for form in _LEGAL_FORMS if rest.endswith(form)), "")
    if form and len(rest) > len(form):
        suffix, rest = form, rest[: -len(form)]
    if rest:
        parts.append(rest)
    if suffix:
        parts.append(suffix)
    return parts


def amount_parts(words: str) -> list[str]:
    """Cut an amount in words (人民币玖仟肆佰玖拾捌元柒角整) after 人民币, 亿, 万 and 元."""
    # 元整 stays together: a lone 整 on the last line reads like a stray character.
    return [part for part in re.split(r"(?<=人民币)|(?<=亿)|(?<=万)|(?<=元)(?!整$)", words) if part]


def _join(parts: list[str]) -> Markup:
    pieces = [
        Markup('<span class="keep">%s</span>') % part if len(part) <= MAX_KEPT else escape(part) for part in parts
    ]
    return Markup("<wbr>").join(pieces)


def wrap_name(name: str | None) -> Markup:
    """HTML for a company name that breaks only between its parts (see :func:`name_parts`)."""
    return _join(name_parts(name or ""))


def wrap_amount_words(words: str | None) -> Markup:
    """HTML for an amount in words that breaks only after 人民币, 亿, 万 and 元."""
    return _join(amount_parts(words or ""))
