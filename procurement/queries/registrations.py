"""Reads of registrations shared by the supplier's and the buyer's pages: labels, the latest check, documents.

``services.registrations`` re-exports the functions for older imports; the page models call them
on registrations whose checks and documents they loaded eagerly, so they cost no statement.
"""
from __future__ import annotations

import sqlalchemy as sa

from procurement.domain import N_
from procurement.domain.qualification import ARTICLE22_DECLARATIONS, CRITERIA, DOCUMENT_KINDS
from procurement.extensions import db
from procurement.models import Company, Project, QualificationCheck, Registration, RegistrationDocument

CRITERION_LABELS = {criterion.key: criterion.label for criterion in CRITERIA}
# Column headings for the buyer's table, where the full labels do not fit.
CRITERION_SHORT_LABELS = {
    "article22": N_("第二十二条"),
    "credit": N_("信用"),
    "no_consortium": N_("非联合体"),
    "lhasa_premises": N_("拉萨场所"),
    "documents": N_("资料"),
    "identifiers": N_("证照号码"),
}
STATUS_LABELS = {"draft": N_("未提交"), "accepted": N_("报名成功"), "rejected": N_("未通过自动审核")}


def labels() -> dict:
    """What the registration templates (supplier and buyer) print checks, documents and statuses with."""
    return {
        "criterion_labels": CRITERION_LABELS,
        "criterion_short_labels": CRITERION_SHORT_LABELS,
        "document_labels": DOCUMENT_KINDS,
        "article22_declarations": ARTICLE22_DECLARATIONS,
        "registration_status_labels": STATUS_LABELS,
    }


def latest_check(registration: Registration, context: str | None = "registration") -> QualificationCheck | None:
    """The most recent check of ``context`` (any context when ``None``)."""
    checks = [c for c in registration.checks if context is None or c.context == context]
    return max(checks, key=lambda c: (c.run_at, c.id)) if checks else None


def document(registration: Registration, kind: str) -> RegistrationDocument | None:
    """The current document of ``kind``."""
    return next((doc for doc in registration.documents if doc.kind == kind), None)


def own_registration(project: Project, company: Company) -> Registration | None:
    """The company's registration for ``project``, if it has one."""
    return db.session.scalar(
        sa.select(Registration).where(Registration.project_id == project.id, Registration.company_id == company.id)
    )


def project_registrations(project: Project) -> list[Registration]:
    """Every registration for ``project`` (buyer staff only), earliest submission first, drafts last."""
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.project_id == project.id)
        .order_by(Registration.created_at, Registration.id)
    ).all()
    return sorted(registrations, key=lambda r: (r.submitted_at is None, r.submitted_at or r.created_at, r.id))
