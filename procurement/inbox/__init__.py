"""站内消息 (a person's notifications), for every role: the list, one message, the e-mail switches.

Not a role's blueprint: each signed-in person reads its own messages here, and the navigation of
every page shows its unread count (one cheap statement, :func:`unread_for_nav`).
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("inbox", __name__, url_prefix="/messages")

from procurement.inbox import views  # noqa: E402,F401
