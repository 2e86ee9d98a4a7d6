"""The supplier's home (its registrations) and its page for one project."""
from __future__ import annotations

from flask import abort, render_template

from procurement import clock
from procurement.auth.permissions import roles_required
from procurement.queries.supplier import project_page, supplier_home
from procurement.supplier.loaders import current_company
from procurement.queries.results import supplier_result_section
from procurement.queries.quotes import quote_hub
from procurement.queries.evaluation_votes import explanation_request
from procurement.supplier.views import bp


@bp.route("/")
@roles_required("supplier")
def home():
    """My registrations, each with my outcome and its notice, and the open projects I have not registered for."""
    return render_template("supplier/home.html", page=supplier_home(current_company(), clock.now()))


@bp.route("/projects/<int:project_id>")
@roles_required("supplier")
def project(project_id: int):
    """Everything this supplier does for one project: its outcome and notice first, then register, quote, the result."""
    page = project_page(project_id, current_company(), clock.now())
    if page is None:
        abort(404)
    return render_template(
        "supplier/project.html",
        page=page,
        # The sections of other features (quote, opening, result, explanation) read these names.
        project=page.project,
        company=page.company,
        registration=page.registration,
        outcome=page.outcome,
        schedule=page.schedule,
        phase=page.phase,
        registration_state=page.registration_state,
        **page.labels,
        result_section=supplier_result_section(page.project, page.registration),
        quote_hub=quote_hub(page.project, page.registration),
        explanation_request=explanation_request(page.registration),
    )
