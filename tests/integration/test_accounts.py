"""Accounts: supplier sign-up, sign-in, sign-out, password change, panel accounts."""
from __future__ import annotations

import sqlalchemy as sa

from procurement.extensions import db
from procurement.models import AuditEvent, User
from tests.conftest import AuthActions, csrf_token, post_form
from tests.factories import PASSWORD, make_buyer, make_supplier


def test_supplier_signs_up_and_lands_on_its_profile(client):
    response = post_form(
        client,
        "/auth/signup",
        {
            "company_name": "拉萨新华文具有限公司",
            "contact_name": "达瓦",
            "email": "Dawa@Example.com",
            "password": "longenough1",
            "password2": "longenough1",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/supplier/profile")
    user = db.session.scalar(sa.select(User).where(User.email == "dawa@example.com"))
    assert user.role == "supplier"
    assert user.company.name == "拉萨新华文具有限公司"
    assert user.password_hash != "longenough1"
    page = client.get("/supplier/profile").get_data(as_text=True)
    assert "公司信息" in page


def test_sign_up_errors_are_chinese_beside_the_field_with_400(client):
    make_supplier(email="taken@example.com")
    response = post_form(
        client,
        "/auth/signup",
        {"company_name": "", "contact_name": "x", "email": "taken@example.com", "password": "short", "password2": "other"},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'data-field-error="company_name"' in html
    assert "此项必填" in html
    assert "两次输入的密码不一致" in html


def test_taken_email_is_refused_beside_the_email_field(client):
    make_supplier(email="taken@example.com")
    response = post_form(
        client,
        "/auth/signup",
        {"company_name": "某公司", "contact_name": "x", "email": "TAKEN@example.com", "password": "longenough1", "password2": "longenough1"},
    )
    assert response.status_code == 400
    assert "该邮箱已注册" in response.get_data(as_text=True)


def test_login_with_a_wrong_password_is_400_and_says_so(client, auth):
    make_buyer()
    response = auth.login("buyer@example.com", "wrong-password")
    assert response.status_code == 400
    assert "邮箱或密码不正确" in response.get_data(as_text=True)


def test_login_sends_each_role_home_and_logout_signs_out(client, auth):
    make_buyer()
    response = auth.login("buyer@example.com")
    assert response.headers["Location"].endswith("/buyer/")
    assert client.get("/buyer/").status_code == 200
    auth.logout()
    assert client.get("/buyer/").status_code == 302


def test_login_ignores_an_offsite_next(client):
    make_buyer()
    token = csrf_token(client)
    response = client.post(
        "/auth/login?next=https://evil.example/", data={"email": "buyer@example.com", "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"].endswith("/buyer/")


def test_password_change_needs_the_current_password_and_signs_out_other_sessions(app, client, auth):
    make_buyer()
    auth.login("buyer@example.com")
    other = app.test_client()
    AuthActions(other).login("buyer@example.com")
    bad = post_form(client, "/auth/password", {"current_password": "nope", "new_password": "new-lhasa-pass-26", "new_password2": "new-lhasa-pass-26"})
    assert bad.status_code == 400
    assert "当前密码不正确" in bad.get_data(as_text=True)
    good = post_form(
        client, "/auth/password", {"current_password": PASSWORD, "new_password": "new-lhasa-pass-26", "new_password2": "new-lhasa-pass-26"}
    )
    assert good.status_code == 302
    assert client.get("/buyer/").status_code == 200  # this session stays signed in
    assert other.get("/buyer/").status_code == 302  # the other one is signed out
    auth.logout()
    assert auth.login("buyer@example.com", "new-lhasa-pass-26").status_code == 302


def test_buyer_creates_a_panel_account_in_the_browser(client, auth):
    make_buyer()
    auth.login("buyer@example.com")
    response = post_form(
        client, "/buyer/panel-accounts", {"name": "格桑", "email": "gesang@example.com", "phone": "", "password": "gesang-flower-19"}
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "gesang@example.com"))
    assert user.role == "panel"
    assert "格桑" in client.get("/buyer/panel-accounts").get_data(as_text=True)
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("account.create") == 2


def test_flask_users_create_buyer_bootstraps_an_account(runner):
    result = runner.invoke(args=["users", "create-buyer", "--email", "boss@example.com", "--name", "措姆", "--password", "bootstrap-lhasa-9"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User.role).where(User.email == "boss@example.com")) == "buyer"


def test_login_ignores_a_backslash_next_that_browsers_read_as_another_host(client):
    make_buyer()
    token = csrf_token(client)
    for target in ("/%5Cevil.example", "/\\evil.example", "//evil.example", "/%09/evil.example"):
        response = client.post(
            "/auth/login?next=" + target, data={"email": "buyer@example.com", "password": PASSWORD, "csrf_token": token}
        )
        assert response.headers["Location"].endswith("/buyer/"), target
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/buyer/")})
        token = csrf_token(client)


def test_signing_up_from_a_notice_leads_back_to_that_project_after_the_profile(client, clock):
    from tests.factories import make_project

    project = make_project(make_buyer(), clock)
    page = client.get(f"/notices/{project.id}").get_data(as_text=True)
    assert f"/auth/signup?next=/supplier/projects/{project.id}" in page
    response = post_form(
        client,
        f"/auth/signup?next=/supplier/projects/{project.id}",
        {"company_name": "拉萨新华文具有限公司", "contact_name": "达瓦", "email": "dawa@example.com", "password": "longenough1", "password2": "longenough1"},
    )
    assert response.headers["Location"].endswith(f"/supplier/profile?next=/supplier/projects/{project.id}")


def test_a_next_for_another_role_is_ignored_at_login(client):
    make_buyer()
    token = csrf_token(client)
    response = client.post("/auth/login?next=/supplier/projects/1", data={"email": "buyer@example.com", "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"].endswith("/buyer/")
