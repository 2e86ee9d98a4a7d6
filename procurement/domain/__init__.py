"""Pure procurement rules: no Flask, no database.

Every module here takes plain values (and ``now`` explicitly) and returns results or
raises a :class:`DomainError`. User-facing messages are Simplified Chinese templates
marked with :func:`N_` so Babel extracts them; the web layer translates them with
``gettext(error.message, **error.params)``.
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it here (Babel keyword ``N_``)."""
    return message


class DomainError(ValueError):
    """A rule was broken; ``message`` is an untranslated template, ``params`` fills it.

    ``code`` is a stable English key that tests and callers may match on.
    """

    code: str = "domain_error"

    def __init__(self, message: str, code: str | None = None, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        if code is not None:
            self.code = code
