"""Quorum opening (多人共同开标): officials' opening keys, a project's officials and their shares.

See ``procurement.domain.quorum`` for the formats. No row here holds a passphrase, a plain
share or a plain key: an opening key's private half is sealed under its official's passphrase,
a share under an official's public key.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.extensions import db
from procurement.models._base import created_at_column, fk, utc

MODE_SERVER = "server"
MODE_QUORUM = "quorum"
OPENING_MODES = (MODE_SERVER, MODE_QUORUM)


class OpeningKey(db.Model):
    """An official's personal opening key (个人开标密钥): one per account, set up once."""

    __tablename__ = "opening_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), unique=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # SecretBox(scrypt(passphrase, salt, n, r, p)).encrypt(private key): nonce, tag, ciphertext.
    wrapped_private_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    kdf: Mapped[str] = mapped_column(sa.String(16))
    kdf_n: Mapped[int]
    kdf_r: Mapped[int]
    kdf_p: Mapped[int]
    salt: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()

    user: Mapped["User"] = relationship()  # noqa: F821


class OpeningOfficial(db.Model):
    """One of a quorum project's named opening officials (开标人) and, once published, its sealed share.

    ``position`` is the official's share index (1..n). ``public_key`` is the opening key its share
    was sealed to at publication (an official who later replaces a forgotten key cannot use it).
    ``supplied_at`` records when the official entered the passphrase at the opening; the sealed
    share and its digest are erased once the quotes are opened.
    """

    __tablename__ = "opening_official"
    __table_args__ = (
        sa.UniqueConstraint("project_id", "user_id"),
        sa.UniqueConstraint("project_id", "position"),
        sa.CheckConstraint("position >= 1", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id", ondelete="CASCADE")
    user_id: Mapped[int] = fk("user.id")
    position: Mapped[int]
    public_key: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    sealed_share: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    share_digest: Mapped[str | None] = mapped_column(sa.String(64))
    supplied_at: Mapped[datetime | None] = utc()

    user: Mapped["User"] = relationship()  # noqa: F821


class RelayedShare(db.Model):
    """A supplied share waiting for the others, sealed to one official who has not acted yet.

    Only that official's passphrase reads it; when the threshold is reached, or the project is
    opened, every relayed share of the project is deleted.
    """

    __tablename__ = "relayed_share"
    __table_args__ = (sa.UniqueConstraint("official_id", "share_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id", ondelete="CASCADE")
    official_id: Mapped[int] = fk("opening_official.id", ondelete="CASCADE")
    share_index: Mapped[int]
    sealed: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = created_at_column()
