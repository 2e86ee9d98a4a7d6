"""Accounts: sign-up, sign-in, password change, staff and panel accounts."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from procurement import audit, clock
from procurement.domain import N_
from procurement.extensions import db
from procurement.models import ROLE_BUYER, ROLE_PANEL, ROLE_SUPPLIER, Company, User
from procurement.services import ServiceError
from procurement.services.unit_of_work import command

MIN_PASSWORD_LENGTH = 8


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively."""
    return email.strip().lower()


def hash_password(password: str) -> str:
    """Hash with the configured method (fast in tests, scrypt otherwise)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def email_taken(email: str) -> bool:
    """Whether an account already uses ``email``."""
    return db.session.scalar(sa.select(User.id).where(User.email == normalise_email(email))) is not None


def _check_password_rules(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(N_("密码至少需要 %(n)s 位。"), "password_too_short", field=field, n=MIN_PASSWORD_LENGTH)


def create_user(email: str, password: str, role: str, name: str, *, company: Company | None = None, phone=None, actor=None) -> User:
    """Create an account (no commit); refuses a taken email."""
    if email_taken(email):
        raise ServiceError(N_("该邮箱已注册，请直接登录。"), "email_taken", field="email")
    _check_password_rules(password)
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


@command
def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or ``None``; records the sign-in."""
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    user.last_login_at = clock.now()
    return user


def verify_password(user: User, password: str) -> bool:
    """Whether ``password`` is the user's (re-entered to sign a report, say)."""
    return check_password_hash(user.password_hash, password)


@command
def change_password(user: User, current: str, new: str) -> None:
    """Change the password after checking the current one; other sessions are signed out."""
    if not verify_password(user, current):
        raise ServiceError(N_("当前密码不正确。"), "wrong_password", field="current_password")
    _check_password_rules(new, field="new_password")
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
