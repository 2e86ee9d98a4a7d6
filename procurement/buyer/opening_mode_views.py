"""Buyer staff choose a draft's opening mode (开标方式); frozen at publication like the schedule."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.buyer.loaders import get_project
from procurement.buyer.opening_mode_forms import OpeningModeForm
from procurement.buyer.views import bp
from procurement.forms_common import choices
from procurement.models import STATUS_DRAFT
from procurement.queries import quorum as quorum_queries
from procurement.services import quorum_setup
from procurement.web import attempt


@bp.route("/projects/<int:project_id>/opening-mode", methods=["GET", "POST"])
@roles_required("buyer")
def opening_mode(project_id: int):
    """Server key or quorum; for a quorum, n officials with an opening key and the threshold k."""
    project = get_project(project_id)
    if project.status != STATUS_DRAFT:
        flash(_("开标方式在发布时已确定，发布后不能更改。"), "warning")
        return redirect(url_for("buyer.project", project_id=project.id) + "#quotes")
    candidates = quorum_queries.candidates()
    form = OpeningModeForm()
    form.officials.choices = choices([(str(c.user_id), c.name) for c in candidates])
    if request.method == "GET":
        form.mode.data = project.opening_mode
        if project.is_quorum:
            form.officials.data = [str(official.user_id) for official in project.officials]
            form.threshold.data = project.quorum_threshold
    elif form.validate_on_submit():
        quorum = form.mode.data == "quorum"
        if attempt(
            form, quorum_setup.set_opening_mode, project, form.mode.data,
            form.official_ids() if quorum else [], form.threshold.data if quorum else None, current_user,
        ):
            flash(_("开标方式已保存。"), "success")
            return redirect(url_for("buyer.project", project_id=project.id) + "#opening-mode")
    return (
        render_template(
            "buyer/opening_mode.html",
            project=project,
            form=form,
            candidates={c.user_id: c for c in candidates},
            without_key=quorum_queries.accounts_without_key(),
        ),
        400 if request.method == "POST" else 200,
    )
