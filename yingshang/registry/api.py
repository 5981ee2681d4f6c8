"""The public registry API under ``/api/v1/entities``: search, the public record, history.

Errors use the platform's one shape (``{"error": {"code", "message", "details"}}``):
INVALID_USCC (with the failed rule and position), QUERY_TOO_SHORT, INVALID_INPUT (400),
NOT_FOUND (404). Identity numbers appear only masked.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from yingshang.core.schemas import ErrorOut

from . import selectors

router = Router(tags=["entities"])


class EntitySummaryOut(Schema):
    credit_code: str
    name: str
    entity_type: str
    entity_type_label: str
    legal_representative: str
    status: str
    status_label: str
    region_code: str
    region_name: str
    established_on: datetime.date


class SearchOut(Schema):
    items: list[EntitySummaryOut]
    page: int
    page_size: int
    has_next: bool


class SearchParams(Schema):
    q: str = ""
    page: int = 1
    page_size: int = 20


class EntityOut(Schema):
    credit_code: str
    name: str
    entity_type: str
    entity_type_label: str
    legal_representative: str
    legal_representative_id_number_masked: str
    registered_capital: Decimal | None
    capital_currency: str
    capital_currency_label: str
    established_on: datetime.date
    business_term_start: datetime.date | None
    business_term_end: datetime.date | None
    region_code: str
    region_name: str
    address: str
    industry_code: str
    industry_name: str
    business_scope: str
    registration_authority: str
    status: str
    status_label: str
    status_changed_on: datetime.date | None
    is_small_micro: bool
    parent_credit_code: str
    version: int
    updated_at: datetime.datetime


class VersionOut(Schema):
    version: int
    kind: str
    kind_label: str
    changed_fields: list[str]
    changed_field_labels: list[str]
    created_at: datetime.datetime
    application_ref: str | None
    note: str


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
    response={200: EntityOut, 400: ErrorOut, 404: ErrorOut},
    summary="The public record (公示信息) of one entity",
)
def entity_get(request: HttpRequest, credit_code: str) -> selectors.PublicEntity:
    return selectors.entity_get_public(credit_code=credit_code)


@router.get(
    "/{credit_code}/versions",
    response={200: list[VersionOut], 400: ErrorOut, 404: ErrorOut},
    summary="The change history of one entity, oldest first",
)
def entity_versions(request: HttpRequest, credit_code: str) -> list[selectors.PublicVersion]:
    return selectors.entity_history_public(credit_code=credit_code)
