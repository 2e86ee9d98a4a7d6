"""Supplier forms: the company profile. Registration and quote forms live beside their views."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField

from procurement.domain.identifiers import LHASA_DIVISIONS
from procurement.forms_common import BaseForm, choices, length, required


class ProfileForm(BaseForm):
    """The company profile (供应商信息) that every registration copies."""

    name = StringField(_l("公司名称（与营业执照一致）"), validators=[required(), length(200)])
    uscc = StringField(
        _l("统一社会信用代码"), validators=[required(), length(30)], description=_l("18位，见营业执照。"),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    registered_address = StringField(_l("注册地址（营业执照所载）"), validators=[required(), length(300)])
    premises_division = SelectField(
        _l("拉萨经营场所所在区县"),
        # District names are proper names, in Chinese (lang="zh-CN" for an English page's sake).
        choices=choices([("", _l("请选择"))])
        + [SelectChoice(code, name, render_kw={"lang": "zh-CN"}) for code, name in LHASA_DIVISIONS.items()]
        + choices([("other", _l("不在拉萨市（请填写下一项）"))]),
        validators=[required(_l("请选择经营场所所在区县。"))],
    )
    premises_place = StringField(
        _l("经营场所所在地（不在拉萨市时填写）"),
        validators=[length(100)],
        description=_l("所在的市（地区）和区县，例如：日喀则市桑珠孜区。"),
    )
    premises_address = StringField(_l("经营场所详细地址"), validators=[required(), length(300)], description=_l("街道、门牌号，例如：北京中路 12 号。"))
    legal_rep_name = StringField(_l("法定代表人姓名"), validators=[required(), length(100)])
    legal_rep_id_number = StringField(
        _l("法定代表人身份证号码"), validators=[required(), length(30)], render_kw={"autocomplete": "off", "spellcheck": "false"}
    )
    contact_name = StringField(_l("联系人"), validators=[required(), length(100)])
    contact_mobile = StringField(_l("联系人手机号码"), validators=[required(), length(20)], render_kw={"inputmode": "tel"})
