"""The API's shared schemas: the one error shape every endpoint declares."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema


class ErrorBody(Schema):
    code: str = Field(description="Stable error code, e.g. INVALID_USCC (see core.errors).")
    message: str = Field(description="A Chinese sentence that says what to fix.")
    details: dict[str, Any] = Field(description="What was wrong, machine-readable.")


class ErrorOut(Schema):
    error: ErrorBody
