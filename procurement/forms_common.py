"""Form helpers shared by the blueprints: clean bounded text in every field, Chinese messages,
domain errors onto fields, strict numbers."""
from __future__ import annotations

import re

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, IntegerField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from procurement.domain import DomainError
from procurement.domain.text import first_forbidden
from procurement.formatting import mark_chinese, translate

# --- clean, bounded text in every text field, by construction ------------------------------
# Every StringField (EmailField, PasswordField, HiddenField, ...) and TextAreaField of a form
# built on BaseForm or CleanForm gets CleanText first in its validators, and a Length bound
# when it declares none. A new form gets both without asking; tests/integration/
# test_clean_text.py checks every form class of the package.

DEFAULT_MAX_LINE = 1000  # a single-line field that declares no bound of its own
DEFAULT_MAX_TEXT = 20000  # a multi-line one


class CleanText:
    """Refuse control, bidirectional-override and invisible characters (see ``domain.text``), by position.

    NUL characters are removed from every request before any form sees it (``web.CleanRequest``,
    so no view can pass one to the database); the request remembers which fields had one, and
    this validator refuses those fields all the same, saying so.
    """

    field_flags: dict = {}

    def __init__(self, multiline: bool) -> None:
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        if field.name in getattr(request, "nul_fields", ()):
            raise StopValidation(translate(_l("含有控制字符 U+0000（空字符），请删除后重新填写。")))
        for value in field.raw_data or ():
            if not isinstance(value, str):
                continue
            forbidden = first_forbidden(value, multiline=self.multiline)
            if forbidden is not None:
                raise StopValidation(translate(forbidden.message, forbidden.params))


def guard_text_field(field) -> None:
    """Put :class:`CleanText` first in a bound text field's validators, and a Length bound if it has none."""
    if not isinstance(field, StringField) or any(isinstance(v, CleanText) for v in field.validators):
        return
    multiline = isinstance(field, TextAreaField)
    validators = [CleanText(multiline), *field.validators]
    if not any(isinstance(v, Length) and v.max >= 0 for v in validators):
        bound = DEFAULT_MAX_TEXT if multiline else DEFAULT_MAX_LINE
        validators.append(length(bound))
        field.flags.maxlength = bound
    field.validators = validators


class CleanTextMeta:
    """Form ``Meta`` mixin: every text field bound to the form is guarded (:func:`guard_text_field`)."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        guard_text_field(field)
        return field


class CleanForm(Form):
    """A plain (sub)form, for FormField rows, with the same clean-text guard as :class:`BaseForm`."""

    class Meta(CleanTextMeta):
        pass


class BaseForm(FlaskForm):
    """A CSRF-protected form whose text fields are clean and bounded, and that can carry errors raised by the domain."""

    class Meta(CleanTextMeta):
        pass

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


def data_choice(value: str, label: str) -> SelectChoice:
    """An option whose label is what users entered (a person's name): marked ``lang="zh"`` when it is
    Chinese on an English page (``formatting.mark_chinese``), built per request."""
    marked = mark_chinese(label)
    return SelectChoice(value, label, render_kw={"lang": "zh"} if marked is not label else {})


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
