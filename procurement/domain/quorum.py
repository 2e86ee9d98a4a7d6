"""Quorum opening (多人共同开标): no single holder can unseal a project's quotes (design.md §6).

Two kinds of key are involved.

**An official's personal opening key (个人开标密钥).** An X25519 key pair per official. Its private
half is stored only inside a libsodium SecretBox whose 32-byte key is derived from the official's
opening passphrase with scrypt (``hashlib.scrypt``); the salt and the scrypt parameters are stored
beside it, the passphrase nowhere. Changing the passphrase re-encrypts the same private key, so
shares already sealed to the official stay usable; a forgotten passphrase cannot be recovered.

**A quorum project's key.** At publication the project's X25519 private key is encrypted under a
fresh random 256-bit wrapping key, and that wrapping key is split k-of-n with PyCryptodome's
``Crypto.Protocol.SecretSharing.Shamir`` (which shares 16-byte secrets: the two halves are split
separately, with the same indices 1..n, so official *i* holds both halves' share *i*). Each share
is sealed to one official's public key (libsodium sealed box). The wrapping key and the plain
private key are dropped; no KEK is involved.

Formats. A sealed share's plaintext is ``b"QSHARE1" || project id (8 bytes, big-endian) || index
(1 byte) || share (32 bytes: first half's share, second half's)``, so a share moved to another
project or index is refused. Its digest (:func:`share_digest`) is stored beside it, so a share
that decrypts but was damaged is named before it spoils a reconstruction. The quorum-wrapped
private key is ``0x02 || SecretBox(wrapping key).encrypt(private key)`` (1 + 24 + 16 + 32 bytes).

A share waiting for the others (its official has entered the passphrase, the threshold is not
reached) is *relayed*: sealed again, in the same format, to each official who has not yet acted,
so only one of their passphrases can read it (:func:`seal_share_to`).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import nacl.exceptions
import nacl.public
import nacl.secret
from Crypto.Protocol.SecretSharing import Shamir

from . import DomainError, N_
from .sealing import SealBroken, SealedUntilOpening

MIN_THRESHOLD = 2
MAX_OFFICIALS = 9
DEFAULT_THRESHOLD = 2
DEFAULT_OFFICIALS = 3
SHARE_SIZE = 32
SALT_SIZE = 16
KDF_SCRYPT = "scrypt"
QUORUM_WRAP_VERSION = 2

_HALF = 16
_SHARE_MAGIC = b"QSHARE1"
_SHARE_PLAIN = len(_SHARE_MAGIC) + 8 + 1 + SHARE_SIZE
_QUORUM_WRAPPED_SIZE = 1 + nacl.secret.SecretBox.NONCE_SIZE + nacl.secret.SecretBox.MACBYTES + 32
# Bounds on stored scrypt parameters: a damaged row must not make the server allocate gigabytes.
_MAX_N = 1 << 20
_MAX_R = 32
_MAX_P = 16


class WrongPassphrase(DomainError):
    """The opening passphrase does not unlock the official's opening key."""

    code = "wrong_passphrase"

    def __init__(self) -> None:
        super().__init__(N_("开标口令不正确。"))


class NotEnoughShares(DomainError):
    """Fewer shares than the threshold: the project's key cannot be rebuilt."""

    code = "not_enough_shares"

    def __init__(self, have: int, need: int) -> None:
        super().__init__(N_("已提交 %(have)s 份开标份额，还需 %(more)s 份才能开启。"), have=have, more=need - have)


class QuorumInvalid(DomainError):
    """The quorum's numbers break the rules (k ≥ 2, k ≤ n, n ≤ MAX_OFFICIALS)."""

    code = "quorum_invalid"


@dataclass(frozen=True)
class KdfParams:
    """scrypt parameters and the salt, stored beside the wrapped opening key."""

    n: int
    r: int
    p: int
    salt: bytes
    kdf: str = KDF_SCRYPT

    @classmethod
    def fresh(cls, n: int, r: int, p: int) -> "KdfParams":
        """Parameters with a new random salt."""
        params = cls(n=n, r=r, p=p, salt=secrets.token_bytes(SALT_SIZE))
        params.check()
        return params

    def check(self) -> None:
        """:raise ValueError: an unknown KDF, or parameters out of bounds (a damaged or hostile row)."""
        if self.kdf != KDF_SCRYPT:
            raise ValueError(f"unknown KDF {self.kdf!r}")
        if not (2 <= self.n <= _MAX_N and self.n & (self.n - 1) == 0 and 1 <= self.r <= _MAX_R and 1 <= self.p <= _MAX_P):
            raise ValueError("scrypt parameters out of bounds")
        if len(self.salt) != SALT_SIZE:
            raise ValueError("bad salt")


@dataclass(frozen=True)
class OfficialKey:
    """An official's opening key as stored: the public key, the wrapped private key, the KDF parameters."""

    public_key: bytes
    wrapped_private_key: bytes
    params: KdfParams


@dataclass(frozen=True)
class Share:
    """One official's share of a project's wrapping key (plaintext: only ever in one request's memory)."""

    project_id: int
    index: int
    value: bytes


@dataclass(frozen=True)
class SealedShare:
    """A share sealed to one official's public key, with the digest that names a damaged one."""

    index: int
    sealed: bytes
    digest: str


@dataclass(frozen=True)
class QuorumKeys:
    """What publication stores for a quorum project: the public key, the quorum-wrapped private key, the sealed shares."""

    public_key: bytes
    wrapped_private_key: bytes
    shares: tuple[SealedShare, ...]


def normalise_passphrase(passphrase: str) -> bytes:
    """The bytes the KDF reads: NFC (so the same characters typed on two devices agree), UTF-8."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_key(passphrase: str, params: KdfParams) -> bytes:
    """The 32-byte SecretBox key scrypt derives from ``passphrase`` with ``params``."""
    params.check()
    memory = 128 * params.r * (params.n + params.p + 2) + (1 << 20)
    return hashlib.scrypt(
        normalise_passphrase(passphrase), salt=params.salt, n=params.n, r=params.r, p=params.p,
        maxmem=memory, dklen=nacl.secret.SecretBox.KEY_SIZE,
    )


def make_official_key(passphrase: str, params: KdfParams) -> OfficialKey:
    """A new opening key pair whose private half only ``passphrase`` unlocks."""
    private_key = nacl.public.PrivateKey.generate()
    return _wrap_official(bytes(private_key), bytes(private_key.public_key), passphrase, params)


def unlock_official_key(key: OfficialKey, passphrase: str) -> bytes:
    """The official's private key.

    :raise WrongPassphrase: the passphrase does not open it (or the row is damaged: the two are
        indistinguishable by design; the MAC fails either way).
    """
    box = nacl.secret.SecretBox(derive_key(passphrase, key.params))
    try:
        private_key = box.decrypt(key.wrapped_private_key)
    except nacl.exceptions.CryptoError:
        raise WrongPassphrase() from None
    if bytes(nacl.public.PrivateKey(private_key).public_key) != key.public_key:
        raise WrongPassphrase()
    return private_key


def rewrap_official_key(key: OfficialKey, old_passphrase: str, new_passphrase: str, params: KdfParams) -> OfficialKey:
    """The same key pair under a new passphrase (and fresh salt and parameters).

    :raise WrongPassphrase: ``old_passphrase`` does not unlock ``key``.
    """
    private_key = unlock_official_key(key, old_passphrase)
    return _wrap_official(private_key, key.public_key, new_passphrase, params)


def _wrap_official(private_key: bytes, public_key: bytes, passphrase: str, params: KdfParams) -> OfficialKey:
    box = nacl.secret.SecretBox(derive_key(passphrase, params))
    return OfficialKey(public_key=public_key, wrapped_private_key=bytes(box.encrypt(private_key)), params=params)


def check_quorum(threshold: int, officials: int) -> None:
    """:raise QuorumInvalid: unless 2 ≤ k ≤ n ≤ :data:`MAX_OFFICIALS`."""
    if officials > MAX_OFFICIALS:
        raise QuorumInvalid(N_("开标人最多 %(max)s 人。"), max=MAX_OFFICIALS)
    if threshold < MIN_THRESHOLD:
        raise QuorumInvalid(N_("开启所需人数至少为 %(min)s 人：一人即可开启就不是共同开标。"), min=MIN_THRESHOLD)
    if threshold > officials:
        raise QuorumInvalid(
            N_("开启所需人数（%(k)s）不能多于开标人人数（%(n)s）。"), k=threshold, n=officials
        )


def seal_quorum(project_id: int, recipients: Sequence[bytes], threshold: int) -> QuorumKeys:
    """A project key pair whose private key only ``threshold`` of the ``recipients`` can rebuild.

    ``recipients`` are the officials' public keys in order: official *i* (from 1) gets share *i*.
    The plain private key and the wrapping key exist only inside this call.

    :raise QuorumInvalid: the numbers break :func:`check_quorum`.
    """
    check_quorum(threshold, len(recipients))
    private_key = nacl.public.PrivateKey.generate()
    wrapping_key = secrets.token_bytes(nacl.secret.SecretBox.KEY_SIZE)
    wrapped = bytes([QUORUM_WRAP_VERSION]) + bytes(nacl.secret.SecretBox(wrapping_key).encrypt(bytes(private_key)))
    first = Shamir.split(threshold, len(recipients), wrapping_key[:_HALF])
    second = Shamir.split(threshold, len(recipients), wrapping_key[_HALF:])
    shares = []
    for (index, low), (same_index, high), public_key in zip(first, second, recipients):
        if index != same_index:  # PyCryptodome numbers the shares 1..n in order; never mix two numberings
            raise RuntimeError("Shamir shares of the two halves are numbered differently")
        share = Share(project_id=project_id, index=index, value=low + high)
        shares.append(SealedShare(index=index, sealed=seal_share_to(share, public_key), digest=share_digest(share)))
    return QuorumKeys(public_key=bytes(private_key.public_key), wrapped_private_key=wrapped, shares=tuple(shares))


def share_digest(share: Share) -> str:
    """SHA-256 over the share and where it belongs, hex: names a damaged share, reveals nothing of it."""
    return hashlib.sha256(b"procurement-quorum-share\x00" + _share_plaintext(share)).hexdigest()


def seal_share_to(share: Share, public_key: bytes) -> bytes:
    """``share`` sealed to one official's public key (publication, or relaying a waiting share)."""
    return bytes(nacl.public.SealedBox(nacl.public.PublicKey(public_key)).encrypt(_share_plaintext(share)))


def open_share(private_key: bytes, sealed: bytes, *, project_id: int, index: int, digest: str | None = None) -> Share:
    """The share inside ``sealed`` (sealed to the official whose ``private_key`` this is).

    :raise SealBroken: it does not decrypt with this key, belongs to another project or index, or
        does not match ``digest``.
    """
    try:
        plain = bytes(nacl.public.SealedBox(nacl.public.PrivateKey(private_key)).decrypt(sealed))
    except nacl.exceptions.CryptoError as error:
        raise SealBroken(N_("开标份额无法用该开标人的密钥解开。"), code="share_undecryptable") from error
    if len(plain) != _SHARE_PLAIN or not plain.startswith(_SHARE_MAGIC):
        raise SealBroken(N_("开标份额已损坏。"), code="share_damaged")
    offset = len(_SHARE_MAGIC)
    share = Share(
        project_id=int.from_bytes(plain[offset : offset + 8], "big"),
        index=plain[offset + 8],
        value=plain[offset + 9 :],
    )
    if (share.project_id, share.index) != (project_id, index):
        raise SealBroken(N_("开标份额不属于本项目的这一位开标人。"), code="share_misplaced")
    if digest is not None and not hmac.compare_digest(share_digest(share), digest):
        raise SealBroken(N_("开标份额已损坏。"), code="share_damaged")
    return share


def reconstruct_private_key(
    wrapped: bytes, shares: Sequence[Share], threshold: int, *, now: datetime, opening_at: datetime
) -> bytes:
    """The project's private key from at least ``threshold`` distinct shares, at or after the opening time.

    :raise SealedUntilOpening: before ``opening_at`` (checked first).
    :raise NotEnoughShares: fewer than ``threshold`` distinct shares.
    :raise SealBroken: the shares do not rebuild the key that wrapped it, or ``wrapped`` is damaged.
    """
    if now < opening_at:
        raise SealedUntilOpening()
    distinct = {share.index: share for share in shares}
    if len(distinct) < threshold:
        raise NotEnoughShares(len(distinct), threshold)
    chosen = [distinct[index] for index in sorted(distinct)[:threshold]]
    low = Shamir.combine([(share.index, share.value[:_HALF]) for share in chosen])
    high = Shamir.combine([(share.index, share.value[_HALF:]) for share in chosen])
    if len(wrapped) != _QUORUM_WRAPPED_SIZE or wrapped[0] != QUORUM_WRAP_VERSION:
        raise SealBroken(N_("项目私钥已损坏，无法解开。"), code="wrapped_key_damaged")
    try:
        return bytes(nacl.secret.SecretBox(low + high).decrypt(bytes(wrapped[1:])))
    except nacl.exceptions.CryptoError as error:
        raise SealBroken(N_("开标份额无法还原项目私钥。"), code="shares_do_not_combine") from error


def _share_plaintext(share: Share) -> bytes:
    if len(share.value) != SHARE_SIZE or not 1 <= share.index <= 255:
        raise ValueError("a share is 32 bytes with an index 1..255")
    return _SHARE_MAGIC + share.project_id.to_bytes(8, "big") + bytes([share.index]) + share.value
