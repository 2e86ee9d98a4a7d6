"""A panel member's project page, its declaration, and the review: an overview of every supplier's
progress and one supplier's sheet at a time (save and come back, complete it, submit the whole).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.extensions import db
from procurement.formatting import translate
from procurement.models import PanelMember, Project, RegistrationDocument
from procurement.panel.forms import (
    CONFLICT,
    DeclarationForm,
    ReviewMatrixForm,
    read_cells,
    reason_name,
    reasons_had_forbidden_characters,
    verdict_name,
)
from procurement.panel.loaders import get_participant, get_seat, require_review
from procurement.panel.views import bp
from procurement.queries import evaluation as reads
from procurement.queries import evaluation_pages as pages
from procurement.services import evaluation as service
from procurement.services import projects as project_service
from procurement.web import attempt, send_stored_file
from procurement.domain import N_
from procurement.formatting import gettext_marked


def render_project(project: Project, member: PanelMember, *, declaration_form=None, error: str | None = None, status=200):
    """The member's project page (also re-rendered with a refusal, status 400)."""
    return (
        render_template(
            "panel/project.html",
            page=pages.panel_project(project, member),
            project=project,
            member=member,
            phase=project_service.phase(project),
            declaration_form=declaration_form or DeclarationForm(),
            page_error=error,
        ),
        status,
    )


@bp.route("/projects/<int:project_id>")
@roles_required("panel")
def project(project_id: int):
    """The member's page for one project: what it has to do next."""
    project, member = get_seat(project_id)
    return render_project(project, member)


@bp.route("/projects/<int:project_id>/declaration", methods=["POST"])
@roles_required("panel")
def declare(project_id: int):
    """Declare whether the member has a conflict of interest with a participant."""
    project, member = get_seat(project_id)
    form = DeclarationForm()
    if form.validate_on_submit() and attempt(
        form, service.declare, member, form.conflict.data == CONFLICT, form.note.data, current_user
    ):
        if member.conflict_declared:
            flash(_("已记录您的回避声明。采购人将另行指定成员。"), "warning")
        else:
            flash(_("已记录您的声明。评审启动后即可查看供应商资料并开始评审。"), "success")
        return redirect(url_for("panel.project", project_id=project.id))
    return render_project(project, member, declaration_form=form, status=400)


def _render_overview(project, member, *, form=None, status=200):
    return (
        render_template("panel/review.html", page=pages.review_overview(project, member), form=form or ReviewMatrixForm()),
        status,
    )


def _render_sheets(project, member, rows, *, form, errors, status=400, registration_id=None):
    page = pages.supplier_review(project, member, registration_id, row=rows[0], cell_errors=errors) if registration_id else None
    return (
        render_template(
            "panel/review_supplier.html",
            page=page,
            project=project,
            member=member,
            rows=rows,
            locked=page.locked if page else False,
            cell_errors=errors,
            form=form,
            verdict_name=verdict_name,
            reason_name=reason_name,
            document_label=reads.document_label,
            list_kinds=service.LIST_KINDS,
        ),
        status,
    )


def _keep_typed(rows, cells) -> None:
    """Show what the member typed, not what is stored."""
    typed = {(c.registration_id, c.criterion): c for c in cells}
    for row in rows:
        for cell in row.cells:
            entered = typed.get((cell.registration_id, cell.criterion))
            if entered is not None:
                cell.verdict, cell.reason = entered.verdict, entered.reason


def _cell_errors(error) -> dict:
    cells = getattr(error, "cells", None) or {}
    return {key: translate(cell_error.message, cell_error.params) for key, cell_error in cells.items()}


@bp.route("/projects/<int:project_id>/review", methods=["GET", "POST"])
@roles_required("panel")
def review(project_id: int):
    """The review overview: every supplier's progress, the way into each; submit the whole review.

    A POST may also carry cells of any suppliers (``action=save`` keeps them as a draft).
    """
    project, member = get_seat(project_id)
    require_review(member)
    form = ReviewMatrixForm()
    if request.method == "GET":
        return _render_overview(project, member)
    if not form.validate_on_submit():
        return _render_overview(project, member, form=form, status=400)
    submit = request.form.get("action") == "submit"
    cells = read_cells(request.form, reads.participant_ids(project), reads.criteria_of(project))
    _say_if_stripped()
    outcome = attempt(form, service.save_votes, member, cells, submit=submit, actor=current_user)
    if outcome:
        if submit:
            flash(_("评审意见已提交。"), "success")
            return redirect(url_for("panel.project", project_id=project.id))
        flash(_("已保存。您可以稍后回来继续评审。"), "success")
        return redirect(url_for("panel.review", project_id=project.id))
    errors = _cell_errors(outcome.error)
    if not cells or not errors:
        return _render_overview(project, member, form=form, status=400)
    rows = pages.review_sheet(project, member, sorted({key[0] for key in errors}))
    _keep_typed(rows, cells)
    return _render_sheets(project, member, rows, form=form, errors=errors)


@bp.route("/projects/<int:project_id>/review/<int:registration_id>", methods=["GET", "POST"])
@roles_required("panel")
def review_supplier(project_id: int, registration_id: int):
    """One supplier's review sheet: save and come back, or complete it and go on to the next."""
    project, member = get_seat(project_id)
    require_review(member)
    registration = get_participant(project, registration_id)
    form = ReviewMatrixForm()
    if request.method == "GET":
        page = pages.supplier_review(project, member, registration.id)
        return _render_sheets(project, member, [page.row], form=form, errors={}, status=200, registration_id=registration.id)
    rows = pages.review_sheet(project, member, [registration.id])
    if not form.validate_on_submit():
        return _render_sheets(project, member, rows, form=form, errors={}, registration_id=registration.id)
    complete = request.form.get("action") == "complete"
    cells = read_cells(request.form, [registration.id], reads.criteria_of(project))
    _say_if_stripped()
    outcome = attempt(
        form, service.save_votes, member, cells, submit=False, actor=current_user,
        complete=[registration.id] if complete else (),
    )
    if outcome:
        if not complete:
            flash(_("已保存。您可以稍后回来继续评审。"), "success")
            return redirect(url_for("panel.review_supplier", project_id=project.id, registration_id=registration.id))
        flash(gettext_marked(N_("已完成对%(name)s的评审。"), name=rows[0].company_name), "success")
        return redirect(_next_url(project, member, registration.id))
    _keep_typed(rows, cells)
    return _render_sheets(project, member, rows, form=form, errors=_cell_errors(outcome.error), registration_id=registration.id)


def _say_if_stripped() -> None:
    if reasons_had_forbidden_characters(request.form) or any(key.startswith("r-") for key in request.nul_fields):
        flash(_("理由中的控制字符或不可见字符（如文字方向控制符）已被删除，请核对保存的内容。"), "warning")


def _next_url(project: Project, member: PanelMember, after: int) -> str:
    """The next supplier still to review (after ``after``, then from the start), else the overview."""
    rows = pages.review_overview(project, member).rows
    open_rows = [row for row in rows if row.status in (pages.NOT_STARTED, pages.IN_PROGRESS)]
    following = [row for row in open_rows if row.registration_id > after] or open_rows
    if not following:
        flash(_("全部供应商均已评审完毕。请核对后提交评审意见。"), "info")
        return url_for("panel.review", project_id=project.id)
    return url_for("panel.review_supplier", project_id=project.id, registration_id=following[0].registration_id)


@bp.route("/projects/<int:project_id>/documents/<int:document_id>")
@roles_required("panel")
def document(project_id: int, document_id: int):
    """A participant's registration document, inline (PDF or image), never as a download."""
    project, member = get_seat(project_id)
    require_review(member)
    document = db.session.get(RegistrationDocument, document_id)
    if document is None:
        abort(404)
    get_participant(project, document.registration_id)
    return send_stored_file(document.stored_file, inline=True)


@bp.route("/projects/<int:project_id>/credit-check", methods=["POST"])
@roles_required("panel")
def credit_check(project_id: int):
    """Re-run the credit-list check for every participant against the current lists."""
    project, member = get_seat(project_id)
    require_review(member)
    form = ReviewMatrixForm()
    if form.validate_on_submit():
        outcome = attempt(None, service.rerun_credit_checks, member, current_user)
        if outcome:
            flash(ngettext("已按最新名单重新核查%(num)s家供应商的信用记录。", "已按最新名单重新核查%(num)s家供应商的信用记录。", outcome.value), "success")
    return redirect(url_for("panel.review", project_id=project.id))


@bp.route("/projects/<int:project_id>/members/<int:member_id>/reopen", methods=["POST"])
@roles_required("panel")
def reopen(project_id: int, member_id: int):
    """The chair sends a member's submitted votes back for change."""
    project, member = get_seat(project_id)
    require_review(member)
    target = db.session.get(PanelMember, member_id)
    if target is None or target.project_id != project.id:
        abort(404)
    form = ReviewMatrixForm()
    if not form.validate_on_submit():
        abort(400)
    outcome = attempt(form, service.reopen_votes, target, member, current_user)
    if not outcome:
        return render_project(project, member, error=" ".join(form.form_errors), status=400)
    flash(gettext_marked(N_("已退回%(name)s的评审意见，该成员可以修改后重新提交。"), name=target.user.name), "success")
    return redirect(url_for("panel.project", project_id=project.id))
