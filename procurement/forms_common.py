"""Form helpers shared by the blueprints: Chinese messages, domain errors onto fields, strict numbers."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from procurement.domain import DomainError
from procurement.formatting import translate


class BaseForm(FlaskForm):
    """A CSRF-protected form that can carry errors raised by the domain."""

    def add_domain_error(self, error: DomainError, field: str | None = None) -> None:
        """Put a domain or service error beside ``field`` (or the form's own errors)."""
        message = translate(error.message, error.params)
        name = field or getattr(error, "field", None)
        target = getattr(self, name, None) if name else None
        if target is not None and hasattr(target, "errors"):
            if isinstance(target.errors, tuple):
                target.errors = list(target.errors)
            target.errors.append(message)
        else:
            self.form_errors.append(message)


def required(message=None):
    """DataRequired with a Chinese message."""
    return DataRequired(message=message or _l("此项必填。"))


def length(max: int, min: int = -1):
    """Length with a Chinese message."""
    if min > 0:
        return Length(min=min, max=max, message=_l("长度应在 %(min)d 到 %(max)d 个字符之间。", min=min, max=max))
    return Length(max=max, message=_l("最多 %(max)d 个字符。", max=max))


def choices(pairs) -> list[SelectChoice]:
    """``[(value, label), ...]`` as WTForms 3.3 SelectChoice objects (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


# --- whole numbers typed or posted by a browser -------------------------------------------
# Python's int() accepts any Unicode digit ("²" fails late, "٣" passes) and any length, and a
# 400-digit number then overflows float comparisons (WTForms' NumberRange) or the database's
# 64-bit integers. Every number read from a request goes through these instead.

MAX_INTEGER_DIGITS = 15  # far beyond any count or year a form asks for, far below 2**63
MAX_ID = 2**63 - 1  # the largest id a 64-bit integer column holds
_INTEGER_RE = re.compile(r"[+-]?[0-9]+")
_FULL_WIDTH = str.maketrans("０１２３４５６７８９＋－", "0123456789+-")


class IntegerTextError(ValueError):
    """A text that is not a whole number the forms accept; ``message`` says why, in Chinese."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


def parse_integer_text(text: object, max_digits: int = MAX_INTEGER_DIGITS) -> int | None:
    """A whole number from a form value: ASCII or full-width digits, an optional sign, at most ``max_digits`` digits.

    Blank gives ``None``.

    :raise IntegerTextError: for anything else (letters, "²", "٣", "1e5", "NaN", a 400-digit number).
    """
    if not isinstance(text, str):
        raise IntegerTextError(_l("请输入整数。"))
    text = text.strip().translate(_FULL_WIDTH)
    if not text:
        return None
    if not _INTEGER_RE.fullmatch(text):
        raise IntegerTextError(_l("请输入整数（阿拉伯数字）。"))
    if len(text.lstrip("+-")) > max_digits:
        raise IntegerTextError(_l("数字位数过多，请核对后重新输入。"))
    return int(text)


def parse_id(text: object) -> int | None:
    """A database id posted by a page (hidden field, select, query string); ``None`` unless it is one.

    Only plain ASCII digits within a 64-bit integer count, so a hostile value never reaches the
    database as something it cannot compare.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text or len(text) > 19 or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


class BoundedIntegerField(IntegerField):
    """An IntegerField that parses strictly (see :func:`parse_integer_text`) with Chinese messages.

    Use it for every whole number a form asks for: a value NumberRange can always compare.
    """

    def process_formdata(self, valuelist):
        """Parse the posted text; a blank leaves ``data`` as ``None`` for ``required`` to report."""
        if not valuelist:
            return
        try:
            self.data = parse_integer_text(valuelist[0])
        except IntegerTextError as error:
            self.data = None
            raise ValueError(error.message) from error

    def pre_validate(self, form) -> None:
        """Text that is not a number is reported as such, alone (``required`` would say "必填" instead)."""
        if self.process_errors:
            raise StopValidation()


# --- dates and times -----------------------------------------------------------------------
# A browser's date input accepts year 1 and year 9999; converting such a Beijing time to UTC (or
# counting working days from it) leaves datetime's range. Every date and time field takes this.

FIRST_YEAR, LAST_YEAR = 2000, 2100


def sensible_year(message=None):
    """A validator: the date or time lies in the years 2000 to 2100 (what a procurement can mean)."""
    message = message or _l("请填写 %(first)d 年至 %(last)d 年之间的日期。", first=FIRST_YEAR, last=LAST_YEAR)

    def check(form, field) -> None:
        if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(message)

    return check
