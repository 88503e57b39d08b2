"""Domain errors shared by every package.

Each error carries a message a user can act on and the HTTP status the API maps it to; an expected
outcome (bad input, not found, forbidden) is never a 500.
"""

from __future__ import annotations


class MedtrioError(Exception):
    """Base class: `message` is shown to the user, `status_code` is used by the API."""

    status_code: int = 400

    def __init__(self, message: str, *, detail: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class InvalidInput(MedtrioError):
    status_code = 422


class NotFound(MedtrioError):
    status_code = 404


class Forbidden(MedtrioError):
    status_code = 403


class Unauthenticated(MedtrioError):
    status_code = 401


class Conflict(MedtrioError):
    status_code = 409


class TooLarge(MedtrioError):
    status_code = 413
