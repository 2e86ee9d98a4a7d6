"""The panel member's home: the projects it sits on."""
from __future__ import annotations

import sqlalchemy as sa
from flask import render_template
from flask_login import current_user

from procurement import clock
from procurement.auth.permissions import roles_required
from procurement.extensions import db
from procurement.models import PanelMember
from procurement.panel.views import bp
from procurement.services import projects as project_service


@bp.route("/")
@roles_required("panel")
def home():
    """Projects this member is appointed to, with what each needs from the member."""
    memberships = db.session.scalars(
        sa.select(PanelMember).where(PanelMember.user_id == current_user.id, PanelMember.removed_at.is_(None)).order_by(PanelMember.id.desc())
    ).all()
    now = clock.now()
    return render_template("panel/home.html", memberships=memberships, phase=lambda p: project_service.phase(p, now))
