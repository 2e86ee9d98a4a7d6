"""Credit blacklists (失信名单): the dated list versions buyer staff import."""
from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from procurement.auth.permissions import roles_required
from procurement.buyer.views import bp
from procurement.domain.credit import LIST_KINDS
from procurement.extensions import db
from procurement.models import BlacklistImport


@bp.route("/blacklists")
@roles_required("buyer")
def blacklists():
    """Every imported list version, newest first, per list."""
    imports = db.session.scalars(sa.select(BlacklistImport).order_by(BlacklistImport.imported_at.desc())).all()
    return render_template("buyer/blacklists.html", imports=imports, list_kinds=LIST_KINDS)
