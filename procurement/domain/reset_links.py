"""Password-reset links (找回密码): a signed token that names an account and the password it replaces.

The token is itsdangerous's URL-safe timed serialisation of ``{"u": user id, "f": fingerprint}``
under the app's secret key and a salt of its own (a session cookie or another signed value
never passes for a reset token), HMAC-SHA256. The fingerprint is an HMAC of the account's
current password hash and session version: any password change (this link used, another link
used, the password changed while signed in) and any signing-out of every session changes it,
so the token dies then. It is therefore single-use without a table of used tokens.

Expiry follows the clock passed in (``procurement.clock`` in the app, a simulated or a test
clock included), not the system time itsdangerous would read: :class:`ClockSigner` stamps and
checks with it. A token from the future (a simulated clock moved back) counts as expired.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from procurement.domain import N_, DomainError

SALT = "procurement.password-reset.v1"
#: Longer than any token this module makes (about 110 characters); longer input is refused unread.
MAX_TOKEN_LENGTH = 400


class ResetLinkError(DomainError):
    """A reset link that cannot be used; ``code`` says why (``expired``, ``invalid``, ``used``)."""


def expired(minutes: int) -> ResetLinkError:
    return ResetLinkError(
        N_("该链接已过期。重置密码的链接在发出后 %(minutes)d 分钟内有效，请重新申请。"), "reset_link_expired", minutes=minutes
    )


def invalid() -> ResetLinkError:
    return ResetLinkError(N_("该链接无效。请确认打开的是邮件中的完整链接，或重新申请。"), "reset_link_invalid")


def used() -> ResetLinkError:
    return ResetLinkError(
        N_("该链接已失效：密码已经通过此链接或其他方式修改过。如仍需重置，请重新申请。"), "reset_link_used"
    )


@dataclass(frozen=True)
class ResetClaim:
    """What a valid token says: whose password, which password, and when it was issued."""

    user_id: int
    fingerprint: str
    issued_at: datetime


class ClockSigner(TimestampSigner):
    """itsdangerous's timestamp signer reading the time it is given instead of ``time.time()``."""

    def __init__(self, *args, now: datetime, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._now = now

    def get_timestamp(self) -> int:
        return int(self._now.timestamp())


def _serializer(secret: str, now: datetime) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        secret, salt=SALT, signer=ClockSigner, signer_kwargs={"digest_method": hashlib.sha256, "now": now}
    )


def fingerprint(secret: str, user_id: int, password_hash: str, session_version: int) -> str:
    """A short keyed digest of the account's password state (it reveals nothing of the hash)."""
    message = f"{user_id}:{session_version}:{password_hash}".encode("utf-8")
    return hmac.new(f"reset-fingerprint:{secret}".encode("utf-8"), message, hashlib.sha256).hexdigest()[:32]


def make_token(secret: str, user_id: int, fingerprint_: str, now: datetime) -> str:
    """The token for a link issued at ``now``."""
    return _serializer(secret, now).dumps({"u": user_id, "f": fingerprint_})


def read_token(secret: str, token: str, now: datetime, lifetime: timedelta) -> ResetClaim:
    """What ``token`` claims, if it is ours and younger than ``lifetime`` at ``now``.

    Only the signature and age are checked here; whether the password is still the one it
    names is the caller's comparison of fingerprints (:func:`check_current`).

    :raise ResetLinkError: ``expired`` or ``invalid``.
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise invalid()
    try:
        payload, issued_at = _serializer(secret, now).loads(
            token, max_age=int(lifetime.total_seconds()), return_timestamp=True
        )
    except SignatureExpired:
        raise expired(int(lifetime.total_seconds() // 60)) from None
    except (BadData, UnicodeError, ValueError):
        raise invalid() from None
    if not isinstance(payload, dict):
        raise invalid()
    user_id, print_ = payload.get("u"), payload.get("f")
    if type(user_id) is not int or not isinstance(print_, str):
        raise invalid()
    return ResetClaim(user_id, print_, issued_at)


def check_current(claim: ResetClaim, current_fingerprint: str) -> None:
    """:raise ResetLinkError: ``used`` when the password (or the session version) changed since."""
    if not hmac.compare_digest(claim.fingerprint, current_fingerprint):
        raise used()
