"""Personal opening keys (个人开标密钥): set up once, change with the old passphrase, or replace.

Buyer staff and panel accounts may be opening officials. Each sets up a key pair whose private
half only the official's opening passphrase unlocks (``domain.quorum``); the passphrase is never
stored or logged, and nothing here can recover it. The scrypt derivation (about 0.4 s) runs
outside any transaction, so the database is not held while it works.

Replacing a key (after a forgotten passphrase) makes a new key pair: shares sealed to the old
key at earlier publications become unusable, which the page says before the official confirms.
"""
from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import current_app

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain.quorum import KdfParams, OfficialKey, WrongPassphrase, make_official_key, rewrap_official_key, unlock_official_key
from procurement.extensions import db
from procurement.models import ROLE_BUYER, ROLE_PANEL, OpeningKey, User
from procurement.services import ServiceError, accounts
from procurement.services.unit_of_work import command, end_reading

OFFICIAL_ROLES = (ROLE_BUYER, ROLE_PANEL)


def key_of(user_id: int) -> OpeningKey | None:
    """The account's opening key row, if it has set one up."""
    return db.session.scalar(sa.select(OpeningKey).where(OpeningKey.user_id == user_id))


def as_official_key(row: OpeningKey) -> OfficialKey:
    """The domain's view of a stored opening key."""
    params = KdfParams(n=row.kdf_n, r=row.kdf_r, p=row.kdf_p, salt=row.salt, kdf=row.kdf)
    return OfficialKey(public_key=row.public_key, wrapped_private_key=row.wrapped_private_key, params=params)


def fingerprint(public_key: bytes) -> str:
    """A short name for a public key (audit details, the key page): 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def unlock(user: User, passphrase: str) -> bytes:
    """The official's private opening key, derived outside any transaction.

    :raise ServiceError: no key set up (``no_opening_key``), or a wrong passphrase (``wrong_passphrase``).
    """
    row = key_of(user.id)
    if row is None:
        raise ServiceError(N_("您还没有设置个人开标密钥。"), "no_opening_key", field="passphrase")
    key = as_official_key(row)
    end_reading()  # nothing is held while scrypt works
    try:
        return unlock_official_key(key, passphrase)
    except (WrongPassphrase, ValueError):
        raise ServiceError(N_("开标口令不正确。"), "wrong_passphrase", field="passphrase") from None


def _fresh_params() -> KdfParams:
    return KdfParams.fresh(*current_app.config["OPENING_KEY_SCRYPT"])


def _check_new_passphrase(user: User, passphrase: str, field: str) -> None:
    """Strong enough (zxcvbn, as for passwords), and not the account's own password.

    :raise ServiceError: beside ``field``.
    """
    accounts.check_password_strength(passphrase, user.email, user.name, field=field)
    if accounts.verify_password(user, passphrase):
        raise ServiceError(N_("开标口令不能与登录密码相同：登录密码泄露时，开标口令必须仍然安全。"), "same_as_password", field=field)


def _require_official_role(user: User) -> None:
    if user.role not in OFFICIAL_ROLES:
        raise ServiceError(N_("只有采购人和评审人员可以设置开标密钥。"), "not_an_official_role")


def set_up(user: User, passphrase: str) -> None:
    """Set up the account's opening key (once).

    :raise ServiceError: a key exists already, the passphrase is weak or is the login password.
    """
    _require_official_role(user)
    if key_of(user.id) is not None:
        raise ServiceError(N_("您已设置过个人开标密钥；如需更改口令，请使用下方的“修改开标口令”。"), "key_exists")
    _check_new_passphrase(user, passphrase, "passphrase")
    end_reading()
    key = make_official_key(passphrase, _fresh_params())
    _store(user.id, key, "opening_key.create", replace=False)


def change(user: User, old_passphrase: str, new_passphrase: str) -> None:
    """Re-encrypt the same key pair under a new passphrase (shares already sealed to it stay usable).

    :raise ServiceError: no key, the old passphrase is wrong, or the new one is weak.
    """
    row = key_of(user.id)
    if row is None:
        raise ServiceError(N_("您还没有设置个人开标密钥。"), "no_opening_key")
    _check_new_passphrase(user, new_passphrase, "new_passphrase")
    key = as_official_key(row)
    end_reading()
    try:
        changed = rewrap_official_key(key, old_passphrase, new_passphrase, _fresh_params())
    except (WrongPassphrase, ValueError):
        raise ServiceError(N_("当前开标口令不正确。"), "wrong_passphrase", field="old_passphrase") from None
    _store(user.id, changed, "opening_key.change", replace=True)


def replace(user: User, passphrase: str) -> None:
    """A new key pair under a new passphrase, for an official who forgot the old one.

    :raise ServiceError: no key to replace, or the passphrase is weak.
    """
    if key_of(user.id) is None:
        raise ServiceError(N_("您还没有设置个人开标密钥。"), "no_opening_key")
    _check_new_passphrase(user, passphrase, "replacement")
    end_reading()
    key = make_official_key(passphrase, _fresh_params())
    _store(user.id, key, "opening_key.replace", replace=True)


@command
def _store(user_id: int, key: OfficialKey, action: str, *, replace: bool) -> None:
    """Write the key (the official's row locked), and audit its public key's fingerprint."""
    user = db.session.execute(
        sa.select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    row = key_of(user.id)
    if (row is not None) != replace:
        raise ServiceError(N_("开标密钥刚刚被更改过，请刷新页面后重试。"), "key_changed_meanwhile")
    now = clock.now()
    if row is None:
        row = OpeningKey(user_id=user.id, created_at=now)
        db.session.add(row)
    previous = fingerprint(row.public_key) if row.public_key else None
    row.public_key = key.public_key
    row.wrapped_private_key = key.wrapped_private_key
    row.kdf, row.kdf_n, row.kdf_r, row.kdf_p, row.salt = key.params.kdf, key.params.n, key.params.r, key.params.p, key.params.salt
    row.updated_at = now
    details = {"key": fingerprint(key.public_key), "kdf": f"{key.params.kdf}:{key.params.n}:{key.params.r}:{key.params.p}"}
    if previous and previous != details["key"]:
        details["previous_key"] = previous
    audit.record(action, user, details=details, actor=user)
