"""Identifiers: USCC, resident ID numbers, masking, Lhasa divisions and mobile numbers."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from procurement.domain.identifiers import (
    LEGACY_LHASA_DIVISIONS,
    LHASA_DIVISIONS,
    PROVINCES,
    InvalidIdentifier,
    division_label,
    is_lhasa_division,
    mask_id_number,
    uscc_division,
    validate_mobile,
    validate_resident_id,
    validate_uscc,
)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_uscc(first17: str) -> str:
    """A USCC whose check character the library computes."""
    return first17 + uscc.calc_check_digit(first17)


def make_resident_id(first17: str) -> str:
    """A resident ID whose check digit the library computes (it ignores the last character it is given)."""
    return first17 + ric.calc_check_digit(first17 + "0")


def resident_id_with_x_check() -> str:
    """The first Lhasa-born test ID whose check digit comes out as X."""
    for sequence in range(1000):
        number = make_resident_id(f"54010219900101{sequence:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit in range")


LHASA_USCC = make_uscc("91540102MA6T0000" + "0")
SICHUAN_USCC = make_uscc("91510104MA6T1234" + "5")


def wrong_check(number: str) -> str:
    """``number`` with its check character replaced by a different one."""
    other = "1" if number[-1] != "1" else "2"
    return number[:-1] + other


# --------------------------------------------------------------------------- USCC


def test_valid_uscc_is_compacted():
    assert validate_uscc(LHASA_USCC) == LHASA_USCC
    spaced = " ".join([LHASA_USCC[:6], LHASA_USCC[6:12], LHASA_USCC[12:]]).lower()
    assert validate_uscc(spaced) == LHASA_USCC
    assert validate_uscc(LHASA_USCC.replace("9", "９") + "\u3000") == LHASA_USCC  # full-width input


def test_uscc_with_wrong_check_character():
    with pytest.raises(InvalidIdentifier) as info:
        validate_uscc(wrong_check(LHASA_USCC))
    assert info.value.code == "invalid_uscc"
    assert info.value.reason == "checksum"


@pytest.mark.parametrize("value", ["", LHASA_USCC[:17], LHASA_USCC + "0"])
def test_uscc_with_wrong_length(value: str):
    with pytest.raises(InvalidIdentifier) as info:
        validate_uscc(value)
    assert info.value.code == "invalid_uscc"
    assert info.value.reason == "length"
    assert info.value.params == {"length": len(value)}
    assert str(len(value)) in str(info.value)


def test_uscc_with_letters_it_never_uses():
    with pytest.raises(InvalidIdentifier) as info:
        validate_uscc("91540102MA6TOOOOOI")
    assert info.value.code == "invalid_uscc"
    assert info.value.reason == "format"


@given(
    head=st.text(alphabet="0123456789", min_size=8, max_size=8),
    tail=st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)
def test_generated_usccs_validate_and_a_changed_check_character_does_not(head: str, tail: str):
    number = make_uscc(head + tail)
    assert validate_uscc(number) == number
    with pytest.raises(InvalidIdentifier):
        validate_uscc(wrong_check(number))


# --------------------------------------------------------------------------- resident ID


def test_valid_resident_id():
    number = make_resident_id("54010219900101123")
    assert validate_resident_id(number) == number
    assert validate_resident_id(f" {number[:6]} {number[6:14]} {number[14:]} ") == number


def test_resident_id_with_x_check_digit_in_either_case():
    number = resident_id_with_x_check()
    assert validate_resident_id(number) == number
    assert validate_resident_id(number.lower()) == number
    with pytest.raises(InvalidIdentifier) as info:
        validate_resident_id(number[:-1] + "0")
    assert info.value.reason == "checksum"


def test_resident_id_with_wrong_check_digit():
    with pytest.raises(InvalidIdentifier) as info:
        validate_resident_id(wrong_check(make_resident_id("54010219900101123")))
    assert info.value.code == "invalid_id_number"
    assert info.value.reason == "checksum"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("5401021990010112", "length"),
        ("5401021990A101123X", "format"),
        ("54010219900101123A", "checksum"),
        (make_resident_id("54010219901332123"), "component"),  # 13th month
        (make_resident_id("00000019900101123"), "component"),  # no such division
    ],
)
def test_invalid_resident_ids(value: str, reason: str):
    with pytest.raises(InvalidIdentifier) as info:
        validate_resident_id(value)
    assert info.value.code == "invalid_id_number"
    assert info.value.reason == reason
    info.value.message % info.value.params


# --------------------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("540102199001011234", "5401**********1234"),
        (" 540102199001011234 ", "5401**********1234"),
        ("54010219900101109X", "5401**********109X"),
        ("123456789", "1234*6789"),
        ("12345678", "1******8"),
        ("123", "1*3"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_id_number(value: str, masked: str):
    assert mask_id_number(value) == masked


# --------------------------------------------------------------------------- divisions


def test_uscc_division():
    assert uscc_division(LHASA_USCC) == "540102"
    assert uscc_division(SICHUAN_USCC) == "510104"
    with pytest.raises(InvalidIdentifier):
        uscc_division("91540102")


def test_lhasa_divisions_current_and_legacy():
    assert len(LHASA_DIVISIONS) == 8 and len(LEGACY_LHASA_DIVISIONS) == 2
    for code in [*LHASA_DIVISIONS, *LEGACY_LHASA_DIVISIONS]:
        assert is_lhasa_division(code), code
    assert is_lhasa_division(uscc_division(LHASA_USCC))
    assert is_lhasa_division("540100")  # registered with the Lhasa city registrar
    for code in ("510104", "540202", "540128", "110101", "", "5401"):
        assert not is_lhasa_division(code), code


def test_division_labels():
    assert division_label("540102") == "拉萨市城关区"
    assert division_label("540125") == "拉萨市堆龙德庆县"
    assert division_label("540202") == "西藏自治区日喀则市（540202）"
    assert division_label("510104") == "四川省（510104）"
    assert division_label("650102") == "新疆维吾尔自治区（650102）"
    assert division_label("990000") == "990000"
    assert len(PROVINCES) == 31
    assert PROVINCES["11"] == "北京市" and PROVINCES["54"] == "西藏自治区"


# --------------------------------------------------------------------------- mobile


@pytest.mark.parametrize(
    "value", ["13618906639", "136 1890 6639", "136-1890-6639", "+86 136 1890 6639", "+8613618906639", "008613618906639", "8613618906639", "１３６１８９０６６３９"]
)
def test_valid_mobile(value: str):
    assert validate_mobile(value) == "13618906639"


@pytest.mark.parametrize("value", ["", "1361890663", "136189066390", "12618906639", "0891-6831234", "1361890663a", "+1 13618906639"])
def test_invalid_mobile(value: str):
    with pytest.raises(InvalidIdentifier) as info:
        validate_mobile(value)
    assert info.value.code == "invalid_mobile"


def test_places_outside_lhasa_named_in_an_address():
    from procurement.domain.identifiers import places_outside_lhasa_named

    assert places_outside_lhasa_named("西藏自治区日喀则市桑珠孜区") == ("日喀则",)
    assert places_outside_lhasa_named("四川省成都市，那曲市办事处") == ("四川省", "那曲")
    # Lhasa itself, Tibet, and Lhasa streets named after provinces are not "elsewhere".
    assert places_outside_lhasa_named("西藏自治区拉萨市城关区北京中路 1 号") == ()
    assert places_outside_lhasa_named("城关区江苏路 3 号") == ()
    assert places_outside_lhasa_named("") == ()
