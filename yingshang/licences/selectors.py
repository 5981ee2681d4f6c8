"""Reads of licences and status lists (all public: a business licence is public information)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode

from .models import Licence, LicenceKind, StatusList


def licence_current(*, credit_code: str, kind: LicenceKind = LicenceKind.BUSINESS) -> Licence:
    """The entity's latest licence of ``kind`` (whatever its state), or NOT_FOUND."""
    code = credit_code.strip().upper()
    licence = (
        Licence.objects.select_related("key")
        .filter(credit_code=code, kind=kind)
        .order_by("-issued_at", "-id")
        .first()
    )
    if licence is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("统一社会信用代码为 %(code)s 的市场主体尚未领取电子营业执照。") % {"code": code},
            {"credit_code": code},
        )
    return licence


def licence_get(*, licence_id: str) -> Licence:
    licence = Licence.objects.select_related("key").filter(licence_id=licence_id).first()
    if licence is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有标识为 %(id)s 的证照。") % {"id": licence_id},
            {"licence_id": licence_id},
        )
    return licence


def licences_of(*, credit_code: str) -> list[Licence]:
    """Every licence of the entity, newest first (the enterprise's own page lists them)."""
    return list(
        Licence.objects.filter(credit_code=credit_code.strip().upper()).order_by(
            "-issued_at", "-id"
        )
    )


def status_list_published(*, list_id: str) -> dict[str, Any]:
    published = (
        StatusList.objects.filter(list_id=list_id).values_list("published", flat=True).first()
    )
    if published is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有标识为 %(id)s 的状态列表。") % {"id": list_id},
            {"list_id": list_id},
        )
    return dict(published)
