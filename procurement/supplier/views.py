"""Suppliers (供应商): the blueprint; its views are split by feature into sibling modules."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supplier", __name__, url_prefix="/supplier")

from procurement.supplier import home_views, profile_views  # noqa: E402,F401
