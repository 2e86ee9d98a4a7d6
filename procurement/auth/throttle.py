"""Rate limits on the views a stranger can hammer: sign-in, sign-up, password reset, verify, the API.

Each limit is one decorator, applied under the route and the permission declaration::

    @bp.route("/reset", methods=["GET", "POST"])
    @public
    @throttle_password_reset
    def request_password_reset(): ...

The numbers come from the configuration (``THROTTLE_*``, read per request, so a test can
change them); storage is Flask-Limiter's (``RATELIMIT_STORAGE_URI``: Redis in production,
memory in the embedded default). Per client address (``request.remote_addr``, made the
client's own by ProxyFix behind the proxy) and, for sign-in and reset, per account name
typed; wrong opening passphrases per signed-in account. Only POSTs count: showing the form is free. A request over a limit is answered 429
with a Chinese page (``procurement.errors``); a refused sign-in is also recorded for buyer
staff, at most once a minute per account name and address however fast the requests come.

The wrong-password lockout kept in the database (``services.sign_in``) is apart from these:
it holds across nodes and restarts, and says until when.
"""
from __future__ import annotations

from typing import Callable

from flask import current_app, g, make_response, request, url_for
from flask_limiter.util import get_remote_address
from limits import parse

from procurement.extensions import limiter

# At most one "throttled" row per account name and address per minute.
_RECORD_EVERY = parse("1 per minute")


def _config(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def client_address() -> str:
    """The client's address as the limits and the records see it."""
    return get_remote_address() or "unknown"


def account_key() -> str:
    """The account name a sign-in or reset request names (its ``email`` field), normalised."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return "account:" + (email or "-")


def _failed(response) -> bool:
    """A sign-in that did not get in answers 400 (a success redirects)."""
    return response.status_code == 400


def _record_refused_sign_in(request_limit) -> None:
    """on_breach: keep a record of the rate-limited sign-in (bounded, see the module docstring)."""
    from procurement.services import sign_in

    email = request.form.get("email") or ""
    address = client_address()
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    if limiter.limiter.hit(_RECORD_EVERY, prefix, "refused-sign-in", sign_in.account_name(email), address):
        sign_in.record_throttled(email, address)


def _methods_post(limit_name: str, *, key_func=None, deduct_when=None, on_breach=None):
    return limiter.limit(
        _config(limit_name), key_func=key_func, methods=["POST"], deduct_when=deduct_when, on_breach=on_breach
    )


def throttle_sign_in(view: Callable) -> Callable:
    """Sign-in: per address (every POST), per account name (wrong passwords only); refusals recorded."""
    view = _methods_post("THROTTLE_SIGN_IN_PER_ACCOUNT", key_func=account_key, deduct_when=_failed, on_breach=_record_refused_sign_in)(view)
    return _methods_post("THROTTLE_SIGN_IN_PER_ADDRESS", key_func=client_address, on_breach=_record_refused_sign_in)(view)


def throttle_sign_up(view: Callable) -> Callable:
    """Sign-up: per address."""
    return _methods_post("THROTTLE_SIGN_UP_PER_ADDRESS", key_func=client_address)(view)


def throttle_password_reset(view: Callable) -> Callable:
    """A password-reset request: per address and per account name (the form's ``email`` field)."""
    view = _methods_post("THROTTLE_PASSWORD_RESET_PER_ACCOUNT", key_func=account_key)(view)
    return _methods_post("THROTTLE_PASSWORD_RESET_PER_ADDRESS", key_func=client_address)(view)


def throttle_password_reset_submit(view: Callable) -> Callable:
    """Setting a new password from a reset link: per address (the form names no account; the
    link is signed, so this bounds the work of hashing, not a guessing attack)."""
    return _methods_post("THROTTLE_PASSWORD_RESET_SUBMIT_PER_ADDRESS", key_func=client_address)(view)


def signed_in_account_key() -> str:
    """The signed-in account (its id), for limits on what only an account can post."""
    from flask_login import current_user

    return "user:" + (str(current_user.id) if current_user.is_authenticated else "-")


def note_wrong_opening_passphrase() -> None:
    """A view saw the opening passphrase it was given refused as wrong: the throttle counts this request."""
    g.wrong_opening_passphrase = True


def _wrong_opening_passphrase(response) -> bool:
    return bool(g.get("wrong_opening_passphrase"))


def _window_text(seconds: int) -> str:
    from flask_babel import gettext as _

    if seconds % 3600 == 0:
        return _("%(n)s 小时", n=seconds // 3600)
    return _("%(n)s 分钟", n=max(seconds // 60, 1))


def _refuse_opening_passphrase(request_limit):
    """on_breach: the official's own 429 page (which limit, that nothing was checked), not the generic one."""
    from flask import render_template

    item = request_limit.limit
    if request.view_args and "project_id" in request.view_args:
        back = url_for("officials.project", project_id=request.view_args["project_id"])
    else:
        back = url_for("officials.key")
    page = render_template("officials/throttled.html", window=_window_text(int(item.get_expiry())), amount=item.amount, back=back)
    return make_response(page, 429)


def throttle_opening_passphrase(view: Callable) -> Callable:
    """Wrong opening passphrases, per signed-in account, one count for every view that checks one
    (the 共同开标 page, the passphrase change). Only a passphrase the view found wrong counts (it
    calls :func:`note_wrong_opening_passphrase`); over the limit the request is refused before the
    view runs, so nothing is checked, derived, audited or consumed."""
    return limiter.shared_limit(
        _config("THROTTLE_OPENING_PASSPHRASE_PER_ACCOUNT"),
        scope="opening-passphrase",
        key_func=signed_in_account_key,
        methods=["POST"],
        deduct_when=_wrong_opening_passphrase,
        on_breach=_refuse_opening_passphrase,
    )(view)


def throttle_verify(view: Callable) -> Callable:
    """The public verification lookup (GET with a code): per address, one count shared by the
    page and the API's lookup (``/api/v1/documents/<code>``), so neither doubles the other's limit."""
    return limiter.shared_limit(_config("THROTTLE_VERIFY_PER_ADDRESS"), scope="verify", key_func=client_address)(view)


def throttle_api(view: Callable) -> Callable:
    """Every request to the public JSON API (``/api/v1/``): per address, one count for all its paths."""
    return limiter.shared_limit(_config("THROTTLE_API_PER_ADDRESS"), scope="api", key_func=client_address)(view)


def init_app(app) -> None:
    """Bind the limiter (its storage and switches come from the app's ``RATELIMIT_*`` settings)."""
    limiter.init_app(app)
