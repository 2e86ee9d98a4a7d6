"""RFQ documents for a supplier whose registration is accepted; every download recorded."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.extensions import db
from procurement.models import ProjectFile
from procurement.services import rfq
from procurement.supplier.loaders import current_company, get_public_project
from procurement.supplier.views import bp
from procurement.web import send_stored_file


@bp.route("/projects/<int:project_id>/files/<int:file_id>")
@roles_required("supplier")
def rfq_download(project_id: int, file_id: int):
    """Download one RFQ document.

    :raise 404: unless the supplier's registration for the project is accepted and the file is offered.
    """
    project = get_public_project(project_id)
    project_file = db.session.get(ProjectFile, file_id)
    if project_file is None or project_file.project_id != project.id or project_file.removed_at is not None:
        abort(404)
    if not rfq.may_download(project, current_company().id):
        abort(404)
    rfq.record_download(project_file, current_user)
    return send_stored_file(project_file.stored_file, inline=False, ascii_name=rfq.ascii_name(project_file))

