"""The error tree that services raise. Interfaces map it to HTTP once.

Every error carries a human message, a stable machine `code`, and `extra` details (for example which
field or which stamp is at fault). The HTTP status lives on the class.
"""

from typing import Any


class ApplicationError(Exception):
    status = 400
    default_code = "error"

    def __init__(self, message: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "code": self.code, "extra": self.extra}


class ValidationFailed(ApplicationError):
    status = 400
    default_code = "invalid"


class PermissionDenied(ApplicationError):
    status = 403
    default_code = "permission_denied"


class NotFound(ApplicationError):
    status = 404
    default_code = "not_found"


class Conflict(ApplicationError):
    """The request is well-formed but the current state forbids it (illegal transition, stale data)."""

    status = 409
    default_code = "conflict"
