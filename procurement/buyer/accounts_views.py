"""Panel member accounts, created by buyer staff in the browser."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from procurement.auth.permissions import roles_required
from procurement.buyer.forms import PanelAccountForm
from procurement.buyer.views import bp
from procurement.extensions import db
from procurement.models import ROLE_PANEL, User
from procurement.services import accounts
from procurement.web import attempt
from procurement.domain import N_
from procurement.formatting import gettext_marked


@bp.route("/panel-accounts", methods=["GET", "POST"])
@roles_required("buyer")
def panel_accounts():
    """List panel members' accounts and create new ones."""
    form = PanelAccountForm()
    if form.validate_on_submit():
        outcome = attempt(
            form, accounts.create_panel_member, form.email.data, form.password.data, form.name.data, form.phone.data or None, current_user
        )
        if outcome:
            user = outcome.value
            flash(gettext_marked(N_("已创建评审小组成员账户：%(name)s（%(email)s）。请将初始密码告知本人，并提醒其登录后修改。"), name=user.name, email=user.email), "success")
            return redirect(url_for("buyer.panel_accounts"))
    members = db.session.scalars(sa.select(User).where(User.role == ROLE_PANEL).order_by(User.name)).all()
    status = 400 if request.method == "POST" else 200
    return render_template("buyer/panel_accounts.html", form=form, members=members), status
