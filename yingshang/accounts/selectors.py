"""Read-only queries of accounts."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode

from .models import Role, User


def applicant_find(value: object, *, field: str = "applicant") -> User:
    """The applicant an official names at the counter (or an API client names): an active
    public or enterprise user, by username or by the ID number of their real-name
    verification. NOT_FOUND naming ``field`` otherwise."""
    text = value.strip() if isinstance(value, str) else ""
    user = (
        User.objects.filter(Q(username=text) | Q(id_number=text.upper()))
        .filter(role__in=[Role.PUBLIC, Role.ENTERPRISE], is_active=True)
        .first()
        if text
        else None
    )
    if user is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有用户名或身份证号为“%(v)s”的申请人（须为已注册的社会公众或企业用户）。")
            % {"v": text},
            {"field": field},
        )
    return user
