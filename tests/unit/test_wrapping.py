"""Where long names and amounts in words may break in the PDFs' narrow table cells."""
from __future__ import annotations

import pytest

from procurement.documents.wrapping import MAX_KEPT, amount_parts, name_parts, wrap_name


@pytest.mark.parametrize(
    "name, parts",
    [
        ("西藏自治区拉萨市城关区雪域高原办公用品贸易有限责任公司", ["西藏自治区", "拉萨市", "城关区", "雪域高原办公用品贸易", "有限责任公司"]),
        ("拉萨雪域办公用品有限公司", ["拉萨雪域办公用品", "有限公司"]),
        ("拉萨(高原)纸业有限公司", ["拉萨(高原)纸业", "有限公司"]),
        ("西藏圣地文化用品股份有限公司", ["西藏圣地文化用品", "股份有限公司"]),
        ("北京市朝阳区", ["北京市", "朝阳区"]),
        ("有限公司", ["有限公司"]),
        ("", []),
    ],
)
def test_a_name_is_cut_into_its_places_trade_name_and_legal_form(name, parts):
    assert name_parts(name) == parts
    assert "".join(parts) == name


@pytest.mark.parametrize(
    "words, parts",
    [
        ("人民币陆仟柒佰玖拾陆元整", ["人民币", "陆仟柒佰玖拾陆元整"]),
        ("人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分", ["人民币", "壹佰贰拾叁万", "肆仟伍佰陆拾柒元", "捌角玖分"]),
    ],
)
def test_an_amount_in_words_breaks_after_its_units(words, parts):
    assert amount_parts(words) == parts


def test_parts_are_kept_whole_and_escaped_and_a_very_long_part_may_still_break():
    html = str(wrap_name("拉萨<甲>商贸有限公司"))
    assert html == '<span class="keep">拉萨&lt;甲&gt;商贸</span><wbr><span class="keep">有限公司</span>'
    long_trade_name = "甲" * (MAX_KEPT + 1)
    assert str(wrap_name(long_trade_name + "有限公司")) == long_trade_name + '<wbr><span class="keep">有限公司</span>'
