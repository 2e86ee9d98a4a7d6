"""Opening officials' forms: the personal opening key, and the passphrase at the opening."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.validators import EqualTo

from procurement.forms_common import BaseForm, length, required

_SAME = _l("两次输入的开标口令不一致。")


class SetUpKeyForm(BaseForm):
    """Set up the personal opening key (once)."""

    passphrase = PasswordField(
        _l("开标口令（至少8位，不能与登录密码相同）"), validators=[required(), length(128, min=8)],
        render_kw={"autocomplete": "new-password"},
    )
    passphrase2 = PasswordField(
        _l("再次输入开标口令"), validators=[required(), length(128), EqualTo("passphrase", message=_SAME)],
        render_kw={"autocomplete": "new-password"},
    )
    acknowledge = BooleanField(
        _l("我已知晓：开标口令只有我本人知道，平台不保存；忘记后任何人（包括管理员）都无法找回或重置。"),
        validators=[required(_l("请勾选，确认您已知晓忘记开标口令的后果。"))],
    )


class ChangeKeyForm(BaseForm):
    """Change the opening passphrase (the same key, re-encrypted)."""

    old_passphrase = PasswordField(_l("当前开标口令"), validators=[required(), length(128)], render_kw={"autocomplete": "current-password"})
    new_passphrase = PasswordField(
        _l("新开标口令（至少8位）"), validators=[required(), length(128, min=8)], render_kw={"autocomplete": "new-password"}
    )
    new_passphrase2 = PasswordField(
        _l("再次输入新开标口令"), validators=[required(), length(128), EqualTo("new_passphrase", message=_SAME)],
        render_kw={"autocomplete": "new-password"},
    )


class ReplaceKeyForm(BaseForm):
    """Replace a key whose passphrase is forgotten (a new key pair)."""

    replacement = PasswordField(
        _l("新开标口令（至少8位）"), validators=[required(), length(128, min=8)], render_kw={"autocomplete": "new-password"}
    )
    replacement2 = PasswordField(
        _l("再次输入新开标口令"), validators=[required(), length(128), EqualTo("replacement", message=_SAME)],
        render_kw={"autocomplete": "new-password"},
    )
    acknowledge_replace = BooleanField(
        _l("我已知晓：重新生成后，旧密钥对应的开标份额全部作废，已发布尚未开启的项目只能由其他开标人开启。"),
        validators=[required(_l("请勾选，确认您已知晓重新生成密钥的后果。"))],
    )


class SupplyShareForm(BaseForm):
    """An official's opening passphrase at the opening."""

    passphrase = PasswordField(_l("您的开标口令"), validators=[required(), length(128)], render_kw={"autocomplete": "current-password"})
