"""Password recovery: ask for a reset link by e-mail, then set a new password from it."""
from __future__ import annotations

from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import login_user

from procurement.auth.forms import ForgotPasswordForm, ResetPasswordForm
from procurement.auth.permissions import public
from procurement.auth.throttle import throttle_password_reset, throttle_password_reset_submit
from procurement.auth.views import bp, home_for
from procurement.formatting import translate
from procurement.services import ServiceError, accounts, password_reset
from procurement.services.password_reset import ResetLinkError


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@throttle_password_reset
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        password_reset.request_reset(form.email.data)
        minutes = int(password_reset.lifetime().total_seconds() // 60)
        return render_template("auth/forgot_password_sent.html", email=accounts.normalise_email(form.email.data), minutes=minutes)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgot_password.html", form=form), status


def _link_refused(error: ResetLinkError):
    """An expired, used or forged link: say which, and offer a new one (400, never a 500)."""
    response = render_template("auth/reset_link_refused.html", message=translate(error.message, error.params), reason=error.code)
    return response, 400, {"Cache-Control": "no-store"}


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
@throttle_password_reset_submit
def reset_password(token: str):
    """Set a new password from a reset link; then the person is signed in here and nowhere else."""
    try:
        user = password_reset.user_for_token(token)
    except ResetLinkError as error:
        return _link_refused(error)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = password_reset.reset_password(token, form.new_password.data)
        except ResetLinkError as error:  # used meanwhile (another tab), or expired while typing
            return _link_refused(error)
        except ServiceError as error:
            form.add_domain_error(error)
        else:
            login_user(user)
            flash(_("新密码已设置，您已登录。您在其他设备上的登录已全部失效。"), "success")
            return redirect(home_for(user))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/reset_password.html", form=form, account=user.email), status, {"Cache-Control": "no-store"}
