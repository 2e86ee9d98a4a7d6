"""Buyer staff: the project list and each project's page (the hub of its workflow), the editor
(drafts), publication, amendments, cancellation and the RFQ documents."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from procurement import clock, i18n
from procurement.auth.permissions import roles_required
from procurement.buyer.audit_labels import audit_label_context
from procurement.buyer.loaders import get_project
from procurement.buyer.project_forms import AmendmentForm, BoqImportForm, CancelForm, ProjectForm, RfqFileForm
from procurement.buyer.registration_labels import registration_label_context
from procurement.buyer.views import bp
from procurement.domain import DomainError
from procurement.domain.boq import BoqImportError
from procurement.domain.schedule import BEIJING, beijing
from procurement.domain.uploads import MAX_BOQ_BYTES
from procurement.extensions import db
from procurement.formatting import cn_date
from procurement.formatting import quantity as quantity_text
from procurement.formatting import translate
from procurement.models import STATUS_DRAFT, Project, ProjectFile
from procurement.queries import attention_buyer as buyer_attention
from procurement.queries import buyer as buyer_queries
from procurement.queries.award import award_section
from procurement.queries import evaluation_pages as panel_pages
from procurement.queries import opening as opening_queries
from procurement.queries import jobs as job_queries
from procurement.services import projects as project_service
from procurement.services import rfq
from procurement.web import attempt, send_stored_file
from procurement.domain import N_
from procurement.formatting import gettext_marked


@bp.route("/")
@roles_required("buyer")
def home():
    """What needs attention across projects, then every project (drafts included), newest first."""
    home = buyer_attention.buyer_home()
    return render_template(
        "buyer/home.html", attention=home.attention, page=home.listing, phase=home.listing.phase, failed_mails=home.failed_mails
    )


def render_project_page(project: Project, *, rfq_form: RfqFileForm | None = None, status: int = 200):
    """The project page built from its page model (also re-rendered with a refused RFQ upload)."""
    page = buyer_queries.project_page(project)
    jobs = job_queries.project_jobs(project)
    return (
        render_template(
            "buyer/project.html",
            project=project,
            page=page,
            schedule=page.schedule,
            phase=page.phase,
            schedule_drift=page.schedule_drift,
            rfq_form=rfq_form or RfqFileForm(prefix="rfq"),
            award_section=award_section(project, jobs=jobs),
            jobs=jobs,
            panel_progress=None if project.status == STATUS_DRAFT else panel_pages.progress(project),
            opening_record=opening_queries.opening_record(project, with_received=True),
            **registration_label_context(),
            **audit_label_context(),
        ),
        status,
    )


def _to_job(project: Project, kind: str):
    """After a decision that starts a job: its progress page (the project page if there is none)."""
    job = job_queries.latest(project.id, kind)
    if job is None:
        return redirect(url_for("buyer.project", project_id=project.id))
    return redirect(url_for("buyer.job_progress", project_id=project.id, job_id=job.id))


@bp.route("/projects/<int:project_id>")
@roles_required("buyer")
def project(project_id: int):
    """One project: its schedule and every step of its workflow."""
    project = buyer_queries.load_project(project_id)
    if project is None:
        abort(404)
    return render_project_page(project)


# --- The editor (drafts), publication, amendments, cancellation, RFQ documents -------------


def _fill_form_from(project: Project, form: ProjectForm) -> None:
    for name in (
        "code", "title", "buyer_name", "method", "contract_term", "requirements_text", "criteria",
        "specific_requirement", "registration_place", "registration_documents_text", "opening_place",
        "contact_name", "contact_phone", "registration_working_days", "notice_working_days", "candidates",
        "min_valid_quotes", "tie_rule", "publicity_working_days", "challenge_working_days", "answer_working_days",
        "confirmation_working_days", "contract_days", "framework_award",
    ):
        getattr(form, name).data = getattr(project, name)
    form.opening_at.data = project.opening_at.astimezone(BEIJING).replace(tzinfo=None)
    form.registration_hours.data = ", ".join(f"{a}-{b}" for a, b in project.registration_hours)
    for name in ("abnormal_average_ratio", "abnormal_second_ratio", "abnormal_ceiling_ratio"):
        getattr(form, name).data = quantity_text(getattr(project, name) * 100)
    while len(form.items.entries):
        form.items.pop_entry()
    for item in project.items:
        form.items.append_entry(
            {
                "name": item.name,
                "specification": item.specification,
                "unit": item.unit,
                "quantity": quantity_text(item.quantity),
                "ceiling_unit_price": str(item.ceiling_unit_price) if item.ceiling_unit_price is not None else "",
            }
        )
    if not form.items.entries:
        form.items.append_entry()


def _editor(form: ProjectForm, project: Project | None, status: int = 200):
    return render_template("buyer/project_form.html", form=form, project=project, import_form=BoqImportForm(prefix="boq")), status


@bp.route("/projects/new", methods=["GET", "POST"])
@roles_required("buyer")
def project_new():
    """Create a draft project with the notice's fields, its bill of quantities and its rules."""
    form = ProjectForm()
    if form.validate_on_submit():
        outcome = attempt(form, project_service.create_project, form.project_data(BEIJING), form.items_data(), current_user)
        if outcome:
            flash(_("草稿已保存。核对后即可发布。"), "success")
            return redirect(url_for("buyer.project", project_id=outcome.value.id))
    return _editor(form, None, 400 if request.method == "POST" else 200)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@roles_required("buyer")
def project_edit(project_id: int):
    """Edit a draft (a published project changes only by amendment)."""
    project = get_project(project_id)
    if project.status != STATUS_DRAFT:
        flash(_("已发布的项目只能通过更正公告修改。"), "warning")
        return redirect(url_for("buyer.project_amend", project_id=project.id))
    form = ProjectForm()
    if request.method == "GET":
        _fill_form_from(project, form)
    elif form.validate_on_submit():
        if attempt(form, project_service.update_draft, project, form.project_data(BEIJING), form.items_data(), current_user):
            flash(_("草稿已保存。"), "success")
            return redirect(url_for("buyer.project", project_id=project.id))
    return _editor(form, project, 400 if request.method == "POST" else 200)


@bp.route("/projects/<int:project_id>/boq-import", methods=["POST"])
@roles_required("buyer")
def project_boq_import(project_id: int):
    """Replace a draft's bill of quantities from an XLSX or CSV file (all or nothing)."""
    project = get_project(project_id)
    if project.status != STATUS_DRAFT:
        abort(404)
    import_form = BoqImportForm(prefix="boq")
    errors: list[str] = []
    if import_form.validate_on_submit():
        upload = import_form.file.data
        data = upload.read(MAX_BOQ_BYTES + 1)  # one byte more than allowed: the check says "too large"
        try:
            count = rfq.import_boq(project, upload.filename or "", data, current_user)
        except BoqImportError as error:
            errors.extend(translate(row.message, row.params) for row in error.errors)
        except DomainError as error:
            errors.append(translate(error.message, error.params))
        else:
            flash(ngettext("已从文件导入 %(num)s 行采购清单。", "已从文件导入 %(num)s 行采购清单。", count), "success")
            return redirect(url_for("buyer.project_edit", project_id=project.id))
    else:
        errors.extend(str(e) for e in import_form.file.errors)
    import_form.file.errors = errors
    form = ProjectForm(formdata=None)
    _fill_form_from(project, form)
    return render_template("buyer/project_form.html", form=form, project=project, import_form=import_form), 400


@bp.route("/projects/<int:project_id>/publish", methods=["GET", "POST"])
@roles_required("buyer")
def project_publish(project_id: int):
    """Preview every date publishing today implies, then publish."""
    project = get_project(project_id)
    if project.status != STATUS_DRAFT:
        return redirect(url_for("buyer.project", project_id=project.id))
    schedule = warnings = error = None
    error_calendar = False  # the error asks for the working calendar: the page links to it
    try:
        schedule, warnings = project_service.preview_schedule(project)
    except DomainError as caught:
        error = translate(caught.message, caught.params)
        error_calendar = "工作日历" in caught.message
    if request.method == "POST" and error is None:
        if request.form.get("confirm") != "yes":
            error = _("请勾选确认后再发布。")
        else:
            try:
                project_service.publish(project, current_user)
            except DomainError as caught:
                error = translate(caught.message, caught.params)
                error_calendar = "工作日历" in caught.message
            else:
                flash(_("公告已发布。"), "success")
                return _to_job(project, job_queries.KIND_ANNOUNCEMENT)
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "buyer/project_publish.html",
            project=project,
            schedule=schedule,
            warnings=warnings or [],
            error=error,
            error_calendar=error_calendar,
            today=beijing(clock.now()).date(),
        ),
        status,
    )


@bp.route("/projects/<int:project_id>/amend", methods=["GET", "POST"])
@roles_required("buyer")
def project_amend(project_id: int):
    """Publish a correction notice (更正公告); a schedule change recomputes the dates."""
    project = get_project(project_id)
    if project.status != "published":
        abort(404)
    form = AmendmentForm()
    affected = project_service.schedule_drift_of(project)
    if request.method == "GET":
        for name in ("opening_place", "registration_working_days", "requirements_text", "registration_documents_text", "contact_name", "contact_phone"):
            getattr(form, name).data = getattr(project, name)
        form.opening_at.data = project.opening_at.astimezone(BEIJING).replace(tzinfo=None)
        if affected is not None and affected.drift is not None and request.args.get("recompute"):
            # Followed from the calendar's list: recompute under today's calendar, worded for the notice.
            # The notice is issued in Chinese: so is the text proposed for it, whatever the page's language.
            form.recompute_schedule.data = True
            with i18n.chinese():
                form.summary.data = _calendar_amendment_summary(affected.drift)
                form.reason.data = _("工作日历在公告发布后有调整（节假日变更），按现行工作日历重新计算报名期和公告期。")
    elif form.validate_on_submit():
        data = {
            name: getattr(form, name).data
            for name in ("opening_place", "registration_working_days", "requirements_text", "registration_documents_text", "contact_name", "contact_phone")
        }
        data["opening_at"] = form.opening_at.data.replace(tzinfo=BEIJING)
        outcome = attempt(
            form, _amend, project, data, form.summary.data, form.reason.data, current_user,
            recompute_schedule=bool(form.recompute_schedule.data),
        )
        if outcome:
            flash(_("更正公告已发布。"), "success")
            return _to_job(project, job_queries.KIND_ANNOUNCEMENT)
    return (
        render_template("buyer/project_amend.html", form=form, project=project, affected=affected),
        400 if request.method == "POST" else 200,
    )


def _amend(*args, **kwargs):
    """Amend; a refusal about the opening time (the schedule's) goes beside the opening time field."""
    try:
        return project_service.amend(*args, **kwargs)
    except DomainError as error:
        if error.code.startswith("opening") and not getattr(error, "field", None):
            error.field = "opening_at"
        raise


_DATE_LABELS = {
    "registration_opens": _l("报名开始日期"),
    "registration_closes": _l("报名截止日期"),
    "notice_ends": _l("公告期限截止日期"),
}


def _calendar_amendment_summary(drift) -> str:
    """The correction's text for the notice: each date that moves, old and new."""
    parts = [
        _("%(label)s由%(old)s更正为%(new)s", label=_DATE_LABELS[name], old=cn_date(old), new=cn_date(new))
        for name, old, new in drift.changes
    ]
    if not parts:
        return _("因工作日历调整，报名期内的工作日按现行工作日历重新确定，起止日期不变。")
    return _("因工作日历调整，") + "；".join(parts) + "。"


@bp.route("/projects/<int:project_id>/cancel", methods=["GET", "POST"])
@roles_required("buyer")
def project_cancel(project_id: int):
    """Terminate (终止) a published project with a reason."""
    project = get_project(project_id)
    form = CancelForm()
    if form.validate_on_submit():
        if attempt(form, project_service.cancel, project, form.reason.data, current_user):
            flash(_("项目已终止。"), "success")
            return _to_job(project, job_queries.KIND_TERMINATION)
    return render_template("buyer/project_cancel.html", form=form, project=project), 400 if request.method == "POST" else 200


@bp.route("/projects/<int:project_id>/files", methods=["POST"])
@roles_required("buyer")
def rfq_upload(project_id: int):
    """Upload an RFQ document (PDF, DOCX or XLSX, checked by content)."""
    project = get_project(project_id)
    form = RfqFileForm(prefix="rfq")
    if form.validate_on_submit() and attempt(form, rfq.add_file, project, form.file.data, form.title.data, current_user):
        flash(_("询比价文件已上传。报名成功的供应商可以下载。"), "success")
        return redirect(url_for("buyer.project", project_id=project.id) + "#rfq")
    return render_project_page(project, rfq_form=form, status=400)


@bp.route("/projects/<int:project_id>/files/<int:file_id>/remove", methods=["POST"])
@roles_required("buyer")
def rfq_remove(project_id: int, file_id: int):
    """Withdraw an RFQ document."""
    project = get_project(project_id)
    project_file = db.session.get(ProjectFile, file_id)
    if project_file is None or project_file.project_id != project.id:
        abort(404)
    rfq.remove_file(project_file, current_user)
    flash(gettext_marked(N_("已撤下文件“%(title)s”。"), title=project_file.title), "success")
    return redirect(url_for("buyer.project", project_id=project.id) + "#rfq")


@bp.route("/projects/<int:project_id>/files/<int:file_id>")
@roles_required("buyer")
def rfq_view(project_id: int, file_id: int):
    """Buyer staff open an RFQ document."""
    project = get_project(project_id)
    project_file = db.session.get(ProjectFile, file_id)
    if project_file is None or project_file.project_id != project.id:
        abort(404)
    return send_stored_file(
        project_file.stored_file, inline=project_file.stored_file.mime_type == "application/pdf", ascii_name=rfq.ascii_name(project_file)
    )

