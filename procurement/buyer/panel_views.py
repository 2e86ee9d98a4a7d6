"""Buyer staff: appoint the project's panel (询比价小组), its chair, replacements; start the evaluation.

Also the evaluation's progress for the project page, and the report and termination PDFs.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, SelectField

from procurement.auth.permissions import roles_required
from procurement.buyer.loaders import get_project
from procurement.buyer.views import bp
from procurement.extensions import db
from procurement.forms_common import BaseForm, choices, data_choice, parse_id, required
from procurement.formatting import parenthesised
from procurement.models import PanelMember, Project, User
from procurement.queries import evaluation as reads
from procurement.queries import evaluation_votes as tally
from procurement.queries import evaluation_pages as pages
from procurement.services import evaluation as service
from procurement.services import projects as project_service
from procurement.web import attempt, send_document
from procurement.domain import N_
from procurement.formatting import gettext_marked


class AppointForm(BaseForm):
    """Appoint one panel account to the project's panel."""

    user_id = SelectField(_l("评审人员"), validators=[required(_l("请选择评审人员。"))])
    chair = BooleanField(_l("担任组长"))


class ReplaceForm(BaseForm):
    """Replace a member (typically one who recused) by another panel account."""

    user_id = SelectField(_l("替换为"), validators=[required(_l("请选择评审人员。"))])


def _account_choices(project: Project):
    accounts = reads.available_panel_accounts(project)
    return choices([("", _("请选择"))]) + [
        data_choice(str(user.id), f"{user.name}{parenthesised(user.email).unescape()}") for user in accounts
    ]


def _user(value: str | None) -> User | None:
    user_id = parse_id(value)
    return db.session.get(User, user_id) if user_id is not None else None


def get_member(project: Project, member_id: int) -> PanelMember:
    """A current member of ``project``'s panel.

    :raise 404: otherwise.
    """
    member = db.session.get(PanelMember, member_id)
    if member is None or member.project_id != project.id or member.removed_at is not None:
        abort(404)
    return member


def _appoint_form(project: Project, account_choices=None) -> AppointForm:
    form = AppointForm()
    form.user_id.choices = account_choices if account_choices is not None else _account_choices(project)
    return form


def _replace_form(project: Project, member: PanelMember, account_choices=None) -> ReplaceForm:
    form = ReplaceForm(prefix=f"m{member.id}")
    form.user_id.choices = account_choices if account_choices is not None else _account_choices(project)
    return form


def _render_panel(project: Project, *, appoint_form=None, replace_forms=None, error: str | None = None, status=200):
    page = pages.buyer_panel(project)
    account_choices = _account_choices(project)
    forms = {member.id: _replace_form(project, member, account_choices) for member in page.progress.members}
    forms.update(replace_forms or {})
    return (
        render_template(
            "buyer/panel.html",
            page=page,
            project=project,
            phase=project_service.phase(project),
            appoint_form=appoint_form or _appoint_form(project, account_choices),
            replace_forms=forms,
            page_error=error,
        ),
        status,
    )


@bp.route("/projects/<int:project_id>/panel")
@roles_required("buyer")
def panel(project_id: int):
    """The project's panel: members, declarations, chair, and the evaluation's progress."""
    return _render_panel(get_project(project_id))


@bp.route("/projects/<int:project_id>/panel/appoint", methods=["POST"])
@roles_required("buyer")
def panel_appoint(project_id: int):
    """Appoint a member (optionally as chair)."""
    project = get_project(project_id)
    form = _appoint_form(project)
    if form.validate_on_submit():
        outcome = attempt(form, service.appoint_member, project, _user(form.user_id.data), current_user, chair=form.chair.data)
        if outcome:
            flash(gettext_marked(N_("已指定%(name)s为询比价小组成员。"), name=outcome.value.user.name), "success")
            return redirect(url_for("buyer.panel", project_id=project.id))
    return _render_panel(project, appoint_form=form, status=400)


def _refused(project: Project, form: BaseForm):
    return _render_panel(project, error=" ".join(form.form_errors), status=400)


@bp.route("/projects/<int:project_id>/panel/<int:member_id>/chair", methods=["POST"])
@roles_required("buyer")
def panel_chair(project_id: int, member_id: int):
    """Make a member the chair."""
    project = get_project(project_id)
    member = get_member(project, member_id)
    form = BaseForm()
    if not attempt(form, service.set_chair, member, current_user):
        return _refused(project, form)
    flash(gettext_marked(N_("已指定%(name)s为组长。"), name=member.user.name), "success")
    return redirect(url_for("buyer.panel", project_id=project.id))


@bp.route("/projects/<int:project_id>/panel/<int:member_id>/remove", methods=["POST"])
@roles_required("buyer")
def panel_remove(project_id: int, member_id: int):
    """Take a member off the panel before the evaluation starts."""
    project = get_project(project_id)
    member = get_member(project, member_id)
    form = BaseForm()
    if not attempt(form, service.remove_member, member, current_user):
        return _refused(project, form)
    flash(gettext_marked(N_("已将%(name)s移出询比价小组。"), name=member.user.name), "success")
    return redirect(url_for("buyer.panel", project_id=project.id))


@bp.route("/projects/<int:project_id>/panel/<int:member_id>/replace", methods=["POST"])
@roles_required("buyer")
def panel_replace(project_id: int, member_id: int):
    """Replace a member (one who recused, say) by another panel account."""
    project = get_project(project_id)
    member = get_member(project, member_id)
    form = _replace_form(project, member)
    if form.validate_on_submit():
        old_name = member.user.name
        outcome = attempt(form, service.replace_member, member, _user(form.user_id.data), current_user)
        if outcome:
            flash(gettext_marked(N_("已由%(new)s替换%(old)s。"), new=outcome.value.user.name, old=old_name), "success")
            return redirect(url_for("buyer.panel", project_id=project.id))
    return _render_panel(project, replace_forms={member.id: form}, status=400)


@bp.route("/projects/<int:project_id>/panel/start", methods=["POST"])
@roles_required("buyer")
def panel_start(project_id: int):
    """Start the evaluation: the panel must be able to decide and every member must have declared."""
    project = get_project(project_id)
    form = BaseForm()
    if not attempt(form, service.start_evaluation, project, current_user):
        return _refused(project, form)
    flash(_("评审已启动，已按最新失信名单重新核查参加供应商的信用记录。"), "success")
    return redirect(url_for("buyer.panel", project_id=project.id))


@bp.route("/projects/<int:project_id>/evaluation-report.pdf")
@roles_required("buyer")
def evaluation_report_pdf(project_id: int):
    """The evaluation report PDF, once every member has confirmed it."""
    project = get_project(project_id)
    return send_document(tally.report_document(project), f"{project.code}-评审报告.pdf", inline=True)


@bp.route("/projects/<int:project_id>/termination-notice.pdf")
@roles_required("buyer")
def termination_notice_pdf(project_id: int):
    """The termination notice of a project that failed (流标)."""
    project = get_project(project_id)
    return send_document(tally.termination_document(project), f"{project.code}-终止公告.pdf", inline=True)
