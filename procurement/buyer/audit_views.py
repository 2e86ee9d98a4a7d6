"""Buyer staff: read the audit trail (per project, or all of it) and its hash chains' status."""
from __future__ import annotations

import json

import sqlalchemy as sa
from flask import render_template, request

from procurement import audit
from procurement.auth.permissions import roles_required
from procurement.buyer.audit_labels import ACTION_LABELS, actor_label, audit_label_context, object_label  # noqa: F401  (re-exported)
from procurement.buyer.loaders import get_project
from procurement.buyer.views import bp
from procurement.extensions import db
from procurement.forms_common import parse_id
from procurement.models import AuditEvent, Project

PAGE_SIZE = 100


def _page() -> int:
    # A page number past the last page simply shows nothing; an absurd one is page 1.
    return min(parse_id(request.args.get("page", "1")) or 1, 10**6)


def _events(project: Project | None, page: int) -> tuple[list[AuditEvent], int]:
    query = sa.select(AuditEvent)
    count = sa.select(sa.func.count(AuditEvent.id))
    if project is not None:
        query = query.where(AuditEvent.project_id == project.id)
        count = count.where(AuditEvent.project_id == project.id)
    total = db.session.scalar(count) or 0
    rows = db.session.scalars(query.order_by(AuditEvent.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return list(rows), total


def chain_status(project: Project | None) -> dict:
    """The project's chain (or every chain) verified now: ``ok``, the events, and each chain's first fault."""
    statuses = audit.verify(None if project is None else [audit.chain_key(project.id)])
    faults = [status.broken for status in statuses if status.broken is not None]
    return {
        "ok": not faults,
        "count": sum(status.count for status in statuses),
        "chains": len(statuses),
        "faults": faults,
        "broken_ids": {fault.event_id for fault in faults},
    }


def details_text(details: dict) -> str:
    """The details as compact JSON with Chinese left readable."""
    return json.dumps(details or {}, ensure_ascii=False, sort_keys=True)


def _render(project: Project | None):
    page = _page()
    events, total = _events(project, page)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render_template(
        "buyer/audit.html",
        project=project,
        events=events,
        total=total,
        page=page,
        pages=pages,
        status=chain_status(project),
        details_text=details_text,
        **audit_label_context(),
    )


@bp.route("/projects/<int:project_id>/audit")
@roles_required("buyer")
def audit_trail(project_id: int):
    """One project's audit trail, oldest first, with its chain's status."""
    return _render(get_project(project_id))


@bp.route("/audit")
@roles_required("buyer")
def audit_all():
    """The whole audit trail (calendar, accounts, blacklists and every project), with every chain's status."""
    return _render(None)
