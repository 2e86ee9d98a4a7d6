"""Who may use which view: declared on every view, enforced in one place, denied by default.

Each view function is decorated with :func:`public` or :func:`roles_required`. A
``before_request`` hook reads the declaration: no declaration means 403 (so a view
added without one is closed, and a test walks the URL map to find it); a signed-out
user on a protected view is sent to the login page; a signed-in user of the wrong role
gets 403. Object-level rules (another supplier's object answers 404) live in the
blueprints' loader helpers.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import Flask, abort, current_app, request
from flask_login import current_user

PUBLIC = frozenset({"*"})
ANY_SIGNED_IN = frozenset({"buyer", "panel", "supplier"})


def public(view: Callable) -> Callable:
    """Anyone, signed in or not, may use ``view``."""
    view.allowed_roles = PUBLIC
    return view


def roles_required(*roles: str) -> Callable[[Callable], Callable]:
    """Only signed-in users with one of ``roles`` may use the view."""

    def decorate(view: Callable) -> Callable:
        view.allowed_roles = frozenset(roles)
        return view

    return decorate


def signed_in(view: Callable) -> Callable:
    """Any signed-in user may use ``view``."""
    view.allowed_roles = ANY_SIGNED_IN
    return view


def allowed_roles_for(endpoint: str | None) -> frozenset[str] | None:
    """The declaration on an endpoint's view, or ``None`` when there is none."""
    if endpoint is None:
        return None
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", None)


def enforce() -> None:
    """``before_request``: apply the view's declaration; unknown URLs fall through to 404."""
    if request.endpoint is None:
        return None
    if request.endpoint == "static":
        return None
    allowed = allowed_roles_for(request.endpoint)
    if allowed is None:
        abort(403)
    if allowed is PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.role not in allowed:
        abort(403)
    return None


def init_app(app: Flask) -> None:
    """Register the enforcement hook."""
    app.before_request(enforce)


def owns(check: bool) -> None:
    """Answer 404 (not 403) when an object is not the current user's: its existence is not revealed."""
    if not check:
        abort(404)


__all__ = ["public", "roles_required", "signed_in", "enforce", "init_app", "owns", "wraps"]
