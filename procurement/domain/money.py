"""Money in yuan: parsing what people type, totals, and capital numerals (大写金额).

Amounts are :class:`~decimal.Decimal` with two places (fen); a float anywhere here is a
bug, so the functions that take an amount refuse one with :class:`TypeError` instead of
rounding it silently. The capital numerals follow the People's Bank of China rules in
《支付结算办法》附件一《正确填写票据和结算凭证的基本规定》; see :func:`amount_in_words`
for the choices where those rules allow two spellings.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from procurement.domain import N_, DomainError

FEN = Decimal("0.01")
MILLI = Decimal("0.001")
#: Exclusive upper bound for any amount: capital numerals stop at 仟亿, and no office-supplies
#: quote comes near it, so a larger figure is a typing slip.
AMOUNT_LIMIT = Decimal(10) ** 12
#: Exclusive upper bound for an estimated quantity on a bill of quantities.
QUANTITY_LIMIT = Decimal(10) ** 9

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")  # inside a four-digit group, lowest first
_GROUP_UNITS = ("", "万", "亿")  # one per four-digit group, lowest first

# A plain number, or one grouped by thousands ("1,234,567.8"); ".5" and "12." are allowed
# because people type them and they are unambiguous.
_NUMBER = re.compile(r"^(?:(?P<plain>\d+)|(?P<grouped>\d{1,3}(?:,\d{3})+))?(?:\.(?P<frac>\d*))?$")
_NON_FINITE = re.compile(r"^[+-]?(?:s?nan|inf|infinity)$", re.IGNORECASE)
# NFKC turns full-width "￥" into "¥" but leaves these minus signs alone.
_MINUS_SIGNS = ("-", "\u2212", "\u2013", "\u2014")


class AmountError(DomainError):
    """An amount or quantity could not be accepted; ``code`` says why."""

    code = "amount_invalid"


@dataclass(frozen=True)
class QuoteLine:
    """One priced line of a quote sheet: a bill-of-quantities item at a unit price."""

    item_id: int
    quantity: Decimal
    unit_price: Decimal

    @property
    def total(self) -> Decimal:
        """Line total, rounded half-up to the fen (the total the supplier sees and signs)."""
        return quantize(self.quantity * self.unit_price)


def quote_total(lines: Iterable[QuoteLine]) -> Decimal:
    """Sum of the rounded line totals, so the sheet adds up exactly as printed."""
    return sum((line.total for line in lines), Decimal("0.00"))


def check_ceiling(unit_price: Decimal, ceiling: Decimal | None) -> bool:
    """True when ``unit_price`` does not exceed the ceiling unit price (no ceiling: always True)."""
    _require_decimal(unit_price)
    if ceiling is None:
        return True
    _require_decimal(ceiling)
    return unit_price <= ceiling


def quantize(amount: Decimal | int) -> Decimal:
    """Round ``amount`` to the fen, half-up (四舍五入, as on Chinese invoices)."""
    _require_decimal(amount)
    return Decimal(amount).quantize(FEN, rounding=ROUND_HALF_UP)


def parse_amount(text: str, *, allow_zero: bool = False) -> Decimal:
    """Read a yuan amount as typed and return it with two places.

    Accepts full-width characters (NFKC), an optional ``¥``/``￥``/``人民币`` prefix, an
    optional trailing ``元``, and thousands separators in the right places. Trailing
    zeros beyond the fen are accepted ("1.500" is 1.50) because they lose nothing.

    :raise AmountError: with one ``code`` per reason: ``empty``, ``not_a_number``,
        ``misplaced_separator``, ``not_finite``, ``negative``, ``too_many_decimals``,
        ``zero``, ``too_large``.
    """
    body = _normalise(text, currency=True)
    if not body:
        raise AmountError(N_("请输入金额，例如 1234.50。"), code="empty")
    value = _read_number(body, kind="amount")
    # Size first: quantizing a number longer than the decimal context's 28 digits would raise.
    if value >= AMOUNT_LIMIT:
        raise AmountError(N_("金额过大，必须小于一万亿元。"), code="too_large")
    if value != value.quantize(FEN):
        raise AmountError(N_("金额最多两位小数。"), code="too_many_decimals")
    if value == 0 and not allow_zero:
        raise AmountError(N_("金额必须大于零。"), code="zero")
    if value >= AMOUNT_LIMIT:
        raise AmountError(N_("金额过大，必须小于一万亿元。"), code="too_large")
    return quantize(value)


def parse_quantity(text: str) -> Decimal:
    """Read a positive estimated quantity (up to three decimals) and return it with three places.

    :raise AmountError: codes ``quantity_empty``, ``quantity_not_a_number``,
        ``quantity_misplaced_separator``, ``quantity_not_finite``, ``quantity_negative``,
        ``quantity_too_many_decimals``, ``quantity_zero``, ``quantity_too_large``.
    """
    body = _normalise(text, currency=False)
    if not body:
        raise AmountError(N_("请输入数量，例如 12 或 2.5。"), code="quantity_empty")
    value = _read_number(body, kind="quantity")
    if value >= QUANTITY_LIMIT:
        raise AmountError(N_("数量过大，必须小于十亿。"), code="quantity_too_large")
    if value != value.quantize(MILLI):
        raise AmountError(N_("数量最多三位小数。"), code="quantity_too_many_decimals")
    if value == 0:
        raise AmountError(N_("数量必须大于零。"), code="quantity_zero")
    if value >= QUANTITY_LIMIT:
        raise AmountError(N_("数量过大，必须小于十亿。"), code="quantity_too_large")
    return value.quantize(MILLI)


def format_yuan(amount: Decimal | int) -> str:
    """Figures as printed on notices: ``¥1,234.50`` (a minus sign goes before the ¥)."""
    value = quantize(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"


def amount_in_words(amount: Decimal | int) -> str:
    """Capital numerals for ``amount`` (0 ≤ amount < 10**12, at most two places).

    Follows the PBOC rules; where they allow either form, this picks one and keeps to it:

    - a run of zeros between non-zero digits is one 零 (6007.14 → 陆仟零柒元壹角肆分);
    - no 零 after 万 or 亿 when the next digit is a non-zero 仟 (107000 → 壹拾万柒仟), but
      one 零 when a whole four-digit group is zero or the next group starts below 仟
      (100001000 → 壹亿零壹仟, 100700 → 壹拾万零柒佰);
    - a leading 1 in the tens is written 壹拾 (10 → 壹拾元整), as cheques require;
    - when the 元 digit is 0 and there are jiao, 零 goes after 元 (1680.32 →
      壹仟陆佰捌拾元零叁角贰分); when jiao is 0 and there are fen, 零 goes after 元 as the
      rules require (16409.02 → 壹万陆仟肆佰零玖元零贰分);
    - 整 only when there are neither jiao nor fen (1409.50 → 壹仟肆佰零玖元伍角);
    - below one yuan there is no 元 and no leading 零 (0.05 → 伍分, 0.50 → 伍角); the only
      result that starts with 零 is zero itself, 零元整.

    :raise AmountError: ``negative``, ``too_large`` or ``too_many_decimals``.
    :raise TypeError: for a float, which has no exact amount to spell.
    """
    _require_decimal(amount)
    value = Decimal(amount)
    if not value.is_finite():
        raise AmountError(N_("金额必须是有效数字。"), code="not_finite")
    if value < 0:
        raise AmountError(N_("金额不能为负数。"), code="negative")
    if value >= AMOUNT_LIMIT:
        raise AmountError(N_("金额过大，必须小于一万亿元。"), code="too_large")
    if value != value.quantize(FEN):
        raise AmountError(N_("金额最多两位小数。"), code="too_many_decimals")
    fen_total = int(value.quantize(FEN) * 100)
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)

    if yuan == 0 and cents == 0:
        return "零元整"
    words = ""
    if yuan:
        words = _integer_words(yuan) + "元"
        if cents == 0:
            return words + "整"
        # The jiao or fen must not read as if it belonged to the yuan digits: after a
        # 元 digit of 0, or a jiao of 0, a 零 marks the gap (PBOC examples 1680.32, 16409.02).
        if yuan % 10 == 0 or jiao == 0:
            words += "零"
    if jiao:
        words += _DIGITS[jiao] + "角"
    if fen:
        words += _DIGITS[fen] + "分"
    return words


def amount_in_words_rmb(amount: Decimal | int) -> str:
    """``人民币`` followed by :func:`amount_in_words`, as on award notices and invoices."""
    return "人民币" + amount_in_words(amount)


def _integer_words(number: int) -> str:
    """Spell a whole number of yuan, 1 ≤ number < 10**12, in capital numerals."""
    groups = []
    while number:
        number, group = divmod(number, 10_000)
        groups.append(group)
    words = ""
    zero_pending = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(words)
            continue
        if words and (zero_pending or group < 1000):
            words += "零"
        words += _group_words(group) + _GROUP_UNITS[index]
        zero_pending = False
    return words


def _group_words(group: int) -> str:
    """Spell 1 ≤ group ≤ 9999 with 仟佰拾, one 零 per inner run of zeros, none leading or trailing."""
    digits = [(group // 10**power) % 10 for power in range(3, -1, -1)]
    words = ""
    zero_pending = False
    for position, digit in zip(range(3, -1, -1), digits):
        if digit == 0:
            zero_pending = bool(words)
            continue
        if zero_pending:
            words += "零"
            zero_pending = False
        words += _DIGITS[digit] + _SMALL_UNITS[position]
    return words


def _require_decimal(value: object) -> None:
    """Refuse floats (and other non-numbers) where an exact amount is required."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"expected Decimal or int, got {type(value).__name__}")


def _normalise(text: str, *, currency: bool) -> str:
    """NFKC-fold ``text`` and strip surrounding space and, for amounts, the currency marks."""
    body = unicodedata.normalize("NFKC", text or "").strip()
    if currency:
        for prefix in ("人民币", "RMB", "CNY", "¥"):
            if body.upper().startswith(prefix):
                body = body[len(prefix):].strip()
        if body.endswith("元"):
            body = body[:-1].strip()
        # A sign may sit before the currency mark ("-¥5"); keep it so negatives are named as such.
        for sign in _MINUS_SIGNS:
            if body.startswith(sign) and body[len(sign):].lstrip().startswith("¥"):
                body = sign + body[len(sign):].lstrip()[1:].strip()
    return body


def _read_number(body: str, *, kind: str) -> Decimal:
    """Turn a normalised body into a non-negative Decimal, or raise the matching AmountError."""
    prefix = "" if kind == "amount" else "quantity_"
    if _NON_FINITE.match(body):
        raise AmountError(
            N_("请输入有效的数字，不能是 NaN 或无穷大。"), code=prefix + "not_finite"
        )
    if body.startswith(_MINUS_SIGNS):
        if kind == "amount":
            raise AmountError(N_("金额不能为负数。"), code="negative")
        raise AmountError(N_("数量不能为负数。"), code="quantity_negative")
    if body.startswith("+"):
        body = body[1:]
    match = _NUMBER.match(body)
    if match is None or not (match["plain"] or match["grouped"] or match["frac"]):
        if re.fullmatch(r"[\d,]+(?:\.\d*)?", body) and "," in body:
            raise AmountError(
                N_("千位分隔符的位置不对，例如应写作 1,234.50。"),
                code=prefix + "misplaced_separator",
            )
        if kind == "amount":
            raise AmountError(N_("请输入金额，例如 1234.50。"), code="not_a_number")
        raise AmountError(N_("请输入数量，例如 12 或 2.5。"), code="quantity_not_a_number")
    whole = (match["plain"] or match["grouped"] or "0").replace(",", "")
    try:
        return Decimal(f"{whole}.{match['frac'] or '0'}")
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise AmountError(N_("请输入金额，例如 1234.50。"), code=prefix + "not_a_number")
