"""Notifications as read: the unread count in the navigation, a person's message list and one
message, the e-mail switches of the settings page, and who is told of a project's events.

Every function here answers in a fixed number of statements, whatever the number of messages,
people or registrants.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from procurement.domain.notifications import Kind, kinds_for
from procurement.extensions import db
from procurement.models import (
    CHANNEL_EMAIL,
    ROLE_BUYER,
    ROLE_SUPPLIER,
    Notification,
    NotificationPreference,
    OpenedQuote,
    PanelMember,
    Registration,
    User,
)

PAGE_SIZE = 30


def unread_count(user_id: int) -> int:
    """How many of the person's notifications are unread: one index-only count."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ) or 0


@dataclass(frozen=True)
class MessageList:
    """One page of a person's notifications, newest first."""

    rows: list[Notification]
    unread: int
    page: int
    pages: int


def message_list(user_id: int, page: int = 1) -> MessageList:
    """The page of ``user_id``'s notifications (two statements: the counts, the rows)."""
    total, unread = db.session.execute(
        sa.select(
            sa.func.count(Notification.id),
            sa.func.count(Notification.id).filter(Notification.read_at.is_(None)),
        ).where(Notification.user_id == user_id)
    ).one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return MessageList(rows, unread, page, pages)


def own_notification(user_id: int, notification_id: int) -> Notification | None:
    """The notification if it is the person's, else ``None`` (someone else's is not found)."""
    return db.session.scalar(
        sa.select(Notification).where(Notification.id == notification_id, Notification.user_id == user_id)
    )


@dataclass(frozen=True)
class Switch:
    """One line of the settings page: a kind and whether its e-mail is on."""

    kind: Kind
    email: bool


def switches(user: User) -> list[Switch]:
    """Every kind the person can receive, with its e-mail switch (on unless switched off)."""
    off = set(
        db.session.scalars(
            sa.select(NotificationPreference.kind).where(
                NotificationPreference.user_id == user.id,
                NotificationPreference.channel == CHANNEL_EMAIL,
                NotificationPreference.enabled.is_(False),
            )
        )
    )
    return [Switch(kind, kind.code not in off) for kind in kinds_for(user.role)]


def email_switched_off(pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Of (user id, kind) pairs, those whose e-mail the person switched off (one statement)."""
    pairs = set(pairs)
    if not pairs:
        return set()
    user_ids = {user_id for user_id, _ in pairs}
    kinds = {kind for _, kind in pairs}
    rows = db.session.execute(
        sa.select(NotificationPreference.user_id, NotificationPreference.kind).where(
            NotificationPreference.user_id.in_(user_ids),
            NotificationPreference.kind.in_(kinds),
            NotificationPreference.channel == CHANNEL_EMAIL,
            NotificationPreference.enabled.is_(False),
        )
    ).tuples()
    return set(rows) & pairs


def person_key(occasion: str, user_id: int) -> str:
    """A notification's own key: its occasion's key and the person told."""
    return f"{occasion}:u{user_id}"


def not_told(occasion, user_id) -> sa.ColumnElement[bool]:
    """In SQL: no notification has the key :func:`person_key` gives for ``occasion`` (a text
    expression) and ``user_id`` (a column); one lookup of the key's unique index a row."""
    key = occasion + sa.literal(":u") + sa.cast(user_id, sa.String)
    return ~sa.exists().where(Notification.key == key)


def existing_keys(keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` already name a notification (one statement)."""
    keys = list(set(keys))
    if not keys:
        return set()
    return set(db.session.scalars(sa.select(Notification.key).where(Notification.key.in_(keys))))


# --- who is told ------------------------------------------------------------------------------


def _active(query):
    return query.where(User.active.is_(True))


def company_users(company_ids: Iterable[int]) -> list[tuple[int, User]]:
    """(company id, user) of every active supplier account of the companies (one statement)."""
    ids = list(set(company_ids))
    if not ids:
        return []
    rows = db.session.execute(
        _active(sa.select(User.company_id, User).where(User.company_id.in_(ids), User.role == ROLE_SUPPLIER)).order_by(User.id)
    ).tuples()
    return list(rows)


def registrant_users(project_id: int, *, opened_only: bool = False) -> list[tuple[Registration, User]]:
    """(registration, user) of every registrant of the project, each active account of its company.

    ``opened_only``: only the participants, whose quotes were opened. One statement.
    """
    query = (
        sa.select(Registration, User)
        .join(User, User.company_id == Registration.company_id)
        .where(Registration.project_id == project_id, User.role == ROLE_SUPPLIER)
    )
    if opened_only:
        query = query.join(OpenedQuote, OpenedQuote.registration_id == Registration.id)
    return list(db.session.execute(_active(query).order_by(Registration.id, User.id)).tuples())


def buyer_staff() -> list[User]:
    """Every active buyer staff account (the buyer is one office: each may act on any project)."""
    return list(db.session.scalars(_active(sa.select(User).where(User.role == ROLE_BUYER)).order_by(User.id)))


def panel_users(project_id: int, *, active_only: bool = True) -> list[tuple[PanelMember, User]]:
    """(seat, user) of the project's current panel; ``active_only``: those who declared no conflict."""
    query = (
        sa.select(PanelMember, User)
        .join(User, User.id == PanelMember.user_id)
        .where(PanelMember.project_id == project_id, PanelMember.removed_at.is_(None))
    )
    if active_only:
        query = query.where(PanelMember.conflict_declared.is_(False))
    return list(db.session.execute(_active(query).order_by(PanelMember.id)).tuples())
