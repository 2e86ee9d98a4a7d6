"""Suppliers (供应商): the blueprint; its views are split by feature into sibling modules."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supplier", __name__, url_prefix="/supplier")

from procurement.supplier import home_views, profile_views  # noqa: E402,F401
from procurement.supplier import registration_views  # noqa: E402,F401  (issue 4)
from procurement.supplier import quote_views  # noqa: E402,F401  (issue 5)
from procurement.supplier import opening_record_views  # noqa: E402,F401  (issue 5)
from procurement.supplier import result_views  # noqa: E402,F401  (issue 7)
from procurement.supplier import rfq_views  # noqa: E402,F401  (issue 3)
from procurement.supplier import explanation_views  # noqa: E402,F401  (issue 6)
