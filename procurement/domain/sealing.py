"""Sealed quotes (密封报价): encryption at rest until the opening time (design.md §6).

Each project has its own X25519 key pair. A quote is encrypted with the project's public key as soon
as it arrives (libsodium sealed box: an anonymous sender, so the server never needs the private key
to accept quotes). The private key is stored only wrapped by a key-encryption key (KEK) that lives
outside the database, and the wrapping is undone only at or after the opening time.

Wrapped private key format (version 1), 81 bytes::

    offset  size  content
    0       1     format version, 0x01
    1       8     KEK id: BLAKE2b-64 of the KEK (personalised), names which KEK wrapped the key
    9       24    SecretBox nonce (random)
    33      48    SecretBox ciphertext of the 32-byte private key (16-byte Poly1305 tag + 32 bytes)

The KEK id lets a later rotation find the rows still wrapped by an old KEK and tells a wrong KEK
apart from a damaged row without trying to decrypt. It reveals nothing useful about a random
256-bit KEK.

Sealed quote format: ``SealedBox(public_key).encrypt(padded payload)``, where the payload is the
canonical JSON from :func:`encode_quote`, padded ISO/IEC 7816-4 style (0x80 then zero bytes) to a
multiple of :data:`PAD_BLOCK` bytes. Padding keeps the ciphertext length from telling a database
reader how many digits the prices have. The receipt (回执) is the SHA-256 of the sealed bytes.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import nacl.exceptions
import nacl.public
import nacl.secret
import nacl.utils

from . import DomainError, N_

KEK_SIZE = nacl.secret.SecretBox.KEY_SIZE
WRAP_FORMAT_VERSION = 1
KEK_ID_SIZE = 8
PAYLOAD_FORMAT = 1
PAD_BLOCK = 512

_WRAPPED_SIZE = 1 + KEK_ID_SIZE + nacl.secret.SecretBox.NONCE_SIZE + nacl.secret.SecretBox.MACBYTES + 32
_CENT = Decimal("0.01")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00")


class SealedUntilOpening(DomainError):
    """Someone tried to unseal a project's quotes before its opening time."""

    code = "sealed_until_opening"

    def __init__(self) -> None:
        super().__init__(N_("报价在开启时间之前保持密封，无法解密。"))


class SealBroken(DomainError):
    """A sealed quote or wrapped key is tampered with, undecryptable, or does not match its receipt."""

    code = "seal_broken"


@dataclass(frozen=True)
class ProjectKeys:
    """A project's public key (shared freely) and its private key wrapped by the KEK."""

    public_key: bytes
    wrapped_private_key: bytes


@dataclass(frozen=True)
class DecodedQuote:
    """The content of one quote version after opening; ``lines`` are ``(item_id, unit_price)``."""

    project_id: int
    registration_id: int
    version: int
    submitted_at: datetime
    lines: tuple[tuple[int, Decimal], ...]


def generate_kek() -> bytes:
    """Return a fresh random 32-byte key-encryption key."""
    return nacl.utils.random(KEK_SIZE)


def kek_id(kek: bytes) -> bytes:
    """Return the 8-byte id of ``kek`` as written into wrapped keys (see the module docstring)."""
    _check_kek(kek)
    return hashlib.blake2b(kek, digest_size=KEK_ID_SIZE, person=b"procurement-kek").digest()


def wrapped_kek_id(wrapped: bytes) -> bytes:
    """Return the id of the KEK that wrapped ``wrapped``, so a rotation can find old rows.

    :raise SealBroken: the bytes are not a wrapped key in a known format.
    """
    _check_wrapped_format(wrapped)
    return bytes(wrapped[1 : 1 + KEK_ID_SIZE])


def generate_project_keys(kek: bytes) -> ProjectKeys:
    """Create a project's X25519 key pair and return it with the private key wrapped by ``kek``."""
    _check_kek(kek)
    private_key = nacl.public.PrivateKey.generate()
    box = nacl.secret.SecretBox(kek)
    wrapped = bytes([WRAP_FORMAT_VERSION]) + kek_id(kek) + bytes(box.encrypt(bytes(private_key)))
    return ProjectKeys(public_key=bytes(private_key.public_key), wrapped_private_key=wrapped)


def unwrap_private_key(wrapped: bytes, kek: bytes, *, now: datetime, opening_at: datetime) -> bytes:
    """Return the project's private key, but only at or after the opening time.

    :raise SealedUntilOpening: ``now`` is before ``opening_at``.
    :raise SealBroken: ``kek`` is not the key that wrapped it, or the wrapped bytes are damaged.
    :raise ValueError: a naive datetime or a KEK of the wrong size (programming errors).
    """
    _require_aware(now, "now")
    _require_aware(opening_at, "opening_at")
    _check_kek(kek)
    # The clock is checked before the KEK is touched, so an early attempt learns nothing else.
    if now < opening_at:
        raise SealedUntilOpening()
    _check_wrapped_format(wrapped)
    if not hmac.compare_digest(wrapped[1 : 1 + KEK_ID_SIZE], kek_id(kek)):
        raise SealBroken(N_("密钥加密密钥不正确，无法解开项目私钥。"), code="wrong_kek")
    try:
        private_key = nacl.secret.SecretBox(kek).decrypt(bytes(wrapped[1 + KEK_ID_SIZE :]))
    except nacl.exceptions.CryptoError as error:
        raise SealBroken(N_("项目私钥已损坏，无法解开。"), code="wrapped_key_damaged") from error
    return private_key


def encode_quote(
    lines: Sequence[tuple[int, Decimal]],
    *,
    project_id: int,
    registration_id: int,
    version: int,
    submitted_at: datetime,
) -> bytes:
    """Return the canonical JSON payload of one quote version (the bytes that get sealed).

    Keys are sorted, lines are sorted by item id, amounts are strings with two decimal places
    and ``submitted_at`` is UTC with microseconds, so equal quotes always encode to equal bytes.

    :raise TypeError: an amount is not a ``Decimal`` (a float would have lost cents already).
    :raise ValueError: a duplicate item, a negative or non-finite amount, more than two decimal
        places (never rounded silently), or a naive ``submitted_at``.
    """
    for name, value in (("project_id", project_id), ("registration_id", registration_id), ("version", version)):
        _require_int(value, name)
    if version < 1:
        raise ValueError("version starts at 1")
    _require_aware(submitted_at, "submitted_at")
    encoded_lines: list[list[object]] = []
    seen: set[int] = set()
    for item_id, amount in sorted(lines, key=lambda line: _require_int(line[0], "item_id")):
        if item_id in seen:
            raise ValueError(f"item {item_id} is quoted twice")
        seen.add(item_id)
        encoded_lines.append([item_id, _amount_text(amount)])
    document = {
        "format": PAYLOAD_FORMAT,
        "lines": encoded_lines,
        "project_id": project_id,
        "registration_id": registration_id,
        "submitted_at": _timestamp(submitted_at),
        "version": version,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def decode_quote(payload: bytes) -> DecodedQuote:
    """Parse a payload made by :func:`encode_quote`.

    :raise SealBroken: the payload is not a well-formed quote (it was sealed, so that means damage).
    """
    try:
        document = json.loads(payload.decode("utf-8"), parse_float=_refuse_float, parse_constant=_refuse_float)
        if not isinstance(document, dict) or document.get("format") != PAYLOAD_FORMAT:
            raise ValueError("unknown payload format")
        if set(document) != {"format", "lines", "project_id", "registration_id", "submitted_at", "version"}:
            raise ValueError("unexpected keys")
        stamp = document["submitted_at"]
        if not isinstance(stamp, str) or not _TIMESTAMP.fullmatch(stamp):
            raise ValueError("bad timestamp")
        if not isinstance(document["lines"], list):
            raise ValueError("lines must be a list")
        lines = []
        for line in document["lines"]:
            item_id, text = line
            _require_int(item_id, "item_id")
            if not isinstance(text, str) or not re.fullmatch(r"\d+\.\d{2}", text):
                raise ValueError("bad amount")
            lines.append((item_id, Decimal(text)))
        return DecodedQuote(
            project_id=_require_int(document["project_id"], "project_id"),
            registration_id=_require_int(document["registration_id"], "registration_id"),
            version=_require_int(document["version"], "version"),
            submitted_at=datetime.fromisoformat(stamp),
            lines=tuple(lines),
        )
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as error:
        raise SealBroken(N_("报价内容格式无效。"), code="payload_malformed") from error


def seal(public_key: bytes, payload: bytes) -> bytes:
    """Encrypt ``payload`` (padded, see the module docstring) to the project's public key."""
    padding_length = PAD_BLOCK - len(payload) % PAD_BLOCK
    padded = payload + b"\x80" + b"\x00" * (padding_length - 1)
    return bytes(nacl.public.SealedBox(nacl.public.PublicKey(public_key)).encrypt(padded))


def receipt_hash(sealed: bytes) -> str:
    """Return the receipt (回执) for a sealed quote: the SHA-256 of its bytes, lowercase hex."""
    return hashlib.sha256(sealed).hexdigest()


def open_sealed(private_key: bytes, sealed: bytes, *, expected_hash: str) -> bytes:
    """Check ``sealed`` against its receipt, decrypt it and return the payload.

    The receipt is checked first: it is what the supplier holds, so a mismatch must be reported
    as such even when the bytes would still decrypt.

    :raise SealBroken: the hash differs from the receipt, or the bytes do not decrypt.
    """
    if not hmac.compare_digest(receipt_hash(sealed), expected_hash.strip().lower()):
        raise SealBroken(N_("密封报价与回执哈希不一致，报价可能已被篡改。"), code="receipt_mismatch")
    try:
        padded = nacl.public.SealedBox(nacl.public.PrivateKey(private_key)).decrypt(sealed)
    except nacl.exceptions.CryptoError as error:
        raise SealBroken(N_("密封报价已损坏，无法解密。"), code="undecryptable") from error
    payload, marker, zeros = bytes(padded).rpartition(b"\x80")
    if not marker or zeros.strip(b"\x00"):
        raise SealBroken(N_("密封报价已损坏，无法解密。"), code="undecryptable")
    return payload


def _check_kek(kek: bytes) -> None:
    if not isinstance(kek, bytes | bytearray) or len(kek) != KEK_SIZE:
        raise ValueError(f"a KEK is {KEK_SIZE} bytes")


def _check_wrapped_format(wrapped: bytes) -> None:
    if len(wrapped) != _WRAPPED_SIZE or wrapped[0] != WRAP_FORMAT_VERSION:
        raise SealBroken(N_("项目私钥已损坏，无法解开。"), code="wrapped_key_damaged")


def _require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _require_int(value: object, name: str) -> int:
    # bool is an int subclass; True as an id is always a bug.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int")
    return value


def _amount_text(amount: Decimal) -> str:
    if not isinstance(amount, Decimal):
        raise TypeError("amounts must be Decimal, never float")
    if not amount.is_finite() or amount < 0:
        raise ValueError("an amount must be a finite, non-negative Decimal")
    cents = amount.quantize(_CENT)
    if cents != amount:
        raise ValueError("an amount has at most two decimal places")
    # copy_abs turns Decimal("-0") into "0.00" so a zero always encodes the same way.
    return f"{cents.copy_abs():f}"


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _refuse_float(text: str) -> object:
    raise ValueError(f"float {text!r} in a quote payload")
