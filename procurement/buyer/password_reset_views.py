"""Buyer staff send a password-reset link to a supplier's clerk or a panel member (for the person
who calls the office): a button beside the account, where the buyer sees that person. The mail
goes to the address on file; staff never see the link nor set the password."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.buyer.registrations_views import get_registration
from procurement.buyer.views import bp
from procurement.extensions import db
from procurement.models import ROLE_PANEL, ROLE_SUPPLIER, User
from procurement.services import password_reset
from procurement.web import attempt


def _send(user: User) -> None:
    if attempt(None, password_reset.send_reset_link, user, current_user._get_current_object()):
        flash(_("已向 %(name)s 的邮箱 %(email)s 发送重置密码邮件，链接 %(minutes)d 分钟内有效。请对方查收邮件并按提示设置新密码。",
                name=user.name, email=user.email, minutes=int(password_reset.lifetime().total_seconds() // 60)), "success")


@bp.route("/panel-accounts/<int:user_id>/password-reset", methods=["POST"])
@roles_required("buyer")
def panel_password_reset(user_id: int):
    """Mail a reset link to a panel member's address.

    :raise 404: when the account is not a panel member's.
    """
    user = db.session.get(User, user_id)
    if user is None or user.role != ROLE_PANEL:
        abort(404)
    _send(user)
    return redirect(url_for("buyer.panel_accounts"))


@bp.route("/projects/<int:project_id>/registrations/<int:registration_id>/accounts/<int:user_id>/password-reset", methods=["POST"])
@roles_required("buyer")
def supplier_password_reset(project_id: int, registration_id: int, user_id: int):
    """Mail a reset link to an account of the registered supplier.

    :raise 404: when the registration is not the project's or the account not the supplier's.
    """
    registration = get_registration(project_id, registration_id)
    user = db.session.get(User, user_id)
    if user is None or user.role != ROLE_SUPPLIER or user.company_id != registration.company_id:
        abort(404)
    _send(user)
    return redirect(url_for("buyer.registration", project_id=project_id, registration_id=registration_id) + "#accounts")
