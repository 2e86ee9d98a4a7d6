"""The draft's opening mode (开标方式): server key, or a quorum of named officials."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import NumberRange

from procurement.buyer.project_forms import MultiCheckboxField
from procurement.domain.quorum import DEFAULT_THRESHOLD, MAX_OFFICIALS, MIN_THRESHOLD
from procurement.forms_common import BaseForm, BoundedIntegerField, choices, parse_id, required


class OpeningModeForm(BaseForm):
    """The mode; for a quorum, the officials (accounts with an opening key) and the threshold k."""

    mode = RadioField(
        _l("开标方式"),
        choices=choices([("server", _l("服务器密钥：采购人在开启时间后点击“开启报价”")), ("quorum", _l("多人共同开标：指定的开标人中须有足够人数各自输入开标口令"))]),
        default="server",
        validators=[required(_l("请选择开标方式。"))],
    )
    officials = MultiCheckboxField(_l("开标人（已设置个人开标密钥的采购人和评审人员）"), choices=[], validate_choice=False)
    threshold = BoundedIntegerField(
        _l("开启所需人数 k"),
        default=DEFAULT_THRESHOLD,
        validators=[NumberRange(min=MIN_THRESHOLD, max=MAX_OFFICIALS, message=_l("应为 %(min)s 到 %(max)s 之间的整数。", min=MIN_THRESHOLD, max=MAX_OFFICIALS))],
    )

    def official_ids(self) -> list[int]:
        """The ticked officials' ids, in the order the page lists them; unknown values dropped."""
        offered = [choice.value for choice in self.officials.choices]
        ticked = {parse_id(value) for value in (self.officials.data or [])}
        ticked.discard(None)
        ordered = [int(value) for value in offered if parse_id(value) in ticked]
        return ordered + sorted(ticked - set(ordered))

    def validate(self, extra_validators=None):  # noqa: D102 - WTForms hook
        if self.mode.data != "quorum":
            # The quorum's fields do not apply to the server-key mode.
            self.threshold.validators = []
            self.threshold.process_errors = []
        return super().validate(extra_validators)
