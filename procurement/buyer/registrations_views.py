"""Buyer staff: a project's registrations (who, when, status, checks), paged and filtered by
status, one registration in full, and its documents inline."""
from __future__ import annotations

from flask import abort, render_template, request

from procurement.auth.permissions import roles_required
from procurement.buyer.loaders import get_project
from procurement.buyer.registration_labels import registration_label_context
from procurement.buyer.views import bp
from procurement.domain.credit import LIST_KINDS
from procurement.extensions import db
from procurement.forms_common import parse_id
from procurement.models import Registration
from procurement.queries import buyer as buyer_queries
from procurement.queries.lookups import company_accounts
from procurement.services import credit as credit_service
from procurement.services import registrations as registration_service
from procurement.web import send_stored_file


def get_registration(project_id: int, registration_id: int) -> Registration:
    """A registration of this project.

    :raise 404: when either does not exist or they do not belong together.
    """
    project = get_project(project_id)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.project_id != project.id:
        abort(404)
    return registration


@bp.route("/projects/<int:project_id>/registrations")
@roles_required("buyer")
def registrations(project_id: int):
    """Every registration of a project, a page at a time (``?page=``), filtered by ``?status=``.

    An unknown status shows them all; a page number past the last shows the last page.
    """
    project = get_project(project_id)
    regs = buyer_queries.registration_list(
        project,
        status=request.args.get("status", "all"),
        page=min(parse_id(request.args.get("page", "1")) or 1, 10**6),
    )
    return render_template("buyer/registrations.html", project=project, regs=regs, **registration_label_context())


@bp.route("/projects/<int:project_id>/registrations/<int:registration_id>")
@roles_required("buyer")
def registration(project_id: int, registration_id: int):
    """One registration: company as registered, answers, declarations, documents and every check."""
    registration = get_registration(project_id, registration_id)
    version_ids = {v for check in registration.checks for v in (check.list_versions or {}).values()}
    return render_template(
        "buyer/registration.html",
        project=registration.project,
        registration=registration,
        snapshot=registration.company_snapshot or {},
        versions=credit_service.versions_by_id(version_ids),
        list_kinds=LIST_KINDS,
        checks=sorted(registration.checks, key=lambda c: (c.run_at, c.id), reverse=True),
        accounts=company_accounts(registration.company_id),
        **registration_label_context(),
    )


@bp.route("/projects/<int:project_id>/registrations/<int:registration_id>/documents/<kind>")
@roles_required("buyer")
def registration_document(project_id: int, registration_id: int, kind: str):
    """A registration's document, shown inline in the browser (PDF or image).

    :raise 404: when there is no current document of ``kind``.
    """
    registration = get_registration(project_id, registration_id)
    document = registration_service.document(registration, kind)
    if document is None:
        abort(404)
    return send_stored_file(document.stored_file)
