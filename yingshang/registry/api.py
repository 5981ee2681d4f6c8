"""The public registry API under ``/api/v1/entities``: search, the public record, history.

Errors use the platform's one shape (``{"error": {"code", "message", "details"}}``):
INVALID_USCC (with the failed rule and position), QUERY_TOO_SHORT, INVALID_INPUT (400),
NOT_FOUND (404). Identity numbers appear only masked.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from yingshang.core.schemas import ErrorOut

from . import selectors

router = Router(tags=["entities"])

# Search results, the public record and its history are declared once, as the selectors'
# dataclasses (EntitySummary, PublicEntity, PublicVersion); Ninja derives the schemas.


class SearchOut(Schema):
    items: list[selectors.EntitySummary]
    page: int
    page_size: int
    has_next: bool


class SearchParams(Schema):
    q: str = ""
    page: int = 1
    page_size: int = 20


@router.get(
    "",
    response={200: SearchOut, 400: ErrorOut},
    summary="Search entities by credit code or name fragment",
    description=(
        "`q` is an 18-character credit code (exact; letter case ignored) or any fragment of "
        "two or more characters of the name, matched anywhere in it. Results are in "
        "registration order; `has_next` says whether another page exists (no total count). "
        "`page` 1-500, `page_size` 1-100."
    ),
)
def entity_search(request: HttpRequest, params: Query[SearchParams]) -> dict[str, Any]:
    result = selectors.entity_search(q=params.q, page=params.page, page_size=params.page_size)
    return {
        "items": result.items,
        "page": result.page,
        "page_size": result.page_size,
        "has_next": result.has_next,
    }


@router.get(
    "/{credit_code}",
    response={200: selectors.PublicEntity, 400: ErrorOut, 404: ErrorOut},
    summary="The public record (公示信息) of one entity",
)
def entity_get(request: HttpRequest, credit_code: str) -> selectors.PublicEntity:
    return selectors.entity_get_public(credit_code=credit_code)


@router.get(
    "/{credit_code}/versions",
    response={200: list[selectors.PublicVersion], 400: ErrorOut, 404: ErrorOut},
    summary="The change history of one entity, oldest first",
)
def entity_versions(request: HttpRequest, credit_code: str) -> list[selectors.PublicVersion]:
    return selectors.entity_history_public(credit_code=credit_code)
