"""Every view declares who may use it; a test walks every route of the app."""
from __future__ import annotations

import re

import pytest

from procurement.auth.permissions import PUBLIC
from tests.factories import make_buyer, make_panel, make_supplier
from tests.conftest import AuthActions, csrf_token


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "1" if "int" in m.group(0) or "id" in m.group(1) or "year" in m.group(1) else "x", rule.rule)
        methods = sorted(m for m in rule.methods if m in ("GET", "POST"))
        yield rule.endpoint, url, methods


def test_every_view_declares_who_may_use_it(app):
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and getattr(view, "allowed_roles", None) is None
    ]
    assert missing == []


def test_signed_out_users_are_sent_to_login_from_every_protected_view(app, client):
    checked = 0
    token = csrf_token(client, "/auth/login")
    for endpoint, url, methods in _routes(app):
        if app.view_functions[endpoint].allowed_roles is PUBLIC:
            continue
        for method in methods:
            # A valid CSRF token, so the answer is the permission check's own.
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            assert response.status_code == 302, (endpoint, method, response.status_code)
            assert "/auth/login" in response.headers["Location"], (endpoint, method)
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("role", ["buyer", "panel", "supplier"])
def test_wrong_role_gets_403_on_every_view_of_other_roles(app, role):
    users = {"buyer": make_buyer, "panel": make_panel, "supplier": make_supplier}
    user = users[role]()
    client = app.test_client()
    AuthActions(client).login(user.email)
    token = csrf_token(client, "/auth/password")
    checked = 0
    for endpoint, url, methods in _routes(app):
        allowed = app.view_functions[endpoint].allowed_roles
        if allowed is PUBLIC or role in allowed:
            continue
        for method in methods:
            data = {"csrf_token": token} if method == "POST" else None
            response = client.open(url, method=method, data=data)
            assert response.status_code == 403, (role, endpoint, method, response.status_code)
            checked += 1
    assert checked > 0


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/auth/login", data={"email": "a@example.com", "password": "x"})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)


def test_unknown_url_is_a_chinese_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)
