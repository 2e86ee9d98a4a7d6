"""The panel, its votes, abnormal-low reviews and the evaluation's outcome (评审)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procurement.db_types import Money
from procurement.extensions import db
from procurement.models._base import created_at_column, fk, utc


class PanelMember(db.Model):
    """A member appointed to one project's panel (询比价小组), with declaration and signature."""

    __tablename__ = "panel_member"
    __table_args__ = (sa.UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id")
    user_id: Mapped[int] = fk("user.id")
    is_chair: Mapped[bool] = mapped_column(default=False)
    appointed_at: Mapped[datetime] = created_at_column()
    # None until declared; True = declared a conflict of interest (recused).
    conflict_declared: Mapped[bool | None] = mapped_column(sa.Boolean)
    declaration_note: Mapped[str | None] = mapped_column(sa.Text)
    declared_at: Mapped[datetime | None] = utc()
    removed_at: Mapped[datetime | None] = utc()
    votes_submitted_at: Mapped[datetime | None] = utc()
    report_confirmed_at: Mapped[datetime | None] = utc()
    report_dissent: Mapped[str | None] = mapped_column(sa.Text)

    user: Mapped["User"] = relationship()  # noqa: F821
    project: Mapped["Project"] = relationship()  # noqa: F821


class Vote(db.Model):
    """One member's verdict on one criterion for one supplier; a fail carries a reason."""

    __tablename__ = "vote"
    __table_args__ = (
        sa.UniqueConstraint("panel_member_id", "registration_id", "criterion"),
        sa.CheckConstraint("verdict IN ('pass', 'fail')", name="verdict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_member_id: Mapped[int] = fk("panel_member.id")
    registration_id: Mapped[int] = fk("registration.id")
    criterion: Mapped[str] = mapped_column(sa.String(32))
    verdict: Mapped[str] = mapped_column(sa.String(8))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    updated_at: Mapped[datetime] = created_at_column()


class AbnormalLowReview(db.Model):
    """An abnormally low quote (异常低价): the request, the supplier's explanation, the decision."""

    __tablename__ = "abnormal_low_review"
    __table_args__ = (sa.UniqueConstraint("registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id")
    registration_id: Mapped[int] = fk("registration.id")
    reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    requested_at: Mapped[datetime | None] = utc()
    due_at: Mapped[datetime | None] = utc()
    explanation_text: Mapped[str | None] = mapped_column(sa.Text)
    explanation_file_id: Mapped[int | None] = fk("stored_file.id", nullable=True)
    explained_at: Mapped[datetime | None] = utc()
    decision: Mapped[str | None] = mapped_column(sa.String(8))  # accept | reject
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None] = utc()
    decided_by_id: Mapped[int | None] = fk("user.id", nullable=True)

    registration: Mapped["Registration"] = relationship()  # noqa: F821


class Evaluation(db.Model):
    """The project's evaluation outcome: ranking, tie draws, failure, report."""

    __tablename__ = "evaluation"
    __table_args__ = (sa.UniqueConstraint("project_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id")
    started_at: Mapped[datetime] = created_at_column()
    ranked_at: Mapped[datetime | None] = utc()
    failed: Mapped[bool] = mapped_column(default=False)
    failure_reason: Mapped[str | None] = mapped_column(sa.Text)
    # [{"seed", "inputs", "order"}]: anyone can replay the draw.
    tie_draws: Mapped[list] = mapped_column(sa.JSON, default=list)
    report_document_id: Mapped[int | None] = fk("generated_document.id", nullable=True)
    completed_at: Mapped[datetime | None] = utc()


class EvaluationResult(db.Model):
    """One supplier's outcome: passed or not (with reasons), rank, candidate place."""

    __tablename__ = "evaluation_result"
    __table_args__ = (sa.UniqueConstraint("project_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = fk("project.id")
    registration_id: Mapped[int] = fk("registration.id")
    passed: Mapped[bool]
    failure_reasons: Mapped[list] = mapped_column(sa.JSON, default=list)
    total: Mapped[Decimal | None] = mapped_column(Money())
    rank: Mapped[int | None]
    tied: Mapped[bool] = mapped_column(default=False)
    candidate_place: Mapped[int | None]

    registration: Mapped["Registration"] = relationship()  # noqa: F821
