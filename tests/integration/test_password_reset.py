"""Password recovery (issue 13): a reset link by e-mail, asked for on the login page or sent by buyer
staff; the same answer for any address; the link dies after an hour on the app's clock, when used
and when the password changes; the reset signs out every other session; nothing reveals the link."""
from __future__ import annotations

import email
import json
import re
from datetime import timedelta
from email.policy import default

import sqlalchemy as sa

from procurement.extensions import db
from procurement.mail import transport
from procurement.models import AuditEvent, MailMessage, SignInLock, User
from procurement.services import accounts
from procurement.auth.reset_views import SESSION_KEY
from tests.conftest import AuthActions, post_form
from tests.factories import PASSWORD, make_buyer, make_panel, make_supplier
from tests.integration.test_sign_in_throttle import _assert_chinese_429, _limited_app
from tests.mailserver import body_text, smtp_server

NEW_PASSWORD = "Nyingchi-peach-blossom-77"
FORM = "/auth/reset-password/set"  # the token-free page the link redirects to
LINK_RE = re.compile(r"http://testserver(/auth/reset-password/[A-Za-z0-9._-]+)")
CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')
REFUSED_RE = re.compile(r'data-testid="reset-link-refused" data-reason="([a-z_]+)">([^<]*)<')


def _outbox(app) -> list[email.message.EmailMessage]:
    folder = transport.outbox_folder(app)
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [email.message_from_bytes(path.read_bytes(), policy=default) for path in files]


def _ask(client, address: str):
    return post_form(client, "/auth/forgot-password", {"email": address})


def _link(message) -> str:
    """The reset link's path, read from the mail's plain text (and the same in its HTML)."""
    text = body_text(message)
    path = LINK_RE.search(text).group(1)
    assert f'href="http://testserver{path}"' in body_text(message, "html")
    return path


def _follow(client, path: str):
    """Open the mail's link: a live one is kept in the session and redirects to the form."""
    response = client.get(path)
    if response.status_code == 302:
        assert response.location == FORM
    return response


def _reset(client, path: str | None, password: str = NEW_PASSWORD, again: str | None = None):
    """Follow the link ``path`` (unless None: the one followed last) and submit the form; a refused link's page."""
    if path is not None:
        followed = _follow(client, path)
        if followed.status_code != 302:
            return followed
    # The CSRF token from the login page: a refused link's page has no form.
    return post_form(client, FORM, {"new_password": password, "new_password2": again or password}, page="/auth/login")


def _token_in_session(client) -> str | None:
    with client.session_transaction() as session:
        return session.get(SESSION_KEY)


def _refusal(response) -> tuple[str, str]:
    assert response.status_code == 400
    return REFUSED_RE.search(response.get_data(as_text=True)).groups()


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def _asked_link(app, client, user) -> str:
    assert _ask(client, user.email).status_code == 200
    return _link(_outbox(app)[-1])


def test_the_login_page_offers_the_reset_instead_of_calling_the_buyer(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/forgot-password">忘记密码？</a>' in html
    assert "忘记密码请联系采购人" not in html
    assert "注册时使用的邮箱" in client.get("/auth/forgot-password").get_data(as_text=True)


def test_known_unknown_and_disabled_addresses_get_the_same_answer_and_only_the_account_a_mail(app, client):
    supplier = make_supplier()
    disabled = make_supplier()
    accounts.set_active(disabled, False, make_buyer())
    answers = {}
    for address in (supplier.email, "nobody@example.com", disabled.email):
        response = _ask(client, address)
        assert response.status_code == 200
        # The language switch's CSRF token carries the second it was made: not part of the answer.
        answers[address] = CSRF_VALUE.sub("csrf", response.get_data(as_text=True).replace(address, "ADDRESS"))
    assert len(set(answers.values())) == 1
    assert "如果 ADDRESS 是本平台某个账户的邮箱，我们已向其发送了一封重置密码的邮件。邮件中的链接在 60 分钟内有效" in answers[supplier.email]
    assert [message["To"] for message in _outbox(app)] == [f"{supplier.name} <{supplier.email}>"]
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 1


def test_an_invalid_address_is_refused_beside_the_field_and_kept(client):
    response = _ask(client, "not-an-address")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'data-field-error="email">请输入有效的邮箱地址。<' in html and 'value="not-an-address"' in html


def test_the_mail_is_chinese_text_and_html_with_an_absolute_link_whose_body_is_erased_once_sent(app, client, clock):
    supplier = make_supplier()
    _ask(client, f"  {supplier.email.upper()} ")  # as typed: case and spaces do not matter
    [message] = _outbox(app)
    assert message["Subject"] == "重置登录密码 · 询比价采购平台"
    text = body_text(message)
    assert text.startswith(f"{supplier.name}，您好：")
    assert f"账户（{supplier.email}）重置密码的申请" in text
    assert "请在北京时间 2024年12月20日 11:00 之前（60 分钟内）" in text  # the clock says 10:00
    assert "如果这不是您本人的申请，请忽略本邮件" in text and "http://testserver/auth/forgot-password" in text
    token = _link(message).rsplit("/", 1)[1]
    db.session.expire_all()
    row = db.session.scalars(sa.select(MailMessage)).one()
    assert (row.kind, row.user_id, row.sensitive) == ("password_reset", supplier.id, True)
    assert row.sent_at is not None and row.text_body is None and row.html_body is None
    assert token not in row.key


def test_following_the_link_sets_the_password_signs_in_and_signs_out_every_other_session(app, client):
    supplier = make_supplier()
    elsewhere = app.test_client()
    assert AuthActions(elsewhere).login(supplier.email).status_code == 302
    assert elsewhere.get("/supplier/").status_code == 200
    path = _asked_link(app, client, supplier)

    followed = _follow(client, path)  # the link's token leaves the URL at once, for the session
    assert followed.status_code == 302 and followed.location == FORM
    assert followed.headers["Referrer-Policy"] == "no-referrer" and followed.headers["Cache-Control"] == "no-store"
    assert _token_in_session(client) == path.rsplit("/", 1)[1]
    page = client.get(FORM)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    html = page.get_data(as_text=True)
    assert f'data-testid="reset-account">{supplier.email}<' in html
    assert f'action="{FORM}"' in html and path.rsplit("/", 1)[1] not in html
    response = _reset(client, None)
    assert response.status_code == 302 and response.location == "/supplier/"
    assert _token_in_session(client) is None  # used up: gone from the session
    home = client.get("/supplier/", follow_redirects=True).get_data(as_text=True)
    assert "新密码已设置，您已登录。您在其他设备上的登录已全部失效。" in home

    assert elsewhere.get("/supplier/").status_code == 302  # the other session is gone
    fresh = app.test_client()
    assert AuthActions(fresh).login(supplier.email, PASSWORD).status_code == 400  # the old password
    assert AuthActions(fresh).login(supplier.email, NEW_PASSWORD).status_code == 302

    [event] = _events("account.password_reset")
    assert (event.actor_id, event.object_id) == (supplier.id, str(supplier.id))
    signature = path.rsplit(".", 1)[1]  # the token's secret part
    assert not [e for e in db.session.scalars(sa.select(AuditEvent)) if signature in json.dumps(e.details, ensure_ascii=False)]


def test_the_used_link_is_refused_with_a_chinese_page_and_a_way_to_ask_again(app, client):
    supplier = make_supplier()
    path = _asked_link(app, client, supplier)
    assert _reset(client, path).status_code == 302
    for response in (client.get(path), _reset(app.test_client(), path, "Another-strong-secret-91")):
        reason, message = _refusal(response)
        assert reason == "reset_link_used" and message.startswith("该链接已失效：密码已经通过此链接或其他方式修改过。")
        assert 'href="/auth/forgot-password"' in response.get_data(as_text=True)
        assert response.headers["Referrer-Policy"] == "no-referrer"  # the refused link's URL goes nowhere
    # The form submitted again (the back button) has no link left to use.
    assert _refusal(_reset(client, None, "Another-strong-secret-91"))[0] == "reset_link_invalid"
    fresh = app.test_client()
    assert AuthActions(fresh).login(supplier.email, "Another-strong-secret-91").status_code == 400


def test_a_password_change_kills_a_link_sent_before(app, client):
    supplier = make_supplier()
    path = _asked_link(app, client, supplier)
    accounts.change_password(db.session.get(User, supplier.id), PASSWORD, "Changed-while-signed-in-58")
    assert _refusal(client.get(path))[0] == "reset_link_used"


def test_the_link_expires_after_an_hour_on_the_app_clock(app, client, clock):
    supplier = make_supplier()
    asked_at = clock.now()
    path = _asked_link(app, client, supplier)
    clock.set(asked_at + timedelta(minutes=60))
    assert _follow(client, path).status_code == 302
    assert client.get(FORM).status_code == 200
    clock.set(asked_at + timedelta(minutes=60, seconds=1))
    assert _refusal(_reset(client, None))[0] == "reset_link_expired"  # expired while the form was open
    assert _token_in_session(client) is None
    reason, message = _refusal(client.get(path))
    assert reason == "reset_link_expired"
    assert message == "该链接已过期。重置密码的链接在发出后 60 分钟内有效，请重新申请。"
    assert _refusal(_reset(client, path))[0] == "reset_link_expired"


def test_the_lifetime_is_configurable(app, client, clock):
    app.config["PASSWORD_RESET_LINK_MINUTES"] = 15
    supplier = make_supplier()
    asked_at = clock.now()
    path = _asked_link(app, client, supplier)
    assert "（15 分钟内）" in body_text(_outbox(app)[-1])
    clock.set(asked_at + timedelta(minutes=16))
    assert "15 分钟内有效" in _refusal(client.get(path))[1]


def test_forged_and_malformed_links_are_refused_with_400(app, client):
    supplier = make_supplier()
    token = _asked_link(app, client, supplier).rsplit("/", 1)[1]
    app.config["SECRET_KEY"] = "another-deployment-key"
    forged = _asked_link(app, client, supplier).rsplit("/", 1)[1]  # signed with another key
    app.config["SECRET_KEY"] = "test-secret-key-not-for-production"
    for bad in (forged, token[:-2], "x", "A" * 3000, token.replace(".", "..", 1)):
        reason, _ = _refusal(client.get(f"/auth/reset-password/{bad}"))
        assert reason == "reset_link_invalid", bad
        assert _refusal(_reset(client, f"/auth/reset-password/{bad}"))[0] == "reset_link_invalid"
    assert _follow(client, f"/auth/reset-password/{token}").status_code == 302


def test_the_form_without_a_followed_link_is_refused(client):
    for response in (client.get(FORM), _reset(client, None)):
        assert _refusal(response)[0] == "reset_link_invalid"


def test_a_weak_or_mismatched_new_password_is_refused_beside_the_field_and_the_link_still_works(app, client):
    supplier = make_supplier()
    path = _asked_link(app, client, supplier)
    weak = _reset(client, path, "12345678")
    assert weak.status_code == 400
    assert re.search(r'data-field-error="new_password">[^<]*常见', weak.get_data(as_text=True))
    mismatched = _reset(client, path, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert 'data-field-error="new_password2">两次输入的密码不一致。<' in mismatched.get_data(as_text=True)
    assert _reset(client, path).status_code == 302


def test_the_reset_lifts_a_lockout_earned_against_the_old_password(app, client):
    supplier = make_supplier()
    attacker = AuthActions(app.test_client())
    for _ in range(5):
        attacker.login(supplier.email, "guessed-wrong-1")
    assert db.session.get(SignInLock, supplier.email).locked_until is not None
    path = _asked_link(app, client, supplier)
    assert _reset(client, path).status_code == 302
    db.session.expire_all()
    assert db.session.get(SignInLock, supplier.email) is None
    assert AuthActions(app.test_client()).login(supplier.email, NEW_PASSWORD).status_code == 302


def test_asking_and_setting_are_rate_limited_whether_or_not_the_address_exists(database_template, tmp_path, clock):
    limited = _limited_app(
        database_template, tmp_path, clock,
        THROTTLE_PASSWORD_RESET_PER_ACCOUNT="2 per hour", THROTTLE_PASSWORD_RESET_SUBMIT_PER_ADDRESS="2 per hour",
    )
    with limited.app_context():
        supplier = make_supplier()
        client = limited.test_client()
        for address in (supplier.email, "nobody@example.com"):
            assert [_ask(client, address).status_code for _ in range(2)] == [200, 200]
            _assert_chinese_429(_ask(client, address))
        assert len(_outbox(limited)) == 2
        path = _link(_outbox(limited)[-1])
        assert [_reset(client, path, "12345678").status_code for _ in range(2)] == [400, 400]
        _assert_chinese_429(_reset(client, path))
        assert _follow(client, path).status_code == 302 and client.get(FORM).status_code == 200  # showing the form is free
        db.session.remove()
        db.engine.dispose()


def test_buyer_staff_send_a_panel_member_the_link_audited_without_seeing_it(app, client):
    buyer = make_buyer()
    member = make_panel()
    AuthActions(client).login(buyer.email)
    page = client.get("/buyer/panel-accounts").get_data(as_text=True)
    action = f"/buyer/panel-accounts/{member.id}/password-reset"
    assert f'action="{action}"' in page
    response = post_form(client, action, page="/buyer/panel-accounts", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f"已向 {member.name} 的邮箱 {member.email} 发送重置密码邮件，链接 60 分钟内有效" in html
    assert "reset-password" not in html
    [message] = _outbox(app)
    assert message["To"] == f"{member.name} <{member.email}>"
    assert f"采购人 {buyer.name} 应您的要求，为您在询比价采购平台的账户（{member.email}）发送了重置密码的链接。" in body_text(message)
    [event] = _events("account.password_reset_link_sent")
    assert (event.actor_id, event.object_type, event.object_id) == (buyer.id, "user", str(member.id))
    assert event.details["to"] == member.email and "reset-password" not in json.dumps(event.details)
    audit_page = client.get("/buyer/audit").get_data(as_text=True)
    assert "发送重置密码邮件" in audit_page

    # The member follows it as if she had asked herself.
    member_client = app.test_client()
    assert _reset(member_client, _link(message)).status_code == 302
    assert member_client.get("/panel/").status_code == 200


def test_buyer_staff_send_a_supplier_the_link_from_its_registration(app, client, clock):
    from tests.factories import make_accepted_registration, make_project

    buyer = make_buyer()
    project = make_project(buyer, clock)
    supplier = make_supplier()
    registration = make_accepted_registration(project, supplier)
    stranger = make_supplier()
    AuthActions(client).login(buyer.email)
    page_url = f"/buyer/projects/{project.id}/registrations/{registration.id}"
    page = client.get(page_url).get_data(as_text=True)
    action = f"{page_url}/accounts/{supplier.id}/password-reset"
    assert f'data-account="{supplier.email}"' in page and f'action="{action}"' in page
    before = len(_outbox(app))  # the registration's own notification went out already
    response = post_form(client, action, page=page_url)
    assert response.status_code == 302 and response.location == page_url + "#accounts"
    assert [m["To"] for m in _outbox(app)[before:]] == [f"{supplier.name} <{supplier.email}>"]

    # Not this supplier's account, not this project's registration, not a supplier: 404, nothing sent.
    for url in (
        f"{page_url}/accounts/{stranger.id}/password-reset",
        f"{page_url}/accounts/{buyer.id}/password-reset",
        f"/buyer/projects/{project.id + 1}/registrations/{registration.id}/accounts/{supplier.id}/password-reset",
        f"/buyer/panel-accounts/{supplier.id}/password-reset",
        f"/buyer/panel-accounts/{buyer.id}/password-reset",
        "/buyer/panel-accounts/999999/password-reset",
    ):
        assert post_form(client, url, page=page_url).status_code == 404, url
    assert len(_outbox(app)) == before + 1
    assert len(_events("account.password_reset_link_sent")) == 1


def test_a_disabled_account_gets_no_link_from_the_buyer(app, client):
    buyer = make_buyer()
    member = make_panel()
    accounts.set_active(member, False, buyer)
    AuthActions(client).login(buyer.email)
    page = client.get("/buyer/panel-accounts").get_data(as_text=True)
    assert f"/buyer/panel-accounts/{member.id}/password-reset" not in page  # no button
    response = post_form(client, f"/buyer/panel-accounts/{member.id}/password-reset", page="/buyer/panel-accounts", follow_redirects=True)
    assert "该账户已停用，无法发送重置密码邮件。" in response.get_data(as_text=True)
    assert _outbox(app) == []


def test_panel_members_and_suppliers_cannot_send_anyone_a_link(app):
    member = make_panel()
    supplier = make_supplier()
    for user in (member, supplier):
        client = app.test_client()
        AuthActions(client).login(user.email)
        for url in (f"/buyer/panel-accounts/{member.id}/password-reset", f"/buyer/projects/1/registrations/1/accounts/{supplier.id}/password-reset"):
            assert post_form(client, url, page="/auth/password").status_code == 403
    assert _outbox(app) == []


def test_the_reset_mail_arrives_at_a_real_smtp_server_and_its_link_works(app, client):
    supplier = make_supplier()
    with smtp_server() as (port, received):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="询比价采购平台 <noreply@example.cn>")
        assert _ask(client, supplier.email).status_code == 200
    assert received.envelopes == [("noreply@example.cn", [supplier.email])]
    [message] = received.messages
    assert message["Subject"] == "重置登录密码 · 询比价采购平台"
    assert message.get_body(preferencelist=("html",)) is not None
    path = _link(message)
    assert _reset(client, path).status_code == 302
    assert client.get("/supplier/").status_code == 200
    assert _refusal(client.get(path))[0] == "reset_link_used"
    assert _outbox(app) == []
