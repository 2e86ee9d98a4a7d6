"""Buyer staff (采购人): the blueprint; its views are split by feature into sibling modules."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("buyer", __name__, url_prefix="/buyer")

# Feature modules register their routes on ``bp`` when imported.
from procurement.buyer import accounts_views, calendar_views, clock_views, projects_views  # noqa: E402,F401
from procurement.buyer import blacklist_views, registrations_views  # noqa: E402,F401  (issue 4)
from procurement.buyer import opening_views  # noqa: E402,F401  (issue 5)
from procurement.buyer import panel_views  # noqa: E402,F401  (issue 6)
from procurement.buyer import audit_views, award_views  # noqa: E402,F401  (issue 7)
from procurement.buyer import sign_in_views  # noqa: E402,F401  (issue 14)
from procurement.buyer import jobs_views  # noqa: E402,F401  (issue 12)
from procurement.buyer import mail_views, password_reset_views  # noqa: E402,F401  (issue 13)
from procurement.buyer import opening_mode_views  # noqa: E402,F401  (issue 15)
