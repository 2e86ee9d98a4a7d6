"""Opening officials (开标人): buyer staff and panel accounts, in their quorum role.

One blueprint for the one task both roles share: the personal opening key (个人开标密钥, set up
once, changed with the old passphrase, replaced when forgotten) and, on a quorum project's
opening page, the passphrase at the opening time. A project the signed-in account is not an
official of answers 404 (its existence is not revealed); suppliers get 403.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.auth.throttle import note_wrong_opening_passphrase, throttle_opening_passphrase
from procurement.extensions import db
from procurement.models import OpeningOfficial, Project
from procurement.officials.forms import ChangeKeyForm, ReplaceKeyForm, SetUpKeyForm, SupplyShareForm
from procurement.queries import opening as opening_queries
from procurement.queries import quorum as quorum_queries
from procurement.services import opening_keys, quorum_opening
from procurement.web import attempt

bp = Blueprint("officials", __name__, url_prefix="/officials")

OFFICIAL_ROLES = ("buyer", "panel")


def _key_page(set_up: SetUpKeyForm | None = None, change: ChangeKeyForm | None = None, replace: ReplaceKeyForm | None = None, status: int = 200):
    page = quorum_queries.key_page(current_user.id)
    return (
        render_template(
            "officials/key.html",
            page=page,
            set_up_form=set_up or SetUpKeyForm(formdata=None),
            change_form=change or ChangeKeyForm(formdata=None),
            replace_form=replace or ReplaceKeyForm(formdata=None),
        ),
        status,
    )


@bp.route("/key", methods=["GET", "POST"])
@roles_required(*OFFICIAL_ROLES)
def key():
    """The personal opening key: set it up once; the projects this account is an official of."""
    form = SetUpKeyForm()
    if request.method == "POST":
        if form.validate_on_submit() and attempt(form, opening_keys.set_up, current_user._get_current_object(), form.passphrase.data):
            flash(_("个人开标密钥已设置。请牢记开标口令：平台不保存它，忘记后无法找回。"), "success")
            return redirect(url_for("officials.key"))
        return _key_page(set_up=form, status=400)
    return _key_page()


@bp.route("/key/change", methods=["POST"])
@roles_required(*OFFICIAL_ROLES)
@throttle_opening_passphrase
def key_change():
    """Change the opening passphrase (needs the current one; a wrong one counts in the throttle)."""
    form = ChangeKeyForm()
    if form.validate_on_submit():
        outcome = attempt(form, opening_keys.change, current_user._get_current_object(), form.old_passphrase.data, form.new_passphrase.data)
        if outcome:
            flash(_("开标口令已修改，已发布项目中的开标份额仍可使用。"), "success")
            return redirect(url_for("officials.key"))
        _count_if_wrong(outcome)
    return _key_page(change=form, status=400)


def _count_if_wrong(outcome) -> None:
    """A passphrase refused as wrong counts in the opening-passphrase throttle (nothing else does)."""
    if outcome.error is not None and outcome.error.code == "wrong_passphrase":
        note_wrong_opening_passphrase()


@bp.route("/key/replace", methods=["POST"])
@roles_required(*OFFICIAL_ROLES)
def key_replace():
    """Replace a key whose passphrase is forgotten (a new key pair; old shares void)."""
    form = ReplaceKeyForm()
    if form.validate_on_submit() and attempt(form, opening_keys.replace, current_user._get_current_object(), form.replacement.data):
        flash(_("已重新生成个人开标密钥。此前已发布项目中的开标份额已作废。"), "warning")
        return redirect(url_for("officials.key"))
    return _key_page(replace=form, status=400)


def get_official_project(project_id: int) -> Project:
    """A quorum project the signed-in account is an opening official of.

    :raise 404: unknown project, or not one of its officials.
    """
    project = db.session.get(Project, project_id)
    if project is None or not project.is_quorum:
        abort(404)
    seat = db.session.scalar(
        sa.select(OpeningOfficial.id).where(OpeningOfficial.project_id == project.id, OpeningOfficial.user_id == current_user.id)
    )
    if seat is None:
        abort(404)
    return project


def _project_page(project: Project, form: SupplyShareForm | None = None, status: int = 200):
    return (
        render_template(
            "officials/project.html",
            project=project,
            record=opening_queries.opening_record(project),
            form=form or SupplyShareForm(formdata=None),
        ),
        status,
    )


@bp.route("/projects/<int:project_id>")
@roles_required(*OFFICIAL_ROLES)
def project(project_id: int):
    """A quorum project's opening as its official sees it: who supplied a share, how many more,
    the passphrase field at or after the opening time; once opened, the opening record."""
    return _project_page(get_official_project(project_id))


@bp.route("/projects/<int:project_id>/share", methods=["POST"])
@roles_required(*OFFICIAL_ROLES)
@throttle_opening_passphrase
def supply_share(project_id: int):
    """The official's passphrase: their share counted; the k-th opens the quotes (a wrong one counts in the throttle)."""
    project = get_official_project(project_id)
    form = SupplyShareForm()
    if form.validate_on_submit():
        outcome = attempt(form, quorum_opening.supply_share, project.id, current_user._get_current_object(), form.passphrase.data)
        if outcome:
            result = outcome.value
            if result.opened is not None:
                flash(_("开标人数已满足，报价已开启：%(n)s 份报价均与回执哈希核对一致；开标记录正在生成。", n=len(result.opened)), "success")
            else:
                flash(_("您的开标份额已提交。还需 %(n)s 位开标人输入开标口令，报价才会开启。", n=result.more_needed), "success")
            return redirect(url_for("officials.project", project_id=project.id))
        _count_if_wrong(outcome)
    return _project_page(project, form, 400)
