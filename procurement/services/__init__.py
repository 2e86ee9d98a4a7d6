"""Use cases: each loads, calls the domain, writes the audit event and commits."""
from procurement.domain import DomainError


class ServiceError(DomainError):
    """A request that the rules refuse; ``field`` names the form field it belongs to, if any."""

    code = "service_error"

    def __init__(self, message: str, code: str | None = None, field: str | None = None, **params: object) -> None:
        super().__init__(message, code, **params)
        self.field = field
