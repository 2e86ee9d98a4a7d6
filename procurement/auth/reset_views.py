"""Password recovery: ask for a reset link by e-mail, then set a new password from it."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user

from procurement.auth.forms import ForgotPasswordForm, ResetPasswordForm
from procurement.auth.permissions import public
from procurement.auth.throttle import throttle_password_reset, throttle_password_reset_submit
from procurement.auth.views import bp, home_for
from procurement.domain import reset_links
from procurement.formatting import translate
from procurement.headers import NO_REFERRER
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


#: Where the token waits between the link's GET and the form's POST: the link's URL carries it in
#: one request only, answered at once with a redirect to the token-free form
#: (:func:`reset_password_form`), so neither the form page's address (access logs, Referer,
#: history) nor its submission carries it (Django's PasswordResetConfirmView does the same). The
#: session is a signed cookie: the token goes back only to the browser that already had it.
SESSION_KEY = "password_reset_token"
#: Reset pages leak no URL to other requests, ours included (static files, a link followed).
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": NO_REFERRER}


def _link_refused(error: ResetLinkError):
    """An expired, used or forged link: say which, and offer a new one (400, never a 500)."""
    session.pop(SESSION_KEY, None)
    response = render_template("auth/reset_link_refused.html", message=translate(error.message, error.params), reason=error.code)
    return response, 400, PRIVATE_HEADERS


@bp.route("/reset-password/<token>", methods=["GET"])
@public
def reset_password(token: str):
    """The mail's link: a live token is kept in the session and the browser sent to the form."""
    try:
        password_reset.user_for_token(token)
    except ResetLinkError as error:
        return _link_refused(error)
    session[SESSION_KEY] = token
    response = redirect(url_for("auth.reset_password_form"))
    response.headers.update(PRIVATE_HEADERS)
    return response


@bp.route("/reset-password/set", methods=["GET", "POST"])
@public
@throttle_password_reset_submit
def reset_password_form():
    """Set a new password from the link just followed; then the person is signed in here and nowhere else."""
    token = session.get(SESSION_KEY)
    try:
        if not isinstance(token, str):  # no link followed in this browser (or it is used up)
            raise reset_links.invalid()
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
            session.pop(SESSION_KEY, None)
            login_user(user)
            flash(_("新密码已设置，您已登录。您在其他设备上的登录已全部失效。"), "success")
            return redirect(home_for(user))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/reset_password.html", form=form, account=user.email), status, PRIVATE_HEADERS
