"""A panel member's project after the review: abnormally low prices, the ranking, the report and its PDFs."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement import i18n
from procurement.auth.permissions import roles_required
from procurement.extensions import db
from procurement.models import AbnormalLowReview, StoredFile
from procurement.panel.forms import AbnormalDecisionForm, ExplanationRequestForm, ReportConfirmForm, ReviewMatrixForm
from procurement.panel.loaders import get_participant, get_seat, require_review
from procurement.panel.review_views import render_project
from procurement.panel.views import bp
from procurement.queries import evaluation as reads
from procurement.queries import evaluation_votes as tally
from procurement.queries import jobs as job_queries
from procurement.queries.evaluation_report import report_page
from procurement.queries.lookups import evaluation_of
from procurement.services import evaluation as service
from procurement.web import attempt, send_document, send_stored_file


def _render_abnormal(project, member, registration, *, request_form=None, decision_form=None, status=200):
    decided = tally.outcomes(project) if tally.all_submitted(project) else {}
    flags = tally.abnormal_low_flags(project, decided) if decided else {}
    return (
        render_template(
            "panel/abnormal.html",
            project=project,
            member=member,
            registration=registration,
            name=reads.company_value(registration, "name"),
            opened=reads.opened_quotes(project)[registration.id],
            reasons=flags.get(registration.id, ()),
            review=tally.abnormal_low_review(project, registration.id),
            request_form=request_form or ExplanationRequestForm(),
            decision_form=decision_form or AbnormalDecisionForm(),
            evaluation=evaluation_of(project),
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
    if form.validate_on_submit() and attempt(
        form, service.request_explanation, member, registration, form.due_at_utc(), current_user
    ):
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
    review = tally.abnormal_low_review(project, registration.id)
    if review is None:
        abort(404)
    form = AbnormalDecisionForm()
    if form.validate_on_submit() and attempt(
        form, service.decide_abnormal_low, review, member, form.decision.data, form.reason.data, current_user
    ):
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
    outcome = attempt(form, service.rank, member, current_user)
    if not outcome:
        return render_project(project, member, error=" ".join(form.form_errors), status=400)
    if outcome.value.failed:
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
    evaluation = evaluation_of(project)
    if evaluation.ranked_at is None:
        return redirect(url_for("panel.project", project_id=project.id))
    form = ReportConfirmForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and attempt(
            form, service.confirm_report, member, form.password.data, form.dissent.data, current_user
        ):
            job = job_queries.latest(project.id, job_queries.KIND_EVALUATION_REPORT)
            if job is not None and job.status != "done":
                flash(_("已确认评审报告。全体成员均已确认，正在生成评审报告PDF。"), "success")
            else:
                flash(_("已确认评审报告。"), "success")
            return redirect(url_for("panel.report", project_id=project.id))
        status = 400
    with i18n.chinese():  # the report shown is the document as issued: its labels in Chinese too
        page = report_page(project, member)
    return render_template("panel/report.html", page=page, form=form), status


@bp.route("/projects/<int:project_id>/jobs/<int:job_id>.json")
@roles_required("panel")
def job_status(project_id: int, job_id: int):
    """The progress of the job issuing the evaluation report, polled by the report page.

    Without the error text or a retry (buyer staff see those and retry).

    :raise 404: not seated on the project's panel, another project's job, or any job but the report's.
    :raise 403: a member who may not review (recused, or before the evaluation).
    """
    project, member = get_seat(project_id)
    require_review(member)
    page = job_queries.job_progress(project, job_id, kinds=(job_queries.KIND_EVALUATION_REPORT,))
    if page is None:
        abort(404)
    response = jsonify({"jobs": [page.view.as_json(detailed=False)]})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/projects/<int:project_id>/report.pdf")
@roles_required("panel")
def report_pdf(project_id: int):
    """The issued evaluation report PDF (once every member confirmed)."""
    project, member = get_seat(project_id)
    require_review(member)
    return send_document(tally.report_document(project), f"{project.code}-评审报告.pdf", inline=True)


@bp.route("/projects/<int:project_id>/termination.pdf")
@roles_required("panel")
def termination_pdf(project_id: int):
    """The termination notice of a project that failed for too few valid quotes."""
    project, member = get_seat(project_id)
    require_review(member)
    return send_document(tally.termination_document(project), f"{project.code}-终止公告.pdf", inline=True)
