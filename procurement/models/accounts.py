"""Accounts and supplier companies (用户与供应商)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.extensions import db
from procurement.models._base import ROLES, created_at_column, fk, utc


class User(UserMixin, db.Model):
    """A person who signs in: buyer staff, a panel member or a supplier's clerk."""

    __tablename__ = "user"
    __table_args__ = (sa.CheckConstraint(f"role IN {tuple(ROLES)!r}", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(16), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    active: Mapped[bool] = mapped_column(default=True)
    company_id: Mapped[int | None] = fk("company.id", nullable=True)
    created_at: Mapped[datetime] = created_at_column()
    last_login_at: Mapped[datetime | None] = utc()
    # Bumped on password change so other sessions of this user are signed out.
    session_version: Mapped[int] = mapped_column(default=1)
    # The interface language the user chose (procurement.i18n: zh_Hans_CN or en); none: the browser's.
    locale: Mapped[str | None] = mapped_column(sa.String(16))

    company: Mapped["Company | None"] = relationship(back_populates="users")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        """Flask-Login session id: the user id and the session version."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role} {self.email}>"


class Company(db.Model):
    """A supplier company's profile (供应商信息), kept by the supplier."""

    __tablename__ = "company"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # Unique where present; a company that has just signed up may not have entered it yet.
    uscc: Mapped[str | None] = mapped_column(sa.String(18), unique=True)
    registered_address: Mapped[str | None] = mapped_column(sa.String(300))
    premises_division: Mapped[str | None] = mapped_column(sa.String(6))
    premises_address: Mapped[str | None] = mapped_column(sa.String(300))
    # Where the premises are when not in Lhasa (premises_division "000000"), e.g. 日喀则市桑珠孜区.
    premises_place: Mapped[str | None] = mapped_column(sa.String(100))
    legal_rep_name: Mapped[str | None] = mapped_column(sa.String(100))
    legal_rep_id_number: Mapped[str | None] = mapped_column(sa.String(18))
    contact_name: Mapped[str | None] = mapped_column(sa.String(100))
    contact_mobile: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime | None] = utc()

    users: Mapped[list[User]] = relationship(back_populates="company")

    @property
    def profile_complete(self) -> bool:
        """Whether every field a registration needs has been filled in."""
        return all(
            (
                self.uscc,
                self.registered_address,
                self.premises_division,
                self.premises_address,
                self.legal_rep_name,
                self.legal_rep_id_number,
                self.contact_name,
                self.contact_mobile,
            )
        )
