"""Who may see what: decorators for pages, checks for services."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode

from .jurisdiction import covers
from .models import Role, User

View = Callable[..., HttpResponse]


def official_required(*roles: Role) -> Callable[[View], View]:
    """A page for officials who have passed the second factor, optionally of given roles."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not isinstance(user, User):
                raise PermissionDenied
            # OTPMiddleware gives every user is_verified(): true after the second factor.
            if not user.is_official or not user.is_verified():  # type: ignore[attr-defined]
                raise PermissionDenied
            if roles and Role(user.role) not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def actor_of(user: User) -> str:
    """How the ledger and version history name a user: ``user:<id>``."""
    return f"user:{user.pk}"


def role_check(user: object, roles: frozenset[Role] | set[Role], *, action: str) -> User:
    """For services: ``user`` must be an official holding one of ``roles``.

    Raises PERMISSION_DENIED naming the action and the roles that may do it. Pages and the
    API check the second factor before they call a service.
    """
    if not isinstance(user, User) or not user.is_active:
        raise DomainError(ErrorCode.NOT_AUTHENTICATED, _("请先登录。"))
    if Role(user.role) not in roles:
        allowed = "、".join(sorted(str(role.label) for role in roles))
        raise DomainError(
            ErrorCode.PERMISSION_DENIED,
            _("只有%(roles)s可以%(action)s。") % {"roles": allowed, "action": action},
            {"action": action},
        )
    return user


def jurisdiction_check(user: User, region_code: str) -> None:
    """For services: an official acts only on entities inside their jurisdiction."""
    if not covers(user.jurisdiction, region_code):
        raise DomainError(
            ErrorCode.OUTSIDE_JURISDICTION,
            _("该市场主体（住所行政区划 %(region)s）不在您的辖区（%(own)s）内。")
            % {"region": region_code, "own": user.jurisdiction or _("未设置")},
            {"region_code": region_code},
        )
