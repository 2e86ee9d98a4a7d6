"""Password recovery (找回密码): a reset link by e-mail, asked for by the person or sent by buyer staff.

- :func:`request_reset`: anyone types an address; an active account with it gets a mail with a
  link, an unknown (or disabled) address gets nothing, and both take the same path up to the
  mail's queueing (the token is made and the mail composed either way), so neither the answer
  nor its timing tells which addresses have accounts.
- :func:`send_reset_link`: buyer staff send the same mail to a supplier's or a panel member's
  address on file (for the supplier who calls the office), audited with who sent it to whom.
  Nobody sees or sets another person's password: only the mailbox's owner can use the link.
- :func:`reset_password`: the link's holder sets a new password (the usual strength rules);
  the session version moves on, so every other session is signed out and the link dies.

The link's token is :mod:`procurement.domain.reset_links` (signed, 1 hour by default,
``PASSWORD_RESET_LINK_MINUTES``); mails are ``sensitive`` (their body is erased once delivered)
and never appear in the audit trail or a log.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from procurement import audit, clock
from procurement.domain import N_, reset_links
from procurement.domain.reset_links import ResetLinkError
from procurement.extensions import db
from procurement.formatting import cn_datetime, translate
from procurement.mail.compose import absolute_url, compose
from procurement.models import ROLE_PANEL, ROLE_SUPPLIER, User
from procurement.models.sign_in import SignInLock
from procurement.services import ServiceError, accounts
from procurement.services.mail import queue_mail
from procurement.services.unit_of_work import command

MAIL_KIND = "password_reset"
#: Whose reset link buyer staff may send (never another buyer's: staff reset their own).
SENDABLE_ROLES = (ROLE_SUPPLIER, ROLE_PANEL)

__all__ = ["ResetLinkError", "lifetime", "request_reset", "reset_password", "send_reset_link", "token_for", "user_for_token"]


def lifetime() -> timedelta:
    """How long a link works."""
    return timedelta(minutes=int(current_app.config["PASSWORD_RESET_LINK_MINUTES"]))


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def _fingerprint(user: User) -> str:
    return reset_links.fingerprint(_secret(), user.id, user.password_hash, user.session_version)


def token_for(user: User | None) -> str:
    """The token a link for ``user`` carries if issued now; for no user one as costly to make,
    which nothing accepts."""
    if user is None:
        return reset_links.make_token(_secret(), 0, reset_links.fingerprint(_secret(), 0, "-", 0), clock.now())
    return reset_links.make_token(_secret(), user.id, _fingerprint(user), clock.now())


def _compose(user: User | None, email: str, token: str, sent_by: User | None):
    minutes = int(lifetime().total_seconds() // 60)
    return compose(
        "password_reset",
        translate(N_("重置登录密码 · 询比价采购平台")),
        person=user.name if user is not None else "",
        email=email,
        link=absolute_url("auth.reset_password", token=token),
        forgot_link=absolute_url("auth.forgot_password"),
        expires_at=cn_datetime(clock.now() + lifetime()),
        minutes=minutes,
        sent_by=sent_by.name if sent_by is not None else None,
    )


def _queue(user: User, composed) -> None:
    queue_mail(
        to=user,
        subject=composed.subject,
        text=composed.text,
        html=composed.html,
        key=f"{MAIL_KIND}:{user.id}:{uuid.uuid4().hex}",
        kind=MAIL_KIND,
        sensitive=True,
    )


@command
def request_reset(email: str) -> None:
    """Mail a reset link to the active account with ``email``, if there is one; the same work either way."""
    address = accounts.normalise_email(email or "")
    user = db.session.scalar(sa.select(User).where(User.email == address)) if address else None
    if user is not None and not user.active:
        user = None  # a disabled account cannot sign in: a new password would not help it
    composed = _compose(user, address, token_for(user), None)
    if user is not None:
        _queue(user, composed)


@command
def send_reset_link(user: User, actor: User) -> None:
    """Buyer staff mail ``user`` (a supplier's clerk or a panel member) a reset link, audited.

    :raise ServiceError: when the account is another buyer's or disabled.
    """
    if user.role not in SENDABLE_ROLES:
        raise ServiceError(N_("只能向供应商或评审小组成员发送重置密码邮件。"), "reset_not_sendable")
    if not user.active:
        raise ServiceError(N_("该账户已停用，无法发送重置密码邮件。"), "reset_account_inactive")
    _queue(user, _compose(user, user.email, token_for(user), actor))
    audit.record("account.password_reset_link_sent", user, details={"to": user.email, "role": user.role}, actor=actor)


def _claim(token: str) -> reset_links.ResetClaim:
    return reset_links.read_token(_secret(), token, clock.now(), lifetime())


def _current_user_of(claim: reset_links.ResetClaim, *, lock: bool = False) -> User:
    query = sa.select(User).where(User.id == claim.user_id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    user = db.session.scalar(query)
    if user is None or not user.active:
        raise reset_links.invalid()
    reset_links.check_current(claim, _fingerprint(user))
    return user


def user_for_token(token: str) -> User:
    """The account a link may reset now.

    :raise ResetLinkError: expired, forged or malformed, or already used (the password changed since).
    """
    return _current_user_of(_claim(token))


@command
def reset_password(token: str, new_password: str) -> User:
    """Set the link's account's password; every session of it ends and the link dies. The account.

    The account's row is locked while the link is checked, so two submissions of one link set
    one password. A lockout of the account name from wrong passwords is lifted: they were tried
    against the old password.

    :raise ResetLinkError: as :func:`user_for_token`.
    :raise ServiceError: a weak password, beside ``new_password``.
    """
    claim = _claim(token)
    user = _current_user_of(claim, lock=True)
    accounts.check_password_strength(
        new_password, user.email, user.name, user.company.name if user.company else None, field="new_password"
    )
    user.password_hash = accounts.hash_password(new_password)
    user.session_version += 1
    db.session.execute(sa.delete(SignInLock).where(SignInLock.email == user.email))
    audit.record("account.password_reset", user, details={"link_issued_at": claim.issued_at.isoformat()}, actor=user)
    return user
