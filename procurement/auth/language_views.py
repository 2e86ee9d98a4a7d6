"""The language switch (中文 / English) in every page's navigation."""
from __future__ import annotations

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from procurement import i18n
from procurement.auth.permissions import public
from procurement.auth.views import _safe_next, bp
from procurement.services import accounts


@bp.route("/language", methods=["POST"])
@public
def language():
    """Switch the interface's language and go back to the page the switch was pressed on.

    Remembered in the browser (the ``lang`` cookie) and, for a signed-in user, on the account,
    so it follows the user to other browsers. The form is CSRF-protected like every other;
    ``next`` is followed only when it is a path of this site.

    :raise 400: for a language this service does not speak.
    """
    locale = request.form.get("locale")
    if locale not in i18n.LANGUAGES:
        abort(400)
    if current_user.is_authenticated and current_user.locale != locale:
        accounts.set_locale(current_user._get_current_object(), locale)
    response = redirect(_safe_next(request.form.get("next")) or url_for("public.home"))
    response.set_cookie(
        i18n.COOKIE,
        locale,
        max_age=i18n.COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response
