"""Account views: sign up (suppliers), sign in, sign out, change password."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from procurement.auth.forms import ChangePasswordForm, LoginForm, SignUpForm
from procurement.auth.permissions import public, signed_in
from procurement.auth.throttle import client_address, throttle_sign_in, throttle_sign_up
from procurement.extensions import login_manager
from procurement.formatting import gettext_marked, local_datetime
from procurement.domain import N_
from procurement.services import ServiceError, accounts, sign_in

bp = Blueprint("auth", __name__, url_prefix="/auth")


@login_manager.user_loader
def _load_user(session_id: str):
    return accounts.load_user(session_id)


def home_for(user) -> str:
    """Where a user lands after signing in: its role's home."""
    return url_for(f"{user.role}.home")


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    # Browsers read "/\\host" as "//host": refuse backslashes and control characters outright.
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _until(at) -> str:
    """A lock's end in Beijing time, rounded up to the minute (so "after 10:16" is never too early)."""
    if at.second or at.microsecond:
        at = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return local_datetime(at)


def _refusal(outcome: sign_in.SignInOutcome) -> str:
    """The message beside the password: wrong, wrong and now locked, or locked (until when)."""
    if outcome.locked_until is None:
        return _("邮箱或密码不正确。")
    if outcome.newly_locked:
        return _(
            "邮箱或密码不正确。连续输错次数过多，该账户已被暂时锁定，请于北京时间 %(until)s 之后再试。",
            until=_until(outcome.locked_until),
        )
    return _(
        "该账户因连续多次密码错误已被暂时锁定，请于北京时间 %(until)s 之后再试（锁定期间输入正确的密码也无法登录）。",
        until=_until(outcome.locked_until),
    )


@bp.route("/login", methods=["GET", "POST"])
@public
@throttle_sign_in
def login():
    """Sign in; wrong passwords count towards the account's lockout (services.sign_in)."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        outcome = sign_in.sign_in(form.email.data, form.password.data, client_address())
        if not outcome.ok:
            form.password.errors.append(_refusal(outcome))
        else:
            user = outcome.user
            login_user(user, remember=form.remember.data)
            flash(gettext_marked(N_("欢迎，%(name)s。"), name=user.name), "success")
            target = _safe_next(request.args.get("next"))
            section = target.split("/")[1] if target else ""
            if section in ("supplier", "buyer", "panel") and section != user.role:
                target = None  # another role's page would only answer 403
            return redirect(target or home_for(user))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/signup", methods=["GET", "POST"])
@public
@throttle_sign_up
def signup():
    """A supplier creates its account and company."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = accounts.sign_up_supplier(
                form.email.data, form.password.data, form.company_name.data, form.contact_name.data
            )
        except ServiceError as error:
            form.add_domain_error(error)
        else:
            login_user(user)
            flash(_("注册成功。请先完善公司信息，再报名参加项目。"), "success")
            # Carry the project the supplier came from through the profile page.
            target = _safe_next(request.args.get("next"))
            if target and target.startswith("/supplier/"):
                return redirect(url_for("supplier.profile", next=target))
            return redirect(url_for("supplier.profile"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/logout", methods=["POST"])
@signed_in
@login_required
def logout():
    """Sign out (POST, so a link elsewhere cannot sign anyone out)."""
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("public.home"))


@bp.route("/password", methods=["GET", "POST"])
@signed_in
def change_password():
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(user, form.current_password.data, form.new_password.data)
        except ServiceError as error:
            form.add_domain_error(error)
        else:
            login_user(user)  # the session id changed with the version
            flash(_("密码已修改。"), "success")
            return redirect(home_for(current_user))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form), status


from procurement.auth import reset_views  # noqa: E402,F401  (issue 13: password recovery)
from procurement.auth import language_views  # noqa: E402,F401  (the language switch, issue 16)
