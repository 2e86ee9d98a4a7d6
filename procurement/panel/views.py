"""Panel members: the blueprint; its views are split by feature into sibling modules."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("panel", __name__, url_prefix="/panel")

from procurement.panel import home_views  # noqa: E402,F401
from procurement.panel import review_views  # noqa: E402,F401  (issue 6)
from procurement.panel import decision_views  # noqa: E402,F401  (issue 6)
from procurement.panel import opening_views  # noqa: E402,F401  (issue 5)
