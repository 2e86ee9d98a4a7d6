"""Money: parsing typed amounts, totals, figures and PBOC capital numerals."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procurement.domain.money import (
    AmountError,
    QuoteLine,
    amount_in_words,
    amount_in_words_rmb,
    check_ceiling,
    format_yuan,
    parse_amount,
    parse_quantity,
    quantize,
    quote_total,
)

# --- capital numerals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("figures", "words"),
    [
        # The PBOC rules' own examples (正确填写票据和结算凭证的基本规定).
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
        ("107000.53", "壹拾万柒仟元零伍角叁分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        # The brief's examples.
        ("100000", "壹拾万元整"),
        ("0.05", "伍分"),
        ("1234.50", "壹仟贰佰叁拾肆元伍角"),
        ("10", "壹拾元整"),
        ("1000000.00", "壹佰万元整"),
        ("100000000", "壹亿元整"),
        ("0", "零元整"),
        # Our choices where the rules allow two forms (see amount_in_words).
        ("0.50", "伍角"),
        ("0.32", "叁角贰分"),
        ("10.05", "壹拾元零伍分"),
        ("10.50", "壹拾元零伍角"),
        ("110", "壹佰壹拾元整"),
        ("100700", "壹拾万零柒佰元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("1000001", "壹佰万零壹元整"),
        ("1010000000", "壹拾亿壹仟万元整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_amount_in_words_examples(figures, words):
    assert amount_in_words(Decimal(figures)) == words


def test_amount_in_words_rmb_prefix():
    assert amount_in_words_rmb(Decimal("1234.50")) == "人民币壹仟贰佰叁拾肆元伍角"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (Decimal("-0.01"), "negative"),
        (Decimal(10) ** 12, "too_large"),
        (Decimal("1.005"), "too_many_decimals"),
        (Decimal("NaN"), "not_finite"),
    ],
)
def test_amount_in_words_refuses(value, code):
    with pytest.raises(AmountError) as caught:
        amount_in_words(value)
    assert caught.value.code == code


def test_amount_in_words_refuses_float():
    with pytest.raises(TypeError):
        amount_in_words(12.5)


CAPITAL_CHARACTERS = set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")
_DIGIT_VALUES = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def words_to_amount(words: str) -> Decimal:
    """An independent reader of capital numerals, so the spelling can be round-tripped."""
    yuan = jiao = fen = 0
    total = section = digit = 0
    for char in words:
        if char in _DIGIT_VALUES:
            digit = _DIGIT_VALUES[char]
        elif char in _SMALL:
            assert digit, f"unit {char} without a digit in {words}"
            section += digit * _SMALL[char]
            digit = 0
        elif char == "万":
            total += (section + digit) * 10**4
            section = digit = 0
        elif char == "亿":
            total = (total + section + digit) * 10**8
            section = digit = 0
        elif char == "元":
            yuan = total + section + digit
            total = section = digit = 0
        elif char == "角":
            jiao, digit = digit, 0
        elif char == "分":
            fen, digit = digit, 0
        elif char == "整":
            pass
        else:  # pragma: no cover - the character check catches this first
            raise AssertionError(char)
    assert digit == 0 and section == 0 and total == 0, f"dangling digits in {words}"
    return Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100


amounts = st.integers(min_value=0, max_value=10**14 - 1).map(lambda fen: Decimal(fen) / 100)
# Amounts made of few non-zero digits exercise the 零 rules far more often than uniform ones.
sparse_amounts = st.lists(
    st.tuples(st.integers(0, 13), st.integers(1, 9)), max_size=4
).map(lambda digits: quantize(Decimal(sum(d * 10**p for p, d in dict(digits).items())) / 100))


@given(st.one_of(amounts, sparse_amounts))
def test_amount_in_words_properties(amount):
    words = amount_in_words(amount)
    assert set(words) <= CAPITAL_CHARACTERS
    assert "零零" not in words
    # Decision: only zero itself starts with 零; below one yuan the words start at 角 or 分.
    assert words.startswith("零") == (amount == 0)
    assert not words.endswith("零")
    cents = int(amount * 100) % 100
    assert words.endswith("整") == (cents == 0)
    assert ("元" in words) == (amount >= 1 or amount == 0)
    assert words_to_amount(words) == amount


def test_round_trip_reader_reads_known_spellings():
    assert words_to_amount("壹拾万柒仟元零伍角叁分") == Decimal("107000.53")
    assert words_to_amount("壹亿零壹仟元整") == Decimal("100001000")


# --- parsing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.5", "1234.50"),
        ("1,234.50", "1234.50"),
        ("１２３４.５", "1234.50"),
        ("¥1,234.50", "1234.50"),
        ("￥１，２３４．５０", "1234.50"),
        ("  88  ", "88.00"),
        ("人民币 12 元", "12.00"),
        ("0.01", "0.01"),
        (".5", "0.50"),
        ("1.500", "1.50"),
        ("999999999999.99", "999999999999.99"),
        ("1,234,567", "1234567.00"),
    ],
)
def test_parse_amount_accepts(text, expected):
    value = parse_amount(text)
    assert value == Decimal(expected)
    assert value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("¥", "empty"),
        ("abc", "not_a_number"),
        ("12元3", "not_a_number"),
        ("1e3", "not_a_number"),
        ("1.2.3", "not_a_number"),
        ("1 234", "not_a_number"),
        ("12,34", "misplaced_separator"),
        ("1,2345.00", "misplaced_separator"),
        ("NaN", "not_finite"),
        ("Infinity", "not_finite"),
        ("-inf", "not_finite"),
        ("-5", "negative"),
        ("−5", "negative"),
        ("-¥5", "negative"),
        ("0", "zero"),
        ("0.00", "zero"),
        ("1.234", "too_many_decimals"),
        ("0.001", "too_many_decimals"),
        ("1000000000000", "too_large"),
        ("1,000,000,000,000.00", "too_large"),
    ],
)
def test_parse_amount_rejects(text, code):
    with pytest.raises(AmountError) as caught:
        parse_amount(text)
    assert caught.value.code == code
    assert caught.value.message  # a Chinese template for the form to show


def test_each_amount_rejection_has_its_own_message():
    codes = ["", "abc", "NaN", "-5", "0", "1.234", "10000000000000"]
    messages = set()
    for text in codes:
        with pytest.raises(AmountError) as caught:
            parse_amount(text)
        messages.add(caught.value.message)
    assert len(messages) >= 6  # empty and not_a_number share the "例如 1234.50" hint
    with pytest.raises(AmountError, match="金额必须大于零"):
        parse_amount("0")
    with pytest.raises(AmountError, match="金额最多两位小数"):
        parse_amount("1.234")


def test_parse_amount_allows_zero_when_asked():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")


@pytest.mark.parametrize(
    ("text", "expected"), [("12", "12.000"), ("2.5", "2.500"), ("0.125", "0.125"), ("１,０００", "1000.000")]
)
def test_parse_quantity_accepts(text, expected):
    assert parse_quantity(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "quantity_empty"),
        ("x", "quantity_not_a_number"),
        ("-1", "quantity_negative"),
        ("0", "quantity_zero"),
        ("0.0001", "quantity_too_many_decimals"),
        ("nan", "quantity_not_finite"),
        ("1000000000", "quantity_too_large"),
    ],
)
def test_parse_quantity_rejects(text, code):
    with pytest.raises(AmountError) as caught:
        parse_quantity(text)
    assert caught.value.code == code


# --- rounding, figures, totals --------------------------------------------------------


def test_quantize_rounds_half_up():
    assert quantize(Decimal("2.675")) == Decimal("2.68")
    assert quantize(Decimal("2.665")) == Decimal("2.67")
    assert quantize(Decimal("-2.675")) == Decimal("-2.68")
    assert quantize(3) == Decimal("3.00")


def test_quantize_refuses_float():
    with pytest.raises(TypeError):
        quantize(2.675)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1234.5", "¥1,234.50"),
        ("0", "¥0.00"),
        ("0.05", "¥0.05"),
        ("1000000", "¥1,000,000.00"),
        ("-5", "-¥5.00"),
    ],
)
def test_format_yuan(value, text):
    assert format_yuan(Decimal(value)) == text


def test_quote_line_total_and_quote_total():
    lines = [
        QuoteLine(item_id=1, quantity=Decimal("3"), unit_price=Decimal("12.50")),
        QuoteLine(item_id=2, quantity=Decimal("0.333"), unit_price=Decimal("10.00")),  # 3.33
        QuoteLine(item_id=3, quantity=Decimal("1.5"), unit_price=Decimal("0.99")),  # 1.485 → 1.49
    ]
    assert [line.total for line in lines] == [Decimal("37.50"), Decimal("3.33"), Decimal("1.49")]
    assert quote_total(lines) == Decimal("42.32")
    assert quote_total([]) == Decimal("0.00")


def test_quote_line_is_frozen():
    line = QuoteLine(item_id=1, quantity=Decimal("1"), unit_price=Decimal("1"))
    with pytest.raises(AttributeError):
        line.unit_price = Decimal("2")


def test_check_ceiling():
    assert check_ceiling(Decimal("10.00"), Decimal("10.00"))
    assert check_ceiling(Decimal("9.99"), Decimal("10.00"))
    assert not check_ceiling(Decimal("10.01"), Decimal("10.00"))
    assert check_ceiling(Decimal("99999"), None)


def test_absurdly_long_numbers_are_refused_not_crashed():
    import pytest

    from procurement.domain.money import AmountError, parse_amount, parse_quantity

    with pytest.raises(AmountError) as caught:
        parse_amount("9" * 40)
    assert caught.value.code == "too_large"
    with pytest.raises(AmountError) as caught:
        parse_quantity("1" * 40 + ".5")
    assert caught.value.code == "quantity_too_large"
