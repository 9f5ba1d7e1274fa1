"""Domain errors: a stable machine code, a Chinese message for people, an HTTP status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Raised by the store and the review chain; every entry point turns it into a clear answer."""

    status = 400

    def __init__(self, code: str, message: str, *, status: int | None = None, **data):
        super().__init__(message)
        self.code = code
        self.message = message
        if status is not None:
            self.status = status
        self.data = data

    def as_dict(self) -> dict:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data:
            out["data"] = self.data
        return out


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    status = 422
