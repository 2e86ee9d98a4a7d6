"""Buyer staff: the record of refused sign-ins (wrong passwords, locked accounts, rate limits)."""
from __future__ import annotations

from flask import render_template

from procurement import clock
from procurement.auth.permissions import roles_required
from procurement.buyer.views import bp
from procurement.queries import sign_in as sign_in_queries


@bp.route("/sign-in-attempts")
@roles_required("buyer")
def sign_in_attempts():
    """Recent refused sign-ins with account, address and time, and the accounts locked now."""
    return render_template("buyer/sign_in_attempts.html", page=sign_in_queries.sign_in_attempts_page(clock.now()))
