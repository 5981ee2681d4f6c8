"""API authentication for officials: the browser session, after the second factor.

Officials call the service endpoints from the platform's own pages (or with the session
cookie and CSRF token a script obtains by signing in); a session that has not passed TOTP is
not an official session. Role checks stay in the services.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import SessionAuth

from yingshang.core.errors import DomainError, ErrorCode

from .models import User


class OfficialSession(SessionAuth):
    """Ninja auth: a signed-in official whose session passed the second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated or not user.is_official:
            return None
        if not user.is_verified():  # type: ignore[attr-defined]  # set by OTPMiddleware
            return None
        return user


official_session = OfficialSession()


class UserSession(SessionAuth):
    """Ninja auth: any signed-in user; an official only after the second factor."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        if user.is_official and not user.is_verified():  # type: ignore[attr-defined]
            return None
        return user


user_session = UserSession()


def request_user(request: HttpRequest) -> User:
    """The user that an auth class above authenticated for this request."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise DomainError(ErrorCode.NOT_AUTHENTICATED, _("请先登录。"))
    return user
