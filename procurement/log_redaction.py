"""Keep password-reset tokens out of the logs.

The mailed link ``/auth/reset-password/<token>`` is a sign-in secret for its hour. Its GET answers
at once with a redirect to a token-free form (``procurement.auth.reset_views``), but that one
request line still reaches the access log: werkzeug's (the dev server, the browser tests), gunicorn's
(``gunicorn.access``, which also logs the Referer), and an error line that names the URL (gunicorn's
``Error handling request …``, Flask's ``Exception on … [GET]``). :class:`RedactResetTokens`, a filter
on those loggers, rewrites the formatted message with the token replaced by ``[redacted]``.

Both servers log with ``%`` arguments (werkzeug passes the request line in ``record.args``, gunicorn
a dict of atoms), so the filter formats the record itself and keeps the redacted text as its
message, with no arguments left to apply.
"""
from __future__ import annotations

import logging
import re

from flask import Flask

REDACTED = "[redacted]"
#: The link's path up to its token; the token is whatever follows up to a delimiter. The form's own
#: ``/auth/reset-password/set`` names no token and is left as it is.
TOKEN_IN_PATH = re.compile(r"(/auth/reset-password/)(?!set(?:[\s/?#\"'\\]|$))[^\s/?#\"'\\]+")
#: The loggers a request line or a URL reaches: the dev server's, gunicorn's access and error logs.
#: (The app's own logger is added by :func:`init_app`.)
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    """``text`` with every reset token in it replaced by ``[redacted]``."""
    return TOKEN_IN_PATH.sub(r"\1" + REDACTED, text)


class RedactResetTokens(logging.Filter):
    """Redact reset tokens from a record's formatted message; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is the handler's to report, as it would be
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


#: One instance, so that installing it again (an app per test) adds nothing.
FILTER = RedactResetTokens()


def install(*names: str) -> None:
    """Put the filter on the loggers ``names`` (by default :data:`LOGGERS`)."""
    for name in names or LOGGERS:
        logging.getLogger(name).addFilter(FILTER)


def init_app(app: Flask) -> None:
    """Install the filter on the servers' loggers and on the app's own (Flask logs a failed request's path)."""
    install(*LOGGERS, app.logger.name)
