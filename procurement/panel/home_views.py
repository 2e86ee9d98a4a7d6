"""The panel member's home: what waits for the member across its projects, then the projects."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from procurement import clock
from procurement.auth.permissions import roles_required
from procurement.panel.views import bp
from procurement.queries.attention_panel import panel_home


@bp.route("/")
@roles_required("panel")
def home():
    """Reviews and signatures waiting for this member, then the projects it is appointed to."""
    page = panel_home(current_user, clock.now())
    return render_template("panel/home.html", attention=page.attention, memberships=page.memberships, phase=page.phase)
