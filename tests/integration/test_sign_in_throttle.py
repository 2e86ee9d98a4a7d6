"""Throttled sign-in: the per-account lockout in the database, the rate limits, and the record for buyer staff.

The lockout is always on (the suite's own sign-ins never fail five times in a row). The rate limits
are off in TestConfig, because the suite signs in hundreds of times from one address; the tests
here turn them on with small numbers, on memory storage or on a real Redis (DB 5, or
``TEST_REDIS_URL``) under a key prefix of their own.
"""
from __future__ import annotations

import os
import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from procurement import create_app
from procurement.auth.permissions import public
from procurement.auth.throttle import throttle_password_reset
from procurement.domain.identifiers import mask_id_number
from procurement.extensions import db
from procurement.models import SignInAttempt, SignInLock, User
from tests.conftest import AuthActions, csrf_token, make_test_app, post_form
from tests.factories import PASSWORD, make_buyer, make_supplier

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
WRONG = "not-the-password-1"
LOCKED_AT_5 = "邮箱或密码不正确。连续输错次数过多，该账户已被暂时锁定，请于北京时间 2024年12月20日 10:15 之后再试。"
LOCKED = "该账户因连续多次密码错误已被暂时锁定，请于北京时间 2024年12月20日 10:15 之后再试（锁定期间输入正确的密码也无法登录）。"


def _password_errors(response) -> list[str]:
    return re.findall(r'data-field-error="password">([^<]*)<', response.get_data(as_text=True))


def _outcomes() -> list[str]:
    return db.session.scalars(sa.select(SignInAttempt.outcome).order_by(SignInAttempt.id)).all()


def test_thirty_wrong_passwords_lock_the_account_and_the_right_one_fails_until_the_lock_ends(app, client, clock):
    supplier = make_supplier()
    auth = AuthActions(client)
    start = clock.now()
    for attempt in range(1, 31):
        response = auth.login(supplier.email, WRONG)
        assert response.status_code == 400
        expected = "邮箱或密码不正确。" if attempt < 5 else LOCKED_AT_5 if attempt == 5 else LOCKED
        assert _password_errors(response) == [expected], attempt
        assert supplier.email in response.get_data(as_text=True)  # the email stays in the form
    response = auth.login(supplier.email, PASSWORD)
    assert response.status_code == 400 and _password_errors(response) == [LOCKED]
    assert client.get("/supplier/").status_code == 302  # not signed in

    clock.set(start + timedelta(minutes=14, seconds=59))
    assert _password_errors(auth.login(supplier.email, PASSWORD)) == [LOCKED]
    clock.set(start + timedelta(minutes=15))
    assert auth.login(supplier.email, PASSWORD).status_code == 302
    assert client.get("/supplier/").status_code == 200

    # Five wrong passwords counted, then 25 wrong and 2 right ones refused unchecked; the sign-in forgot them all.
    assert _outcomes() == ["failed"] * 5 + ["locked"] * 27
    assert db.session.scalar(sa.select(SignInAttempt.locked_until).where(SignInAttempt.outcome == "failed").offset(4)) == start + timedelta(minutes=15)
    assert db.session.get(SignInLock, supplier.email) is None
    db.session.expire_all()
    assert db.session.get(User, supplier.id).last_login_at == start + timedelta(minutes=15)


def test_the_next_wrong_password_after_a_lock_locks_twice_as_long(app, client, clock):
    supplier = make_supplier()
    auth = AuthActions(client)
    start = clock.now()
    for _ in range(5):
        auth.login(supplier.email, WRONG)
    clock.set(start + timedelta(minutes=15))
    response = auth.login(supplier.email, WRONG)
    assert "2024年12月20日 10:45" in _password_errors(response)[0]
    lock = db.session.get(SignInLock, supplier.email)
    assert (lock.failures, lock.locked_until) == (6, start + timedelta(minutes=45))


def test_an_email_without_an_account_locks_the_same_way(app, client):
    """The answers never tell whether an account exists."""
    auth = AuthActions(client)
    answers = [_password_errors(auth.login("nobody@example.com", WRONG)) for _ in range(6)]
    assert answers == [["邮箱或密码不正确。"]] * 4 + [[LOCKED_AT_5], [LOCKED]]


def test_the_lock_holds_on_every_node(app, client, tmp_path, clock, monkeypatch):
    """Two app instances on one database (two gunicorn nodes): a lock made on one refuses on the other."""
    email = make_supplier().email
    for _ in range(5):
        AuthActions(client).login(email, WRONG)
    # End this node's read transaction: on SQLite every transaction holds the write lock.
    db.session.rollback()
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "other-node"))
    other = create_app({key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "UPLOAD_FOLDER", "DOCUMENT_FOLDER", "SEAL_KEK_FILE")})
    other.extensions["clock"] = clock
    # Each request in an app context of its own, as on a server (the session ends with the request).
    response = AuthActions(other.test_client()).login(email, PASSWORD)
    assert response.status_code == 400 and _password_errors(response) == [LOCKED]
    with other.app_context():
        db.engine.dispose()


def test_buyer_staff_see_the_refused_sign_ins_with_account_address_and_time(app, client, clock):
    supplier = make_supplier()
    buyer = make_buyer()
    stranger = app.test_client()
    for _ in range(5):
        AuthActions(stranger).login(supplier.email, WRONG)
    AuthActions(stranger).login("tashi-my-password@example.com", WRONG)
    AuthActions(client).login(buyer.email)
    html = client.get("/buyer/sign-in-attempts").get_data(as_text=True)
    table = html[html.index('data-testid="sign-in-attempts"') :]
    assert table.count("127.0.0.1") == 6
    assert table.count("2024年12月20日 10:00") >= 6
    assert f"{supplier.email}（{supplier.name}）" in table
    assert "账户已被锁定至 2024年12月20日 10:15" in table
    assert "tashi-my-password@example.com" not in html  # a name that is no account's is masked
    assert mask_id_number("tashi-my-password@example.com") in table
    locks = html[html.index('data-testid="locked-accounts"') : html.index('data-testid="sign-in-attempts"')]
    assert supplier.email in locks and "2024年12月20日 10:15" in locks
    assert AuthActions(stranger).login(supplier.email, PASSWORD).status_code == 400
    supplier_client = app.test_client()
    other = make_supplier()
    AuthActions(supplier_client).login(other.email)
    assert supplier_client.get("/buyer/sign-in-attempts").status_code == 403


def test_an_outdated_hash_is_renewed_at_sign_in(app, client):
    supplier = make_supplier()
    db.session.commit()
    old = supplier.password_hash
    assert old.startswith("pbkdf2:sha256:1000$")
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:2000"
    assert AuthActions(client).login(supplier.email).status_code == 302
    db.session.expire_all()
    renewed = db.session.get(User, supplier.id).password_hash
    assert renewed.startswith("pbkdf2:sha256:2000$")
    AuthActions(app.test_client()).login(supplier.email)
    db.session.expire_all()
    assert db.session.get(User, supplier.id).password_hash == renewed  # current: left alone


# --------------------------------------------------------------------------- the rate limits


def _limited_app(database_template, tmp_path, clock, **overrides):
    settings = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "LOGIN_LOCKOUT_THRESHOLD": 1000,  # the limits alone, here
        "THROTTLE_SIGN_IN_PER_ACCOUNT": "3 per minute",
        "THROTTLE_SIGN_IN_PER_ADDRESS": "100 per minute",
    }
    settings.update(overrides)
    limited = make_test_app(database_template, tmp_path, **settings)
    limited.extensions["clock"] = clock
    return limited


@pytest.fixture
def limited(database_template, tmp_path, clock):
    """An app with the rate limits on (memory storage)."""
    limited = _limited_app(database_template, tmp_path, clock)
    with limited.app_context():
        yield limited
        db.session.remove()
        db.engine.dispose()


def _assert_chinese_429(response):
    assert response.status_code == 429
    assert "请求过于频繁（429）" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-Frame-Options"] == "DENY"


def test_wrong_passwords_for_one_account_are_rate_limited_with_a_chinese_page(limited):
    supplier = make_supplier()
    other = make_supplier()
    client = limited.test_client()
    auth = AuthActions(client)
    for _ in range(3):
        assert auth.login(supplier.email, WRONG).status_code == 400
    for _ in range(3):
        _assert_chinese_429(auth.login(supplier.email, WRONG))
    _assert_chinese_429(auth.login(supplier.email, PASSWORD))  # refused before any password is checked
    assert auth.login(other.email).status_code == 302  # another account from the same address
    # The throttled attempts are recorded once a minute per account and address, however many there were.
    assert _outcomes() == ["failed"] * 3 + ["throttled"]


def test_successful_sign_ins_do_not_use_up_the_accounts_allowance(limited):
    supplier = make_supplier()
    for _ in range(5):
        client = limited.test_client()
        assert AuthActions(client).login(supplier.email).status_code == 302


def test_one_address_trying_many_accounts_is_rate_limited(database_template, tmp_path, clock):
    limited = _limited_app(database_template, tmp_path, clock, THROTTLE_SIGN_IN_PER_ADDRESS="5 per minute")
    with limited.app_context():
        client = limited.test_client()
        for index in range(5):
            assert AuthActions(client).login(f"guess{index}@example.com", WRONG).status_code == 400
        _assert_chinese_429(AuthActions(client).login("guess9@example.com", WRONG))
        elsewhere = limited.test_client()
        elsewhere.environ_base["REMOTE_ADDR"] = "127.0.0.2"
        assert AuthActions(elsewhere).login("guess9@example.com", WRONG).status_code == 400
        assert _outcomes()[-2:] == ["throttled", "failed"]
        assert db.session.scalar(sa.select(SignInAttempt.address).where(SignInAttempt.outcome == "throttled")) == "127.0.0.1"
        db.session.remove()
        db.engine.dispose()


def test_sign_up_and_the_verify_lookup_are_rate_limited_per_address(database_template, tmp_path, clock):
    limited = _limited_app(database_template, tmp_path, clock, THROTTLE_SIGN_UP_PER_ADDRESS="2 per hour", THROTTLE_VERIFY_PER_ADDRESS="3 per minute")
    with limited.app_context():
        client = limited.test_client()
        for _ in range(2):
            assert post_form(client, "/auth/signup", {"email": "x"}).status_code == 400
        _assert_chinese_429(post_form(client, "/auth/signup", {"email": "x"}))
        assert client.get("/auth/signup").status_code == 200  # showing the form is free
        for index in range(3):
            assert client.get(f"/verify?code=CODE{index}").status_code == 404
        _assert_chinese_429(client.get("/verify?code=CODE9"))
        db.session.remove()
        db.engine.dispose()


def test_the_password_reset_decorator_limits_per_address_and_per_account(database_template, tmp_path, clock):
    """The reset request (another issue adds it) is throttled by one decorator under its route."""
    limited = _limited_app(database_template, tmp_path, clock, THROTTLE_PASSWORD_RESET_PER_ACCOUNT="2 per hour", THROTTLE_PASSWORD_RESET_PER_ADDRESS="3 per hour")

    @public
    @throttle_password_reset
    def request_reset_for_test():
        return "ok"

    limited.add_url_rule("/test/reset", "request_reset_for_test", request_reset_for_test, methods=["GET", "POST"])
    with limited.app_context():
        client = limited.test_client()
        token = csrf_token(client)

        def reset(email):
            return client.post("/test/reset", data={"email": email, "csrf_token": token})

        assert [reset("a@example.com").status_code for _ in range(2)] == [200, 200]
        _assert_chinese_429(reset("A@example.com "))  # the same account name
        assert reset("b@example.com").status_code == 200
        _assert_chinese_429(reset("c@example.com"))  # the address's third... fourth request
        assert client.get("/test/reset").status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_nodes_count_together_in_redis(database_template, tmp_path, clock):
    """RATELIMIT_STORAGE_URI on Redis: each request goes to a new app instance (a new node, its own
    storage connection), and the wrong passwords still add up; on memory storage they would not."""
    import redis

    email = f"someone-{uuid.uuid4().hex}@example.com"  # its keys are this test's alone
    connection = redis.Redis.from_url(REDIS_URL)
    statuses = []
    try:
        for index in range(4):
            (tmp_path / str(index)).mkdir()
            node = _limited_app(database_template, tmp_path / str(index), clock, RATELIMIT_STORAGE_URI=REDIS_URL)
            with node.app_context():
                statuses.append(AuthActions(node.test_client()).login(email, WRONG).status_code)
                db.session.remove()
                db.engine.dispose()
        assert statuses == [400, 400, 400, 429]
        assert list(connection.scan_iter(f"*{email}*"))
    finally:
        for key in connection.scan_iter(f"*{email}*"):
            connection.delete(key)
        connection.close()


def test_on_memory_storage_a_new_node_starts_from_nothing(database_template, tmp_path, clock):
    """The counter-proof of the Redis test: the same steps on memory storage are never refused."""
    statuses = []
    for index in range(4):
        (tmp_path / str(index)).mkdir()
        node = _limited_app(database_template, tmp_path / str(index), clock)
        with node.app_context():
            statuses.append(AuthActions(node.test_client()).login("someone@example.com", WRONG).status_code)
            db.session.remove()
            db.engine.dispose()
    assert statuses == [400, 400, 400, 400]
