"""The opening record (开标记录) for a supplier whose quote was opened: the page and its stored PDF."""
from __future__ import annotations

from flask import abort, render_template

from procurement.auth.permissions import roles_required
from procurement.queries import opening as opening_queries
from procurement.services import opening as opening_service
from procurement.supplier.loaders import current_company, get_public_project
from procurement.supplier.views import bp
from procurement.web import send_document


def _opening_record(project_id: int):
    """The project and its opening record for this supplier.

    :raise 404: not opened, or this supplier's quote was not opened.
    """
    project = get_public_project(project_id)
    record = opening_queries.supplier_record(project, current_company().id)
    if record is None:
        abort(404)
    return project, record


@bp.route("/projects/<int:project_id>/opening")
@roles_required("supplier")
def opening_record(project_id: int):
    """The opening record (开标记录), for a supplier whose quote was opened."""
    project, record = _opening_record(project_id)
    return render_template("supplier/quote_opening.html", project=project, page=record, own_company_id=current_company().id)


@bp.route("/projects/<int:project_id>/opening-record.pdf")
@roles_required("supplier")
def opening_record_pdf(project_id: int):
    """The opening record as the stored PDF."""
    project = get_public_project(project_id)
    if not opening_queries.supplier_may_see(project, current_company().id):
        abort(404)
    return send_document(opening_service.opening_record_document(project), f"{project.code}-开标记录.pdf")
