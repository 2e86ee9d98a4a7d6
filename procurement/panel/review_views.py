"""A panel member's project: declaration, review matrix, abnormal-low decisions, ranking, the report.

A member of another project's panel (or anyone not seated on this one) gets 404 for every
page of the project; a seated member who has not declared (or who recused) gets 403 for
the suppliers' documents and the review matrix.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.domain import DomainError
from procurement.extensions import db
from procurement.models import AbnormalLowReview, PanelMember, Project, Registration, RegistrationDocument, StoredFile
from procurement.panel.forms import (
    CONFLICT,
    AbnormalDecisionForm,
    DeclarationForm,
    ExplanationRequestForm,
    ReportConfirmForm,
    ReviewMatrixForm,
    read_cells,
    reason_name,
    verdict_name,
)
from procurement.panel.views import bp
from procurement.services import evaluation as service
from procurement.services import projects as project_service
from procurement.formatting import translate
from procurement.web import send_document, send_stored_file


def get_seat(project_id: int) -> tuple[Project, PanelMember]:
    """The project and the current user's seat on its panel.

    :raise 404: when the project does not exist or the user does not sit on its panel.
    """
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404)
    member = service.membership(project, current_user)
    if member is None:
        abort(404)
    return project, member


def require_review(member: PanelMember) -> None:
    """Documents and the matrix only after declaring no conflict and the start of the evaluation.

    :raise 403: otherwise.
    """
    if not service.can_review(member):
        abort(403)


def get_participant(project: Project, registration_id: int) -> Registration:
    """A participant of ``project``.

    :raise 404: otherwise.
    """
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.project_id != project.id:
        abort(404)
    if registration.id not in service.opened_quotes(project):
        abort(404)
    return registration


def _error_text(error: DomainError) -> str:
    return translate(error.message, error.params)


def _render_project(project: Project, member: PanelMember, *, declaration_form=None, error: str | None = None, status=200):
    evaluation = service.evaluation_of(project)
    context = {
        "project": project,
        "member": member,
        "phase": project_service.phase(project),
        "evaluation": evaluation,
        "participants": service.participants(project) if project.status != "published" else [],
        "progress": service.progress(project),
        "active_members": service.active_members(project),
        "criteria": [(key, service.criterion_label(key)) for key in service.criteria_of(project)],
        "can_review": service.can_review(member),
        "saved_count": service.vote_counts(member),
        "declaration_form": declaration_form or DeclarationForm(),
        "page_error": error,
        "all_submitted": False,
        "outcomes": {},
        "flags": {},
        "reviews": {},
        "results": service.results_of(project),
        "company_value": service.company_value,
        "passes": {},
    }
    if service.can_review(member) and service.all_submitted(project):
        decided = service.outcomes(project)
        flags = service.abnormal_low_flags(project, decided)
        context.update(
            all_submitted=True,
            outcomes=decided,
            flags=flags,
            reviews={rid: service.abnormal_low_review(project, rid) for rid in flags},
            passes={r.id: service.passes(project, decided, r) for r in context["participants"]},
        )
    return render_template("panel/project.html", **context), status


@bp.route("/projects/<int:project_id>")
@roles_required("panel")
def project(project_id: int):
    """The member's page for one project: what it has to do next."""
    project, member = get_seat(project_id)
    return _render_project(project, member)


@bp.route("/projects/<int:project_id>/declaration", methods=["POST"])
@roles_required("panel")
def declare(project_id: int):
    """Declare whether the member has a conflict of interest with a participant."""
    project, member = get_seat(project_id)
    form = DeclarationForm()
    if form.validate_on_submit():
        try:
            service.declare(member, form.conflict.data == CONFLICT, form.note.data, current_user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            if member.conflict_declared:
                flash(_("已记录您的回避声明。采购人将另行指定成员。"), "warning")
            else:
                flash(_("已记录您的声明。评审启动后即可查看供应商资料并开始评审。"), "success")
            return redirect(url_for("panel.project", project_id=project.id))
    return _render_project(project, member, declaration_form=form, status=400)


def _render_review(project: Project, member: PanelMember, rows, *, form=None, errors=None, status=200):
    return (
        render_template(
            "panel/review.html",
            project=project,
            member=member,
            rows=rows,
            form=form or ReviewMatrixForm(),
            cell_errors=errors or {},
            evaluation=service.evaluation_of(project),
            criteria=[(key, service.criterion_label(key)) for key in service.criteria_of(project)],
            verdict_name=verdict_name,
            reason_name=reason_name,
            document_label=service.document_label,
            list_kinds=service.LIST_KINDS,
        ),
        status,
    )


@bp.route("/projects/<int:project_id>/review", methods=["GET", "POST"])
@roles_required("panel")
def review(project_id: int):
    """The review matrix: save and come back, or submit (final unless the chair reopens)."""
    project, member = get_seat(project_id)
    require_review(member)
    rows = service.review_sheet(project, member)
    form = ReviewMatrixForm()
    if request.method == "GET":
        return _render_review(project, member, rows)
    if not form.validate_on_submit():
        return _render_review(project, member, rows, form=form, status=400)
    submit = request.form.get("action") == "submit"
    cells = read_cells(request.form, rows)
    try:
        service.save_votes(member, cells, submit=submit, actor=current_user)
    except service.VoteSheetError as error:
        form.add_domain_error(error)
        errors = {key: _error_text(cell_error) for key, cell_error in error.cells.items()}
    except DomainError as error:
        form.add_domain_error(error)
        errors = {}
    else:
        if submit:
            flash(_("评审意见已提交。"), "success")
            return redirect(url_for("panel.project", project_id=project.id))
        flash(_("已保存。您可以稍后回来继续评审。"), "success")
        return redirect(url_for("panel.review", project_id=project.id))
    # Keep what the member typed: show the submitted cells, not the stored ones.
    typed = {(c.registration_id, c.criterion): c for c in cells}
    for row in rows:
        for cell in row.cells:
            entered = typed[(cell.registration_id, cell.criterion)]
            cell.verdict, cell.reason = entered.verdict, entered.reason
    return _render_review(project, member, rows, form=form, errors=errors, status=400)


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
        try:
            count = service.rerun_credit_checks(member, current_user)
        except DomainError as error:
            flash(_error_text(error), "danger")
        else:
            flash(_("已按最新名单重新核查%(count)s家供应商的信用记录。", count=count), "success")
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
    try:
        service.reopen_votes(target, member, current_user)
    except DomainError as error:
        return _render_project(project, member, error=_error_text(error), status=400)
    flash(_("已退回%(name)s的评审意见，该成员可以修改后重新提交。", name=target.user.name), "success")
    return redirect(url_for("panel.project", project_id=project.id))


def _render_abnormal(project, member, registration, *, request_form=None, decision_form=None, status=200):
    decided = service.outcomes(project) if service.all_submitted(project) else {}
    flags = service.abnormal_low_flags(project, decided) if decided else {}
    return (
        render_template(
            "panel/abnormal.html",
            project=project,
            member=member,
            registration=registration,
            name=service.company_value(registration, "name"),
            opened=service.opened_quotes(project)[registration.id],
            reasons=flags.get(registration.id, ()),
            review=service.abnormal_low_review(project, registration.id),
            request_form=request_form or ExplanationRequestForm(),
            decision_form=decision_form or AbnormalDecisionForm(),
            evaluation=service.evaluation_of(project),
        ),
        status,
    )


@bp.route("/projects/<int:project_id>/abnormal/<int:registration_id>")
@roles_required("panel")
def abnormal(project_id: int, registration_id: int):
    """One abnormally low quote: why it was flagged, the request, the explanation, the decision."""
    project, member = get_seat(project_id)
    require_review(member)
    registration = get_participant(project, registration_id)
    return _render_abnormal(project, member, registration)


@bp.route("/projects/<int:project_id>/abnormal/<int:registration_id>/request", methods=["POST"])
@roles_required("panel")
def abnormal_request(project_id: int, registration_id: int):
    """The chair asks the supplier for a written explanation by a due time."""
    project, member = get_seat(project_id)
    require_review(member)
    registration = get_participant(project, registration_id)
    form = ExplanationRequestForm()
    if form.validate_on_submit():
        try:
            service.request_explanation(member, registration, form.due_at_utc(), current_user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("已要求该供应商作出书面说明。"), "success")
            return redirect(url_for("panel.abnormal", project_id=project.id, registration_id=registration.id))
    return _render_abnormal(project, member, registration, request_form=form, status=400)


@bp.route("/projects/<int:project_id>/abnormal/<int:registration_id>/decision", methods=["POST"])
@roles_required("panel")
def abnormal_decision(project_id: int, registration_id: int):
    """The panel's decision on the explanation, recorded by the chair."""
    project, member = get_seat(project_id)
    require_review(member)
    registration = get_participant(project, registration_id)
    review = service.abnormal_low_review(project, registration.id)
    if review is None:
        abort(404)
    form = AbnormalDecisionForm()
    if form.validate_on_submit():
        try:
            service.decide_abnormal_low(review, member, form.decision.data, form.reason.data, current_user)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            flash(_("已记录评审决定。"), "success")
            return redirect(url_for("panel.project", project_id=project.id))
    return _render_abnormal(project, member, registration, decision_form=form, status=400)


@bp.route("/projects/<int:project_id>/explanations/<int:review_id>/file")
@roles_required("panel")
def explanation_file(project_id: int, review_id: int):
    """The supplier's explanation attachment, inline."""
    project, member = get_seat(project_id)
    require_review(member)
    review = db.session.get(AbnormalLowReview, review_id)
    if review is None or review.project_id != project.id or review.explanation_file_id is None:
        abort(404)
    return send_stored_file(db.session.get(StoredFile, review.explanation_file_id), inline=True)


@bp.route("/projects/<int:project_id>/rank", methods=["POST"])
@roles_required("panel")
def rank(project_id: int):
    """The chair aggregates the votes and ranks the valid quotes."""
    project, member = get_seat(project_id)
    require_review(member)
    form = ReviewMatrixForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        evaluation = service.rank(member, current_user)
    except DomainError as error:
        return _render_project(project, member, error=_error_text(error), status=400)
    if evaluation.failed:
        flash(_("有效报价不足，本项目将流标。请全体成员确认评审报告；全部确认后发布终止公告。"), "warning")
    else:
        flash(_("已汇总评审结果并排序。请全体成员确认评审报告。"), "success")
    return redirect(url_for("panel.report", project_id=project.id))


@bp.route("/projects/<int:project_id>/report", methods=["GET", "POST"])
@roles_required("panel")
def report(project_id: int):
    """The evaluation report: read it, then confirm it with the password (and a dissent, if any)."""
    project, member = get_seat(project_id)
    require_review(member)
    evaluation = service.evaluation_of(project)
    if evaluation.ranked_at is None:
        return redirect(url_for("panel.project", project_id=project.id))
    form = ReportConfirmForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                service.confirm_report(member, form.password.data, form.dissent.data, current_user)
            except DomainError as error:
                form.add_domain_error(error)
            else:
                flash(_("已确认评审报告。"), "success")
                return redirect(url_for("panel.report", project_id=project.id))
        status = 400
    return (
        render_template(
            "panel/report.html",
            project=project,
            member=member,
            form=form,
            report=service.report_context(project),
            document=service.report_document(project),
            termination=service.termination_document(project),
        ),
        status,
    )


@bp.route("/projects/<int:project_id>/report.pdf")
@roles_required("panel")
def report_pdf(project_id: int):
    """The issued evaluation report PDF (once every member confirmed)."""
    project, member = get_seat(project_id)
    require_review(member)
    return send_document(service.report_document(project), f"{project.code}-评审报告.pdf", inline=True)


@bp.route("/projects/<int:project_id>/termination.pdf")
@roles_required("panel")
def termination_pdf(project_id: int):
    """The termination notice of a project that failed for too few valid quotes."""
    project, member = get_seat(project_id)
    require_review(member)
    return send_document(service.termination_document(project), f"{project.code}-终止公告.pdf", inline=True)
