"""Accounts: sign-up, password hashing and change, staff and panel accounts (signing in: ``sign_in``)."""
from __future__ import annotations

import functools

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from procurement import audit, clock
from procurement.domain import N_, passwords
from procurement.extensions import db
from procurement.models import ROLE_BUYER, ROLE_PANEL, ROLE_SUPPLIER, Company, User
from procurement.services import ServiceError
from procurement.services.unit_of_work import command


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """Hash with the configured method (fast in tests, scrypt otherwise)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@functools.lru_cache(maxsize=8)
def _method_parameters(method: str) -> str:
    """The full parameters werkzeug writes for ``method`` today (``scrypt`` → ``scrypt:32768:8:1``)."""
    return generate_password_hash("-", method=method).split("$", 1)[0]


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than the configured method gives now.

    Checked at each successful sign-in, when the password is at hand: a hash from an older
    werkzeug default or an older ``PASSWORD_HASH_METHOD`` is replaced by a current one.
    """
    return password_hash.split("$", 1)[0] != _method_parameters(current_app.config["PASSWORD_HASH_METHOD"])


@functools.lru_cache(maxsize=8)
def _decoy_hash(method: str) -> str:
    return generate_password_hash("decoy-password-for-unknown-accounts", method=method)


def check_password(user: User | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s; for no user a decoy hash is checked, so both take as long."""
    if user is None:
        check_password_hash(_decoy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return check_password_hash(user.password_hash, password)


def email_taken(email: str) -> bool:
    """Whether an account already uses ``email``."""
    return db.session.scalar(sa.select(User.id).where(User.email == normalise_email(email))) is not None


def check_password_strength(password: str, *user_inputs: str | None, field: str = "password") -> None:
    """Refuse a password that is short, common or trivially patterned (zxcvbn), saying why in Chinese.

    ``user_inputs``: the account's email, name and company, which the password must not lean on.

    :raise ServiceError: beside ``field``.
    """
    weakness = passwords.weakness(password, tuple(value for value in user_inputs if value))
    if weakness is not None:
        raise ServiceError(weakness.message, f"password_{weakness.reason}", field=field, **weakness.params)


def create_user(email: str, password: str, role: str, name: str, *, company: Company | None = None, phone=None, actor=None) -> User:
    """Create an account (no commit); refuses a taken email."""
    if email_taken(email):
        raise ServiceError(N_("该邮箱已注册，请直接登录。"), "email_taken", field="email")
    check_password_strength(password, email, name, company.name if company is not None else None)
    user = User(
        email=normalise_email(email),
        password_hash=hash_password(password),
        role=role,
        name=name.strip(),
        phone=phone,
        company=company,
        created_at=clock.now(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.create", user, details={"role": role, "email": user.email}, actor=actor)
    return user


@command
def sign_up_supplier(email: str, password: str, company_name: str, contact_name: str) -> User:
    """A supplier signs itself up: its company and its first account."""
    company = Company(name=company_name.strip(), contact_name=contact_name.strip(), created_at=clock.now())
    db.session.add(company)
    db.session.flush()
    user = create_user(email, password, ROLE_SUPPLIER, contact_name, company=company, actor=False)
    audit.record("company.create", company, details={"name": company.name, "self_signup": True}, actor=user)
    return user


def verify_password(user: User, password: str) -> bool:
    """Whether ``password`` is the user's (re-entered to sign a report, say)."""
    return check_password_hash(user.password_hash, password)


@command
def change_password(user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; other sessions are signed out."""
    if not verify_password(user, current):
        raise ServiceError(N_("当前密码不正确。"), "wrong_password", field="current_password")
    check_password_strength(new, user.email, user.name, user.company.name if user.company else None, field="new_password")
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record("account.password_change", user, actor=user)


@command
def create_panel_member(email: str, password: str, name: str, phone: str | None, actor: User) -> User:
    """Buyer staff create a panel member's account."""
    user = create_user(email, password, ROLE_PANEL, name, phone=phone, actor=actor)
    return user


@command
def create_buyer(email: str, password: str, name: str) -> User:
    """Bootstrap a buyer staff account (``flask users create-buyer``)."""
    user = create_user(email, password, ROLE_BUYER, name, actor=False)
    return user


@command
def set_active(user: User, active: bool, actor: User) -> None:
    """Enable or disable an account."""
    user.active = active
    user.session_version += 1
    audit.record("account.activate" if active else "account.deactivate", user, actor=actor)


@command
def set_locale(user: User, locale: str | None) -> None:
    """Remember the interface language ``user`` chose (``procurement.i18n``); ``None`` follows the browser.

    A display preference, not an act of the procedure: it is not written to the audit trail.
    """
    user.locale = locale


def load_user(session_id: str) -> User | None:
    """Flask-Login loader: the id must match the current session version."""
    try:
        user_id, version = (int(part) for part in session_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.active:
        return None
    return user
