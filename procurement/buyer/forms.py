"""Buyer staff forms: accounts and the demo clock. Feature forms live beside their views."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, EmailField, PasswordField, StringField
from wtforms.validators import Email, Optional

from procurement.forms_common import BaseForm, length, required, sensible_year


class PanelAccountForm(BaseForm):
    """Create a panel member's account."""

    name = StringField(_l("姓名"), validators=[required(), length(100)])
    email = EmailField(_l("邮箱（登录名）"), validators=[required(), length(254), Email(message=_l("请输入有效的邮箱地址。"))])
    phone = StringField(_l("手机号码"), validators=[Optional(), length(20)])
    password = PasswordField(_l("初始密码（至少8位）"), validators=[required(), length(128, min=8)])


class ClockForm(BaseForm):
    """Set the simulated time, in Beijing time."""

    at = DateTimeLocalField(
        _l("模拟时间（北京时间）"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[required(_l("请选择日期和时间。")), sensible_year()]
    )
