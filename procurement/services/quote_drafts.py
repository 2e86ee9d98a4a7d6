"""The review step of a quote, kept server-side and encrypted (post/redirect/get).

Why a draft at all: the supplier enters its prices (typed or by XLSX upload), then checks the line
totals and the total in capital numerals before confirming. If that review page were the answer to
a POST, the browser's back button would land on a "Confirm Form Resubmission" page. So entering
stores a *draft* and redirects to a GET review page; confirming seals the draft's prices and
redirects to the receipt.

Why this design (the sealing rule: before the opening no amount is stored in plaintext anywhere
persistent, not in the database, a log or the client-readable session cookie):

- Sealing the draft to the project's public key is useless: the server could not decrypt it for
  the review page before the opening.
- Keeping the prices in Flask's session is out: that session is a signed, not encrypted, cookie.
  An encrypted session value would work, but a sheet of a few hundred lines outgrows a 4 KB cookie.
- So the draft is a row (:class:`~procurement.models.QuoteDraft`) holding the prices encrypted
  (XSalsa20-Poly1305, libsodium ``SecretBox``), padded like a sealed quote so the length does not
  tell how many digits the prices have. The key is derived (keyed BLAKE2b) from two halves: a
  random 32-byte key kept in the user's session cookie, and the app's ``SECRET_KEY``; the
  derivation binds it to the project, the registration, the user and the draft's token. A database
  reader without the cookie learns nothing, nor does a holder of the cookie without the database;
  a row copied to another user or registration does not decrypt.
- The draft lives only as long as the review: it is deleted when the quote is confirmed or
  withdrawn, when the user signs out, and when the deadline passes (on the next visit to the quote
  pages, and for the whole project at the opening). Each save gets a new random token; the confirm
  form carries it, so a page confirms exactly the prices it showed (a second window that entered
  other prices makes the older page ask for a fresh review).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import nacl.exceptions
import nacl.secret
import sqlalchemy as sa
from flask import current_app

from procurement import clock
from procurement.domain.sealing import PAD_BLOCK
from procurement.extensions import db
from procurement.models import QuoteDraft, Registration
from procurement.services.unit_of_work import command

#: The session entry holding this browser session's half of the draft key (base64, no amount).
SESSION_ENTRY = "quote_draft_key"
_PERSON = b"quote-draft-v1"
_FORMAT = 1


@dataclass(frozen=True)
class Draft:
    """A decrypted draft: its token, the version its entry page was made for, the unit prices."""

    token: str
    expected_version: int
    prices: dict[int, Decimal]


def new_session_key() -> str:
    """A fresh random session half of the key, as stored in the session (base64 text)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def _session_key_bytes(session_key: str | None) -> bytes | None:
    if not isinstance(session_key, str):
        return None
    try:
        raw = base64.urlsafe_b64decode(session_key.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    return raw if len(raw) == 32 else None


def _box(session_key: bytes, registration: Registration, user_id: int, token: str) -> nacl.secret.SecretBox:
    server_half = hashlib.sha256(b"quote-draft:" + str(current_app.config["SECRET_KEY"]).encode("utf-8")).digest()
    binding = f"|{registration.project_id}|{registration.id}|{user_id}|{token}".encode("ascii")
    key = hashlib.blake2b(session_key + binding, key=server_half, person=_PERSON[:16], digest_size=32).digest()
    return nacl.secret.SecretBox(key)


def _encode(prices: Mapping[int, Decimal]) -> bytes:
    payload = json.dumps(
        {"format": _FORMAT, "prices": {str(item_id): f"{price:f}" for item_id, price in sorted(prices.items())}},
        separators=(",", ":"),
    ).encode("ascii")
    padding = PAD_BLOCK - len(payload) % PAD_BLOCK
    return payload + b"\x80" + b"\x00" * (padding - 1)


def _decode(padded: bytes) -> dict[int, Decimal]:
    payload = padded.rstrip(b"\x00")
    if not payload.endswith(b"\x80"):
        raise ValueError("bad padding")
    data = json.loads(payload[:-1].decode("ascii"))
    if data.get("format") != _FORMAT:
        raise ValueError("unknown draft format")
    return {int(item_id): Decimal(text) for item_id, text in data["prices"].items()}


def _row(registration_id: int, user_id: int) -> QuoteDraft | None:
    return db.session.scalar(
        sa.select(QuoteDraft).where(QuoteDraft.registration_id == registration_id, QuoteDraft.user_id == user_id)
    )


@command
def save(registration: Registration, user_id: int, prices: Mapping[int, Decimal], expected_version: int, session_key: str) -> str:
    """Store (or replace) this user's draft of ``registration``'s quote (a command); return its token.

    :raise ValueError: ``session_key`` is not a key made by :func:`new_session_key`.
    """
    key = _session_key_bytes(session_key)
    if key is None:
        raise ValueError("invalid session key")
    token = secrets.token_hex(16)
    sealed = bytes(_box(key, registration, user_id, token).encrypt(_encode(prices)))
    row = _row(registration.id, user_id)
    if row is None:
        row = QuoteDraft(registration_id=registration.id, user_id=user_id)
        db.session.add(row)
    row.token, row.expected_version, row.sealed, row.created_at = token, expected_version, sealed, clock.now()
    return token


def load(registration: Registration, user_id: int, session_key: str | None) -> Draft | None:
    """This user's draft of the registration's quote, or ``None`` when there is none or it cannot be
    read here (another browser session's draft, a session that lost its key, a changed SECRET_KEY)."""
    if _session_key_bytes(session_key) is None:
        return None
    row = _row(registration.id, user_id)
    return open_row(row, registration, user_id, session_key) if row is not None else None


def open_row(row: QuoteDraft, registration: Registration, user_id: int, session_key: str | None) -> Draft | None:
    """Decrypt a draft row already read (by the confirmation's one locked read), or ``None`` when
    it cannot be read here (as :func:`load`)."""
    key = _session_key_bytes(session_key)
    if key is None or row.registration_id != registration.id or row.user_id != user_id:
        return None
    try:
        prices = _decode(bytes(_box(key, registration, user_id, row.token).decrypt(bytes(row.sealed))))
    except (nacl.exceptions.CryptoError, ValueError, KeyError, TypeError, InvalidOperation, AttributeError):
        return None
    return Draft(token=row.token, expected_version=row.expected_version, prices=prices)


@command
def discard(registration_id: int) -> None:
    """Delete every draft of a registration's quote (a command; inside another, part of it)."""
    db.session.execute(sa.delete(QuoteDraft).where(QuoteDraft.registration_id == registration_id))


@command
def discard_for_user(user_id: int) -> None:
    """Delete every draft a user holds (at sign-out; a command)."""
    db.session.execute(sa.delete(QuoteDraft).where(QuoteDraft.user_id == user_id))


def discard_for_project(project_id: int) -> None:
    """Delete every draft of a project's quotes (at the opening; part of its command)."""
    registrations = sa.select(Registration.id).where(Registration.project_id == project_id)
    db.session.execute(sa.delete(QuoteDraft).where(QuoteDraft.registration_id.in_(registrations)))


def count(registration_id: int | None = None) -> int:
    """How many drafts exist (of one registration, or in all): for tests and housekeeping."""
    query = sa.select(sa.func.count(QuoteDraft.id))
    if registration_id is not None:
        query = query.where(QuoteDraft.registration_id == registration_id)
    return db.session.scalar(query) or 0


__all__ = [
    "Draft",
    "SESSION_ENTRY",
    "count",
    "discard",
    "discard_for_project",
    "discard_for_user",
    "load",
    "new_session_key",
    "open_row",
    "save",
]
