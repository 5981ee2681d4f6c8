"""Domain error codes (错误码) and the one exception that carries them.

Every rejected input or refused action raises :class:`DomainError` with an
:class:`ErrorCode` and a plain Chinese message that says what to fix. The API turns it into
one JSON shape (``{"error": {"code", "message", "details"}}``) with the code's HTTP status;
pages show the message.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any


class ErrorCode(enum.StrEnum):
    """Stable, documented error codes. The value is what clients see."""

    # Input that is malformed (the request can be corrected and sent again).
    INVALID_INPUT = "INVALID_INPUT"
    INVALID_USCC = "INVALID_USCC"
    INVALID_LICENCE_ID = "INVALID_LICENCE_ID"
    INVALID_KEY = "INVALID_KEY"
    INVALID_ID_NUMBER = "INVALID_ID_NUMBER"
    INVALID_REGION = "INVALID_REGION"
    INVALID_INDUSTRY = "INVALID_INDUSTRY"
    INVALID_DATE = "INVALID_DATE"
    CALENDAR_YEAR_UNKNOWN = "CALENDAR_YEAR_UNKNOWN"
    QUERY_TOO_SHORT = "QUERY_TOO_SHORT"
    # Who may do what.
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    OUTSIDE_JURISDICTION = "OUTSIDE_JURISDICTION"
    # State.
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    INVALID_STATE = "INVALID_STATE"
    STALE_VERSION = "STALE_VERSION"  # the caller read a version that has since changed
    ALREADY_SUBMITTED = "ALREADY_SUBMITTED"  # submitted before, under another idempotency key
    # Re-authentication and signatures (a fresh login before signing).
    AUTH_FAILED = "AUTH_FAILED"
    SIGNATURE_REQUIRED = "SIGNATURE_REQUIRED"
    # Registration.
    NAME_CONFLICT = (
        "NAME_CONFLICT"  # identical to a registered, reserved or recently cancelled name
    )
    NAME_SIMILAR = "NAME_SIMILAR"  # similar names: needs the declarant's signed commitment
    RESERVATION_EXPIRED = "RESERVATION_EXPIRED"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    DEADLINE_PASSED = "DEADLINE_PASSED"
    # The ledger.
    LEDGER_RANGE = "LEDGER_RANGE"
    LEDGER_TAMPERED = "LEDGER_TAMPERED"
    RATE_LIMITED = "RATE_LIMITED"

    @property
    def http_status(self) -> int:
        return _HTTP_STATUS.get(self, HTTPStatus.BAD_REQUEST)


_HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.NOT_AUTHENTICATED: HTTPStatus.UNAUTHORIZED,
    ErrorCode.PERMISSION_DENIED: HTTPStatus.FORBIDDEN,
    ErrorCode.OUTSIDE_JURISDICTION: HTTPStatus.FORBIDDEN,
    ErrorCode.NOT_FOUND: HTTPStatus.NOT_FOUND,
    ErrorCode.CONFLICT: HTTPStatus.CONFLICT,
    ErrorCode.INVALID_STATE: HTTPStatus.CONFLICT,
    ErrorCode.STALE_VERSION: HTTPStatus.CONFLICT,
    ErrorCode.ALREADY_SUBMITTED: HTTPStatus.CONFLICT,
    ErrorCode.AUTH_FAILED: HTTPStatus.UNAUTHORIZED,
    ErrorCode.SIGNATURE_REQUIRED: HTTPStatus.UNPROCESSABLE_ENTITY,
    ErrorCode.NAME_CONFLICT: HTTPStatus.CONFLICT,
    ErrorCode.NAME_SIMILAR: HTTPStatus.CONFLICT,
    ErrorCode.RESERVATION_EXPIRED: HTTPStatus.GONE,
    ErrorCode.NOT_ELIGIBLE: HTTPStatus.CONFLICT,
    ErrorCode.DEADLINE_PASSED: HTTPStatus.CONFLICT,
    ErrorCode.LEDGER_TAMPERED: HTTPStatus.INTERNAL_SERVER_ERROR,
    ErrorCode.RATE_LIMITED: HTTPStatus.TOO_MANY_REQUESTS,
}


class DomainError(Exception):
    """A refused input or action: an error code, a Chinese message, optional details.

    ``details`` names what was wrong in machine-readable form (``{"position": 18}``,
    ``{"field": "region"}``) so that a client can point at it.
    """

    def __init__(
        self, code: ErrorCode, message: str, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.details: dict[str, Any] = dict(details or {})

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "message": self.message, "details": self.details}

    def __repr__(self) -> str:
        return f"DomainError({self.code.value}, {self.message!r}, {self.details!r})"
