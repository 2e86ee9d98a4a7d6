"""Form helpers shared by the blueprints: Chinese messages, domain errors onto fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms.validators import DataRequired, Length

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
