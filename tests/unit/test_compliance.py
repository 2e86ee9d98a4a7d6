"""Response compliance of a quote sheet and the ceiling total."""
from decimal import Decimal

from procurement.domain.compliance import BoqLine, PricedLine, ceiling_total, check_quote_compliance
from procurement.formatting import translate

ITEMS = (
    BoqLine(1, 1, "复印纸", Decimal("100"), Decimal("30.00")),
    BoqLine(2, 2, "硒鼓", Decimal("10"), Decimal("450.00")),
    BoqLine(3, 3, "中性笔", Decimal("20"), None),
)


def text_of(result) -> str:
    """The result as the page shows it (in Chinese): each problem is a message of its own."""
    return translate(result.message, result.params)


def priced(prices):
    items = {item.item_id: item for item in ITEMS}
    return [PricedLine(i, Decimal(p), (items[i].quantity * Decimal(p)).quantize(Decimal("0.01"))) for i, p in prices.items()]


def test_complete_sheet_within_ceilings_passes():
    lines = priced({1: "28.00", 2: "450.00", 3: "12.50"})
    result = check_quote_compliance(ITEMS, lines, Decimal("7550.00"))
    assert result.status == "pass"
    assert text_of(result) == "报价单3项均已报价，设有最高限价的2项均未超过限价，总价¥7,550.00。"


def test_missing_line_and_price_above_ceiling_fail_with_every_problem():
    lines = priced({1: "30.01", 3: "12.50"})
    total = sum(line.line_total for line in lines)
    result = check_quote_compliance(ITEMS, lines, total)
    assert result.status == "fail"
    text = text_of(result)
    assert "未报价：第2项硒鼓" in text
    assert "第1项复印纸单价¥30.01超过最高限价¥30.00" in text


def test_price_equal_to_the_ceiling_is_within_it():
    lines = priced({1: "30.00", 2: "450.00", 3: "1.00"})
    assert check_quote_compliance(ITEMS, lines, Decimal("7520.00")).status == "pass"


def test_totals_that_do_not_add_up_fail():
    lines = priced({1: "28.00", 2: "450.00", 3: "12.50"})
    result = check_quote_compliance(ITEMS, lines, Decimal("7550.01"))
    assert result.status == "fail" and "总价¥7,550.01与各项小计之和¥7,550.00不符" in text_of(result)
    wrong_line = [PricedLine(1, Decimal("28.00"), Decimal("2900.00"))] + lines[1:]
    assert "第1项复印纸小计" in text_of(check_quote_compliance(ITEMS, wrong_line, Decimal("7650.00")))


def test_zero_price_and_unknown_item_fail():
    lines = priced({1: "0", 2: "450.00", 3: "12.50"}) + [PricedLine(9, Decimal("1.00"), Decimal("1.00"))]
    problems = text_of(check_quote_compliance(ITEMS, lines, Decimal("4751.00")))
    assert "第1项复印纸单价须大于零" in problems and "采购清单以外" in problems


def test_ceiling_total_needs_every_line_to_have_a_ceiling():
    assert ceiling_total(ITEMS) is None
    assert ceiling_total(ITEMS[:2]) == Decimal("7500.00")
    assert ceiling_total([BoqLine(1, 1, "x", Decimal("0.333"), Decimal("1.00"))]) == Decimal("0.33")
    assert ceiling_total([]) is None
