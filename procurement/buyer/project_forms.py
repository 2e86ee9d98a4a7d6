"""Project editor forms: the notice's fields, the bill of quantities, the rule settings."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from procurement.domain.money import AmountError, parse_amount, parse_quantity
from procurement.domain.qualification import CRITERIA
from procurement.forms_common import BaseForm, BoundedIntegerField, CleanForm, choices, length, required, sensible_year
from procurement.formatting import translate
from procurement.services.project_drafting import ItemData

HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—至~]\s*(\d{1,2}):(\d{2})\s*$")


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _positive_int(label, default, maximum=60):
    return BoundedIntegerField(
        label,
        default=default,
        validators=[required(_l("请填写。")), NumberRange(min=1, max=maximum, message=_l("应为 1 到 %(max)s 之间的整数。", max=maximum))],
    )


class ItemForm(CleanForm):
    """One bill-of-quantities line (no CSRF: it is part of the project form)."""

    name = StringField(_l("品名"), validators=[Optional(), length(200)])
    specification = StringField(_l("规格型号"), validators=[Optional(), length(300)])
    unit = StringField(_l("单位"), validators=[Optional(), length(20)])
    quantity = StringField(_l("预估数量"), validators=[Optional(), length(20)], render_kw={"inputmode": "decimal"})
    ceiling_unit_price = StringField(_l("最高限价（元，可空）"), validators=[Optional(), length(20)], render_kw={"inputmode": "decimal"})

    def is_blank(self) -> bool:
        return not any((self.name.data or "").strip() or (f.data or "").strip() for f in (self.unit, self.quantity, self.ceiling_unit_price))

    def validate(self, extra_validators=None):  # noqa: D102 - WTForms hook
        ok = super().validate(extra_validators)
        if self.is_blank():
            return ok
        if not (self.name.data or "").strip():
            self.name.errors.append(_l("请填写品名。"))
            ok = False
        if not (self.unit.data or "").strip():
            self.unit.errors.append(_l("请填写单位。"))
            ok = False
        try:
            self.quantity_value = parse_quantity(self.quantity.data or "")
        except AmountError as error:
            self.quantity.errors.append(translate(error.message, error.params))
            ok = False
        self.ceiling_value = None
        if (self.ceiling_unit_price.data or "").strip():
            try:
                self.ceiling_value = parse_amount(self.ceiling_unit_price.data)
            except AmountError as error:
                self.ceiling_unit_price.errors.append(translate(error.message, error.params))
                ok = False
        return ok


class ProjectForm(BaseForm):
    """Every field of the notice and every rule setting, with design.md's defaults."""

    code = StringField(_l("项目编号"), validators=[required(), length(64)], description=_l("例如 XZRB-XBJ-2025-001"))
    title = StringField(_l("项目名称"), validators=[required(), length(200)])
    buyer_name = StringField(_l("采购人"), default="西藏日报社", validators=[required(), length(200)])
    # The value is the notice's own word; the label is shown in the interface's language.
    method = SelectField(_l("采购方式"), choices=choices([("询比价", _l("询比价"))]), default="询比价")
    contract_term = StringField(_l("合同履行期限"), default="自合同签订之日起1年", validators=[required(), length(200)])
    requirements_text = TextAreaField(
        _l("采购需求"), default="具体详见询比价文件及公告", validators=[required(), length(5000)], render_kw={"rows": 3}
    )
    criteria = MultiCheckboxField(
        _l("资格要求（公告第三部分）"),
        choices=choices([(c.key, _l(c.label)) for c in CRITERIA]),  # the domain's N_ labels, translated when shown
        default=[c.key for c in CRITERIA if c.applies_by_default],
    )
    specific_requirement = StringField(_l("特定资格要求"), default="在拉萨有固定的实体经营场所", validators=[Optional(), length(300)])
    registration_place = StringField(_l("现场报名地点（可空：仅在线报名）"), validators=[Optional(), length(300)])
    registration_documents_text = TextAreaField(
        _l("报名须知（所需资料）"),
        default="报名时上传公司营业执照副本复印件、开户许可证复印件、法人身份证复印件，若由经办人报名，另需法人授权委托书及经办人身份证复印件；上述资料复印件加盖单位公章后扫描上传。",
        validators=[Optional(), length(2000)],
        render_kw={"rows": 3},
    )
    opening_at = DateTimeLocalField(
        _l("询比价（开启）时间，北京时间"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[required(_l("请选择开启时间。")), sensible_year()],
        description=_l("报价截止时间即开启时间。"),
    )
    opening_place = StringField(_l("询比价地点"), default="西藏传媒集团二楼会议室", validators=[required(), length(300)])
    contact_name = StringField(_l("联系人"), validators=[required(), length(100)])
    contact_phone = StringField(_l("联系电话"), validators=[required(), length(50)])

    registration_working_days = _positive_int(_l("报名期（工作日，含发布当日）"), 5)
    registration_hours = StringField(
        _l("每日报名时段"), default="09:30-13:00, 15:30-18:00", validators=[required(), length(100)], description=_l("用逗号分隔多个时段，例如 09:30-13:00, 15:30-18:00")
    )
    notice_working_days = _positive_int(_l("公告期限（工作日）"), 5)
    candidates = _positive_int(_l("成交候选人数量"), 2, 10)
    min_valid_quotes = _positive_int(_l("最少有效报价家数（不足则流标）"), 3, 20)
    tie_rule = SelectField(
        _l("报价相同时的排序规则"),
        choices=choices([("draw", _l("随机抽签（记录种子，可复现）")), ("earlier_submission", _l("最终报价提交时间在先者优先"))]),
        default="draw",
    )
    abnormal_average_ratio = StringField(_l("异常低价：低于有效报价平均值的百分比"), default="50", validators=[required(), length(10)])
    abnormal_second_ratio = StringField(_l("异常低价：低于次低报价的百分比"), default="50", validators=[required(), length(10)])
    abnormal_ceiling_ratio = StringField(_l("异常低价：低于最高限价总额的百分比"), default="45", validators=[required(), length(10)])
    publicity_working_days = _positive_int(_l("成交结果公示期（工作日）"), 1)
    challenge_working_days = _positive_int(_l("质疑期（工作日，公示期结束后起算）"), 7)
    answer_working_days = _positive_int(_l("质疑答复期限（工作日）"), 7)
    confirmation_working_days = _positive_int(_l("确定成交期限（工作日，自评审报告起）"), 5)
    contract_days = _positive_int(_l("签订合同期限（自成交通知书发出之日起，日）"), 30, 365)
    framework_award = BooleanField(_l("框架协议：与全部成交候选人签约（年度遴选供应商）"))

    items = FieldList(FormField(ItemForm), min_entries=1, max_entries=500)

    def validate_registration_hours(self, field):
        hours = []
        for part in re.split(r"[,，;；、]", field.data or ""):
            if not part.strip():
                continue
            match = HOURS_RE.match(part)
            if not match:
                raise ValidationError(_l("无法识别的时段“%(part)s”，格式如 09:30-13:00。", part=part.strip()))
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            if not (0 <= h1 < 24 and 0 <= h2 < 24 and m1 < 60 and m2 < 60) or (h1, m1) >= (h2, m2):
                raise ValidationError(_l("时段“%(part)s”不正确：结束应晚于开始。", part=part.strip()))
            hours.append([f"{h1:02d}:{m1:02d}", f"{h2:02d}:{m2:02d}"])
        if not hours:
            raise ValidationError(_l("至少填写一个时段。"))
        if any(a[1] > b[0] for a, b in zip(hours, hours[1:])):
            raise ValidationError(_l("时段应按先后顺序排列且不重叠。"))
        self.hours_value = hours

    def _ratio(self, field):
        try:
            value = Decimal((field.data or "").strip().rstrip("%"))
        except InvalidOperation:
            raise ValidationError(_l("请填写 1 到 100 之间的百分比。"))
        if not value.is_finite():  # "NaN" and "Infinity" parse, but NaN cannot be compared
            raise ValidationError(_l("请填写 1 到 100 之间的百分比。"))
        if not (Decimal("1") <= value <= Decimal("100")):
            raise ValidationError(_l("请填写 1 到 100 之间的百分比。"))
        return (value / 100).quantize(Decimal("0.0001"))

    def validate_abnormal_average_ratio(self, field):
        self._ratio(field)

    def validate_abnormal_second_ratio(self, field):
        self._ratio(field)

    def validate_abnormal_ceiling_ratio(self, field):
        self._ratio(field)

    def validate_items(self, field):
        if not any(not entry.form.is_blank() for entry in field.entries):
            raise ValidationError(_l("采购清单至少填写一项。"))

    def validate_criteria(self, field):
        if not field.data:
            raise ValidationError(_l("至少选择一项资格要求。"))

    def project_data(self, beijing) -> dict:
        """The validated values as model attributes (opening time made aware in Beijing time)."""
        data = {
            name: getattr(self, name).data
            for name in (
                "code", "title", "buyer_name", "method", "contract_term", "requirements_text", "criteria",
                "specific_requirement", "registration_place", "registration_documents_text", "opening_place",
                "contact_name", "contact_phone", "registration_working_days", "notice_working_days", "candidates",
                "min_valid_quotes", "tie_rule", "publicity_working_days", "challenge_working_days",
                "answer_working_days", "confirmation_working_days", "contract_days", "framework_award",
            )
        }
        for key in ("code", "title", "buyer_name", "contract_term", "specific_requirement", "registration_place", "opening_place", "contact_name", "contact_phone"):
            data[key] = (data[key] or "").strip()
        data["opening_at"] = self.opening_at.data.replace(tzinfo=beijing)
        data["registration_hours"] = self.hours_value
        for name in ("abnormal_average_ratio", "abnormal_second_ratio", "abnormal_ceiling_ratio"):
            data[name] = self._ratio(getattr(self, name))
        return data

    def items_data(self):
        """The non-blank lines as service values."""
        return [
            ItemData(
                name=entry.form.name.data.strip(),
                specification=(entry.form.specification.data or "").strip(),
                unit=entry.form.unit.data.strip(),
                quantity=entry.form.quantity_value,
                ceiling_unit_price=entry.form.ceiling_value,
            )
            for entry in self.items.entries
            if not entry.form.is_blank()
        ]


class BoqImportForm(BaseForm):
    """A spreadsheet of bill-of-quantities lines (XLSX or CSV)."""

    file = FileField(_l("清单文件（XLSX 或 CSV）"), validators=[FileRequired(_l("请选择文件。"))])


class AmendmentForm(BaseForm):
    """A correction notice: the fields that may change after publication, what changed and why."""

    opening_at = DateTimeLocalField(_l("询比价（开启）时间，北京时间"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[required(), sensible_year()])
    opening_place = StringField(_l("询比价地点"), validators=[required(), length(300)])
    registration_working_days = _positive_int(_l("报名期（工作日，含发布当日）"), 5)
    recompute_schedule = BooleanField(_l("按现行工作日历重新计算报名期和公告期（工作日历在发布后有调整时勾选）"))
    requirements_text = TextAreaField(_l("采购需求"), validators=[required(), length(5000)], render_kw={"rows": 3})
    registration_documents_text = TextAreaField(_l("报名须知（所需资料）"), validators=[Optional(), length(2000)], render_kw={"rows": 3})
    contact_name = StringField(_l("联系人"), validators=[required(), length(100)])
    contact_phone = StringField(_l("联系电话"), validators=[required(), length(50)])
    summary = TextAreaField(_l("更正事项（将刊登在公告上）"), validators=[required(), length(2000)], render_kw={"rows": 2})
    reason = TextAreaField(_l("更正理由"), validators=[required(), length(2000)], render_kw={"rows": 2})


class CancelForm(BaseForm):
    """Terminate a project with a reason."""

    reason = TextAreaField(_l("终止理由（将刊登在终止公告上）"), validators=[required(_l("请填写终止理由。")), length(2000)], render_kw={"rows": 3})


class RfqFileForm(BaseForm):
    """An RFQ document (询比价文件) to publish to accepted registrants."""

    title = StringField(_l("文件名称"), validators=[required(), length(200)], description=_l("例如：询比价文件（含报价单格式）"))
    file = FileField(_l("文件（PDF、Word DOCX 或 Excel XLSX，不超过 20 MB）"), validators=[FileRequired(_l("请选择文件。"))])
