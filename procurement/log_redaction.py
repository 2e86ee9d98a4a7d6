"""Keep password-reset tokens out of the logs.

The mailed link ``/auth/reset-password/<token>`` is a sign-in secret for its hour. Its GET answers
at once with a redirect to a token-free form (``procurement.auth.reset_views``), but that one
request line still reaches the access log: werkzeug's (the dev server, the browser tests), gunicorn's
(``gunicorn.access``, which also logs the Referer), and an error line that names the URL (gunicorn's
``Error handling request …``, Flask's ``Exception on … [GET]``). :class:`RedactResetTokens`, a filter
on those loggers, rewrites the formatted message with the token replaced by ``[redacted]``.

Both servers log with ``%`` arguments (werkzeug passes the request line in ``record.args``, gunicorn
a dict of atoms), so each argument is redacted in place and the traceback too; the record factory
installed by :func:`init_app` does the same for every record of the process, on any logger.
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


def redact_record(record: logging.LogRecord) -> None:
    """Redact reset tokens from ``record`` in place: its message, each of its arguments, its traceback.

    The arguments keep their shape (a tuple stays a tuple, gunicorn's dict of atoms a dict), so a
    formatter that reads them still works; only if the formatted message would still hold a token
    (one split across the format and an argument) is it kept as plain text with no arguments.
    """
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(redact(value) if isinstance(value, str) else value for value in record.args)
    elif isinstance(record.args, dict):
        record.args = {key: redact(value) if isinstance(value, str) else value for key, value in record.args.items()}
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is the handler's to report, as it would be
        return
    if redact(message) != message:
        record.msg, record.args = redact(message), None


class RedactResetTokens(logging.Filter):
    """Redact reset tokens from a record (see :func:`redact_record`); never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


#: One instance, so that installing it again (an app per test) adds nothing.
FILTER = RedactResetTokens()
_factory_installed = False


def install(*names: str) -> None:
    """Put the filter on the loggers ``names`` (by default :data:`LOGGERS`)."""
    for name in names or LOGGERS:
        logging.getLogger(name).addFilter(FILTER)


def install_record_factory() -> None:
    """Redact every record the process makes, on any logger (once per process).

    A logger's filters see only the records logged on that very logger, not its children's
    (``procurement.jobs.runner`` passes ``procurement``'s filters by), so the filters above alone
    would rest on no child logger ever naming a reset link. The record factory sees them all.
    """
    global _factory_installed
    if _factory_installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        redact_record(record)
        return record

    logging.setLogRecordFactory(redacting_factory)
    _factory_installed = True


def init_app(app: Flask) -> None:
    """Redact every record of the process, and filter the servers' loggers and the app's own too."""
    install_record_factory()
    install(*LOGGERS, app.logger.name)
