"""Account forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import Email, EqualTo

from procurement.forms_common import BaseForm, length, required


class LoginForm(BaseForm):
    """Sign in with email and password."""

    email = EmailField(_l("邮箱"), validators=[required(), length(254)])
    password = PasswordField(_l("密码"), validators=[required(), length(128)])
    remember = BooleanField(_l("在此设备上保持登录"))


class SignUpForm(BaseForm):
    """A supplier signs itself up."""

    company_name = StringField(_l("公司名称（与营业执照一致）"), validators=[required(), length(200)])
    contact_name = StringField(_l("联系人姓名"), validators=[required(), length(100)])
    email = EmailField(_l("邮箱"), validators=[required(), length(254), Email(message=_l("请输入有效的邮箱地址。"))])
    password = PasswordField(_l("密码（至少8位）"), validators=[required(), length(128, min=8)])
    password2 = PasswordField(
        _l("再次输入密码"), validators=[required(), length(128), EqualTo("password", message=_l("两次输入的密码不一致。"))]
    )


class ChangePasswordForm(BaseForm):
    """Change one's own password."""

    current_password = PasswordField(_l("当前密码"), validators=[required(), length(128)])
    new_password = PasswordField(_l("新密码（至少8位）"), validators=[required(), length(128, min=8)])
    new_password2 = PasswordField(
        _l("再次输入新密码"), validators=[required(), length(128), EqualTo("new_password", message=_l("两次输入的密码不一致。"))]
    )


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


class ForgotPasswordForm(BaseForm):
    """Ask for a password-reset link by e-mail."""

    email = EmailField(
        _l("注册时使用的邮箱"),
        validators=[required(), length(254), Email(message=_l("请输入有效的邮箱地址。"))],
        filters=[_stripped],  # pasted addresses often carry a space
    )


class ResetPasswordForm(BaseForm):
    """Set a new password from a reset link."""

    new_password = PasswordField(_l("新密码（至少8位）"), validators=[required(), length(128, min=8)])
    new_password2 = PasswordField(
        _l("再次输入新密码"), validators=[required(), length(128), EqualTo("new_password", message=_l("两次输入的密码不一致。"))]
    )
