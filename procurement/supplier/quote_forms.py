"""Quote forms: the sheet (one unit price per bill-of-quantities line), the upload, the confirmation,
the withdrawal.

The sheet form is built per project (one field ``price_<item id>`` per line). Its validation runs
the service's pricing rules, so the view gets a :class:`~procurement.services.quote_pricing.PricedSheet`
or errors beside the lines they concern.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, StringField
from wtforms.validators import ValidationError

from procurement.forms_common import BaseForm, IntegerTextError, length, parse_integer_text
from procurement.models import Project
from procurement.services import quote_pricing as quotes
from procurement.formatting import translate


def _version(text: str | None) -> int:
    try:
        value = parse_integer_text(text or "")
    except IntegerTextError:
        raise ValidationError(_l("页面已过期，请刷新后重新操作。"))
    if value is None or value < 0:
        raise ValidationError(_l("页面已过期，请刷新后重新操作。"))
    return value


class VersionedForm(BaseForm):
    """A form that carries the latest version number its page was made for (0: none yet)."""

    expected_version = HiddenField(validators=[length(20)])

    def validate_expected_version(self, field):
        """The number must be a whole number; the service compares it with the database."""
        _version(field.data)

    @property
    def version(self) -> int:
        """``expected_version`` as an int (only after validation)."""
        return _version(self.expected_version.data)


class QuoteSheetForm(VersionedForm):
    """Base of the per-project sheet form; see :func:`quote_form`."""

    project: Project
    priced: quotes.PricedSheet | None = None

    def price_field(self, item_id: int):
        """The price field of one bill-of-quantities line."""
        return self[f"price_{item_id}"]

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then the sheet's pricing rules with each error beside its line."""
        if not super().validate(extra_validators):
            return False
        texts = {item.id: self.price_field(item.id).data or "" for item in self.project.items}
        try:
            self.priced = quotes.price_sheet(self.project, texts)
        except quotes.QuoteSheetInvalid as error:
            for line_error in error.errors:
                field = self.price_field(line_error.item_id)
                field.errors = list(field.errors) + [translate(line_error.message, dict(line_error.params))]
            return False
        return True

    def fill(self, prices) -> None:
        """Put ``{item_id: Decimal}`` into the fields (an uploaded sheet, going to the review step)."""
        for item_id, price in prices.items():
            self.price_field(item_id).data = f"{price:.2f}"


def quote_form(project: Project, formdata=None, **kwargs) -> QuoteSheetForm:
    """The sheet form for ``project``: one price field per line, in the order of the list."""
    fields = {
        f"price_{item.id}": StringField(
            _l("第%(position)s项单价（元）", position=item.position),
            render_kw={"inputmode": "decimal", "autocomplete": "off"},
        )
        for item in project.items
    }
    form_class = type("ProjectQuoteSheetForm", (QuoteSheetForm,), fields)
    if formdata is not None:
        kwargs["formdata"] = formdata
    form = form_class(**kwargs)
    form.project = project
    return form


class QuoteConfirmForm(VersionedForm):
    """Confirm the reviewed draft: the page carries the draft's token, never the prices."""

    draft = HiddenField(validators=[length(64)])

    def validate_draft(self, field):
        """A token is 32 hexadecimal characters; anything else is an outdated or forged page."""
        text = field.data or ""
        if len(text) != 32 or any(c not in "0123456789abcdef" for c in text):
            raise ValidationError(_l("页面已过期，请刷新后重新操作。"))


class QuoteUploadForm(VersionedForm):
    """A filled XLSX quote sheet."""

    file = FileField(_l("填好的报价单（.xlsx）"), validators=[FileRequired(_l("请选择要上传的报价单文件。"))])


class WithdrawForm(VersionedForm):
    """Withdraw the current quote (a confirmation in the browser; the version guards double clicks)."""
