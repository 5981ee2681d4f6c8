"""Who may see what: decorators for pages, checks for services."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

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
