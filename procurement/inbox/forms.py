"""The settings form: one e-mail switch per kind of notification the person can receive."""
from __future__ import annotations

from wtforms import BooleanField

from procurement.domain.notifications import Kind
from procurement.formatting import translate
from procurement.forms_common import BaseForm


class SwitchesForm(BaseForm):
    """A checkbox ``email_<kind>`` per kind (fields added by :func:`switches_form`)."""


def field_name(kind: Kind) -> str:
    """The checkbox of ``kind``."""
    return f"email_{kind.code}"


def switches_form(kinds: list[Kind], **kwargs) -> SwitchesForm:
    """The form for ``kinds``, each checkbox labelled with the kind's Chinese name."""

    class Form(SwitchesForm):
        pass

    for kind in kinds:
        setattr(Form, field_name(kind), BooleanField(translate(kind.label)))
    return Form(**kwargs)
