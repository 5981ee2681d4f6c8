"""Read-only queries of the registration module (public notices, an application's case)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode

from .models import Deregistration, DeregistrationState

NOTICES_PER_PAGE = 20


def notices_current(*, q: str = "", page: int = 1) -> list[Deregistration]:
    """The simplified deregistration notices now running (公告中), newest first."""
    rows: QuerySet[Deregistration] = Deregistration.objects.filter(
        state=DeregistrationState.NOTICE
    ).order_by("-notice_starts_on", "-id")
    text = q.strip() if isinstance(q, str) else ""
    if text:
        rows = rows.filter(Q(entity_name__contains=text) | Q(credit_code=text.upper()))
    start = (max(page, 1) - 1) * NOTICES_PER_PAGE
    return list(rows[start : start + NOTICES_PER_PAGE])


def notice_get(*, number: str) -> Deregistration:
    """One notice, in any state (a concluded one stays readable with its outcome)."""
    deregistration = Deregistration.objects.filter(number=number).first()
    if deregistration is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("没有编号为%(n)s的简易注销公告。") % {"n": number})
    return deregistration
