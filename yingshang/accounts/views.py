"""Sign-in in two steps: password for everyone, then a TOTP code for officials.

An official is not logged in after the password alone: the user id waits in the session
until the second step succeeds. A wrong password or a wrong code counts as a failed login
for django-axes, which locks the account after ``AXES_FAILURE_LIMIT`` failures.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import PasswordForm, TokenForm
from .models import User

PENDING = "accounts.pending_otp_user"
NEXT = "accounts.next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(request.POST or None)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            return render(request, "accounts/locked_out.html", status=429)
        if user is None:
            form.add_error(None, _("用户名或密码不正确。连续输错多次后账户将被临时锁定。"))
        elif isinstance(user, User) and user.is_official:
            request.session[PENDING] = user.pk
            request.session[NEXT] = next_url
            return redirect("accounts:otp")
        else:
            login(request, user)
            return redirect(next_url)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@sensitive_post_parameters("token")
@never_cache
@require_http_methods(["GET", "POST"])
def otp_view(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING)
    user = User.objects.filter(pk=pending, is_active=True).first() if pending else None
    if user is None:
        return redirect("accounts:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    form = TokenForm(request.POST or None)
    if device is None:
        form.add_error(None, _("您的账户尚未配置动态口令，请联系系统管理员。"))
    elif request.method == "POST" and form.is_valid():
        allowed, _throttle = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("尝试过于频繁，请稍候几秒再输入动态口令。"))
        elif device.verify_token(form.cleaned_data["token"]):
            next_url = request.session.get(NEXT, "/")
            del request.session[PENDING]
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            otp_login(request, device)
            return redirect(next_url)
        else:
            user_login_failed.send(
                sender=__name__, credentials={"username": user.username}, request=request
            )
            if getattr(request, "axes_locked_out", False):
                request.session.pop(PENDING, None)
                return render(request, "accounts/locked_out.html", status=429)
            form.add_error("token", _("动态口令不正确或已过期，请输入最新的6位数字。"))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/otp.html", {"form": form, "pending": user}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("portal:home")
