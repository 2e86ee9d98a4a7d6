"""Sealed quotes: key wrapping, the opening-time gate, canonical payloads and receipts."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.domain.sealing import (
    DecodedQuote,
    SealBroken,
    SealedUntilOpening,
    decode_quote,
    encode_quote,
    generate_kek,
    generate_project_keys,
    kek_id,
    open_sealed,
    receipt_hash,
    seal,
    unwrap_private_key,
    wrapped_kek_id,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENING = datetime(2025, 1, 2, 16, 0, tzinfo=SHANGHAI)
SUBMITTED = datetime(2024, 12, 30, 10, 15, 30, 123456, tzinfo=SHANGHAI)
LINES = [(3, Decimal("123.40")), (1, Decimal("8.5")), (2, Decimal("1999"))]


def payload(lines=LINES, **overrides):
    fields = dict(project_id=7, registration_id=42, version=2, submitted_at=SUBMITTED) | overrides
    return encode_quote(lines, **fields)


@pytest.fixture(scope="module")
def kek():
    return generate_kek()


@pytest.fixture(scope="module")
def keys(kek):
    return generate_project_keys(kek)


def test_seal_and_open_round_trip(kek, keys):
    sealed = seal(keys.public_key, payload())
    receipt = receipt_hash(sealed)
    private_key = unwrap_private_key(keys.wrapped_private_key, kek, now=OPENING, opening_at=OPENING)

    opened = open_sealed(private_key, sealed, expected_hash=receipt)

    assert opened == payload()
    assert decode_quote(opened) == DecodedQuote(
        project_id=7,
        registration_id=42,
        version=2,
        submitted_at=SUBMITTED,
        lines=((1, Decimal("8.50")), (2, Decimal("1999.00")), (3, Decimal("123.40"))),
    )


def test_ciphertext_reveals_no_amount_and_no_length_of_prices(keys):
    sealed = seal(keys.public_key, payload())

    for text in (b"123.40", b"1999.00", b"8.50", b"lines", b"registration_id"):
        assert text not in sealed
    # Padding: a price with more digits gives a ciphertext of the same length.
    small = seal(keys.public_key, payload([(1, Decimal("9.00"))]))
    large = seal(keys.public_key, payload([(1, Decimal("99999999.00"))]))
    assert len(small) == len(large)


def test_receipt_is_sha256_hex_of_sealed_bytes(keys):
    sealed = seal(keys.public_key, payload())
    receipt = receipt_hash(sealed)
    assert len(receipt) == 64 and receipt == receipt.lower()
    assert receipt != receipt_hash(seal(keys.public_key, payload()))  # sealing is randomised


def test_unwrap_before_opening_is_refused(kek, keys):
    with pytest.raises(SealedUntilOpening) as caught:
        unwrap_private_key(
            keys.wrapped_private_key, kek, now=OPENING - timedelta(microseconds=1), opening_at=OPENING
        )
    assert caught.value.code == "sealed_until_opening"
    assert caught.value.message == "报价在开启时间之前保持密封，无法解密。"


def test_unwrap_at_the_opening_instant_in_another_zone_is_allowed(kek, keys):
    now = OPENING.astimezone(UTC)
    private_key = unwrap_private_key(keys.wrapped_private_key, kek, now=now, opening_at=OPENING)
    assert len(private_key) == 32


def test_unwrap_refuses_naive_datetimes(kek, keys):
    with pytest.raises(ValueError):
        unwrap_private_key(keys.wrapped_private_key, kek, now=datetime(2025, 1, 3), opening_at=OPENING)


def test_wrong_kek_is_a_broken_seal(keys):
    with pytest.raises(SealBroken) as caught:
        unwrap_private_key(keys.wrapped_private_key, generate_kek(), now=OPENING, opening_at=OPENING)
    assert caught.value.code == "wrong_kek"


def test_wrong_kek_is_not_tried_before_opening(keys):
    with pytest.raises(SealedUntilOpening):
        unwrap_private_key(
            keys.wrapped_private_key, generate_kek(), now=OPENING - timedelta(days=1), opening_at=OPENING
        )


def test_damaged_wrapped_key_is_a_broken_seal(kek, keys):
    damaged = bytearray(keys.wrapped_private_key)
    damaged[-1] ^= 0x01
    with pytest.raises(SealBroken):
        unwrap_private_key(bytes(damaged), kek, now=OPENING, opening_at=OPENING)
    with pytest.raises(SealBroken):
        unwrap_private_key(keys.wrapped_private_key[:-1], kek, now=OPENING, opening_at=OPENING)


def test_wrapped_key_names_its_kek(kek, keys):
    assert keys.wrapped_private_key[0] == 1
    assert wrapped_kek_id(keys.wrapped_private_key) == kek_id(kek)
    assert kek_id(generate_kek()) != kek_id(kek)


def test_tampered_sealed_bytes_are_detected_by_the_receipt(kek, keys):
    sealed = seal(keys.public_key, payload())
    receipt = receipt_hash(sealed)
    private_key = unwrap_private_key(keys.wrapped_private_key, kek, now=OPENING, opening_at=OPENING)
    tampered = bytearray(sealed)
    tampered[40] ^= 0xFF

    with pytest.raises(SealBroken) as caught:
        open_sealed(private_key, bytes(tampered), expected_hash=receipt)
    assert caught.value.code == "receipt_mismatch"
    # Even with a matching (forged) receipt the authenticated encryption rejects the bytes.
    with pytest.raises(SealBroken) as caught:
        open_sealed(private_key, bytes(tampered), expected_hash=receipt_hash(bytes(tampered)))
    assert caught.value.code == "undecryptable"


def test_another_projects_key_cannot_open(kek, keys):
    other = generate_project_keys(kek)
    sealed = seal(other.public_key, payload())
    private_key = unwrap_private_key(keys.wrapped_private_key, kek, now=OPENING, opening_at=OPENING)
    with pytest.raises(SealBroken):
        open_sealed(private_key, sealed, expected_hash=receipt_hash(sealed))


def test_canonical_payload_is_stable():
    expected = (
        b'{"format":1,"lines":[[1,"8.50"],[2,"1999.00"],[3,"123.40"]],"project_id":7,'
        b'"registration_id":42,"submitted_at":"2024-12-30T02:15:30.123456+00:00","version":2}'
    )
    assert payload() == expected
    assert payload(list(reversed(LINES))) == expected
    assert payload(submitted_at=SUBMITTED.astimezone(UTC)) == expected
    assert payload([(1, Decimal("8.500")), (2, Decimal("1.999E+3")), (3, Decimal("123.4"))]) == expected


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ([(1, 8.5)], TypeError),
        ([(1, Decimal("8.505"))], ValueError),
        ([(1, Decimal("-1"))], ValueError),
        ([(1, Decimal("NaN"))], ValueError),
        ([(1, Decimal("1")), (1, Decimal("2"))], ValueError),
        ([("1", Decimal("1"))], TypeError),
    ],
)
def test_encode_refuses_amounts_that_are_not_clean_money(lines, error):
    with pytest.raises(error):
        payload(lines)


def test_encode_refuses_naive_submission_time():
    with pytest.raises(ValueError):
        payload(submitted_at=datetime(2024, 12, 30, 10, 0))


@pytest.mark.parametrize(
    "garbage",
    [b"not json", b"[]", b'{"format":2}', payload().replace(b'"8.50"', b"8.50"), payload().replace(b'"8.50"', b'"8.5"')],
)
def test_decode_refuses_malformed_payloads(garbage):
    with pytest.raises(SealBroken):
        decode_quote(garbage)


@settings(max_examples=50, deadline=None, database=None)
@given(
    prices=st.dictionaries(
        st.integers(min_value=1, max_value=10_000),
        st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
        max_size=30,
    )
)
def test_encode_decode_round_trip(prices):
    lines = list(prices.items())
    decoded = decode_quote(payload(lines))
    assert decoded.lines == tuple(sorted(lines))
    assert decoded.submitted_at == SUBMITTED
