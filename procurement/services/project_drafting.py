"""Drafting a project: create a draft, edit it, replace its bill of quantities (buyer staff only)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from procurement import audit, clock
from procurement.domain import N_
from procurement.domain import lifecycle
from procurement.extensions import db
from procurement.models import BoqItem, Project
from procurement.services import ServiceError
from procurement.services.unit_of_work import command

# Project fields a buyer edits in the form, in the order the notice prints them.
NOTICE_FIELDS = (
    "code",
    "title",
    "buyer_name",
    "method",
    "contract_term",
    "requirements_text",
    "specific_requirement",
    "criteria",
    "registration_place",
    "registration_documents_text",
    "opening_place",
    "opening_at",
    "contact_name",
    "contact_phone",
)
SETTING_FIELDS = (
    "registration_working_days",
    "registration_hours",
    "notice_working_days",
    "candidates",
    "min_valid_quotes",
    "tie_rule",
    "abnormal_average_ratio",
    "abnormal_second_ratio",
    "abnormal_ceiling_ratio",
    "publicity_working_days",
    "challenge_working_days",
    "answer_working_days",
    "confirmation_working_days",
    "contract_days",
    "framework_award",
)


@dataclass(frozen=True)
class ItemData:
    """One bill-of-quantities line as entered."""

    name: str
    specification: str
    unit: str
    quantity: Decimal
    ceiling_unit_price: Decimal | None


def _check_code_unique(code: str, project_id: int | None) -> None:
    existing = db.session.scalar(sa.select(Project.id).where(Project.code == code))
    if existing is not None and existing != project_id:
        # ``code`` is the error's own key, so the project code travels as ``project_code``.
        raise ServiceError(N_("项目编号 %(project_code)s 已被使用。"), "duplicate_code", field="code", project_code=code)


def _apply(project: Project, data: dict, items: list[ItemData] | None) -> None:
    for name in NOTICE_FIELDS + SETTING_FIELDS:
        if name in data:
            setattr(project, name, data[name])
    if items is not None:
        project.items.clear()
        db.session.flush()
        for position, item in enumerate(items, start=1):
            project.items.append(
                BoqItem(
                    position=position,
                    name=item.name,
                    specification=item.specification,
                    unit=item.unit,
                    quantity=item.quantity,
                    ceiling_unit_price=item.ceiling_unit_price,
                )
            )


@command
def create_project(data: dict, items: list[ItemData], actor) -> Project:
    """Create a draft project (visible to buyer staff only)."""
    _check_code_unique(data["code"], None)
    now = clock.now()
    project = Project(status=lifecycle.DRAFT, created_by_id=actor.id, created_at=now, updated_at=now)
    _apply(project, data, items)
    db.session.add(project)
    db.session.flush()
    audit.record("project.create", project, details={"code": project.code, "title": project.title}, actor=actor)
    return project


def _require_draft(project: Project, message: str) -> None:
    if project.status != lifecycle.DRAFT:
        raise ServiceError(message, "not_draft")


@command
def update_draft(project: Project, data: dict, items: list[ItemData], actor) -> None:
    """Edit a draft; a published project changes only by amendment."""
    _require_draft(project, N_("已发布的项目只能通过更正公告修改。"))
    _check_code_unique(data["code"], project.id)
    _apply(project, data, items)
    project.updated_at = clock.now()
    audit.record("project.update", project, details={"code": project.code}, actor=actor)


@command
def replace_items(project: Project, items: list[ItemData], actor) -> None:
    """Replace a draft's bill of quantities (an import)."""
    _require_draft(project, N_("已发布的项目不能修改采购清单。"))
    _apply(project, {}, items)
    project.updated_at = clock.now()
    audit.record("project.boq_import", project, details={"lines": len(items)}, actor=actor)
