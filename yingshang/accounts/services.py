"""Account actions: creating users and departments, enrolling a second factor, and the
fresh login (re-authentication) that signing asks for."""

from __future__ import annotations

from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.idcard import id_number_parse
from yingshang.core.regions import region_parse
from yingshang.core.uscc import uscc_parse
from yingshang.ledger.services import event_append

from .models import Department, Notification, Role, User


@dataclass(frozen=True, slots=True)
class NewUser:
    """What it takes to create a user, validated by :func:`user_create`."""

    username: str
    password: str
    role: Role
    display_name: str = ""
    department_code: str = ""
    jurisdiction: str = ""
    entity_credit_code: str = ""
    id_number: str = ""  # from real-name verification (实名认证); identifies an investor


def department_create(
    *, actor: str, code: str, name: str, region_code: str, function: str = ""
) -> Department:
    """A new department; ``function`` is its approving function in the 一业一证 catalogue."""
    region = region_parse(region_code)
    code, name, function = code.strip(), name.strip(), function.strip().upper()
    if not code or not name:
        raise DomainError(ErrorCode.INVALID_INPUT, _("部门代码和部门名称都不能为空。"))
    with transaction.atomic():
        if Department.objects.filter(code=code).exists():
            raise DomainError(ErrorCode.CONFLICT, _("部门代码“%(code)s”已存在。") % {"code": code})
        department = Department.objects.create(
            code=code, name=name, region_code=region.code, function=function
        )
        event_append(
            event_type="accounts.department.created",
            actor=actor,
            subject=f"department:{code}",
            payload={"code": code, "name": name, "region_code": region.code, "function": function},
        )
    return department


def user_create(*, actor: str, new: NewUser) -> User:
    """Create a user after checking that the role's bindings are complete and valid.

    Officials need a department and a jurisdiction; enterprise users need a valid credit
    code. The password must pass the configured password validators.
    """
    username = new.username.strip()
    if not username or len(username) > 150:
        raise DomainError(ErrorCode.INVALID_INPUT, _("用户名不能为空，且不超过150个字符。"))
    try:
        validate_password(new.password, User(username=username))
    except ValidationError as exc:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("密码不符合要求：%(reasons)s") % {"reasons": "；".join(exc.messages)},
            {"field": "password"},
        ) from exc
    department = None
    jurisdiction = ""
    entity_code = ""
    if new.role.is_official:
        if not new.department_code or not new.jurisdiction:
            raise DomainError(ErrorCode.INVALID_INPUT, _("工作人员账户必须指定所属部门和辖区。"))
        department = Department.objects.filter(code=new.department_code).first()
        if department is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                _("部门“%(code)s”不存在。") % {"code": new.department_code},
            )
        jurisdiction = region_parse(new.jurisdiction).code
    if new.role is Role.ENTERPRISE:
        entity_code = uscc_parse(new.entity_credit_code).code
    id_number = id_number_parse(new.id_number).value if new.id_number else ""
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise DomainError(
                ErrorCode.CONFLICT, _("用户名“%(name)s”已被使用。") % {"name": username}
            )
        user = User.objects.create_user(
            username=username,
            password=new.password,
            role=new.role.value,
            display_name=new.display_name,
            department=department,
            jurisdiction=jurisdiction,
            entity_credit_code=entity_code,
            id_number=id_number,
        )
        event_append(
            event_type="accounts.user.created",
            actor=actor,
            subject=f"user:{user.pk}",
            # The ledger is public: record the grant of powers, not who the person is.
            payload={
                "role": new.role.value,
                "department": new.department_code,
                "jurisdiction": jurisdiction,
            },
        )
    return user


def totp_enrol(*, actor: str, user: User, key_hex: str | None = None) -> TOTPDevice:
    """Give ``user`` a confirmed TOTP device (replacing any earlier one).

    ``key_hex`` fixes the secret (demo accounts); by default django-otp draws 20 random bytes.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice(user=user, name=_("动态口令"), confirmed=True)
        if key_hex is not None:
            device.key = key_hex
        device.save()
        event_append(
            event_type="accounts.totp.enrolled",
            actor=actor,
            subject=f"user:{user.pk}",
            payload={"device": device.pk},
        )
    return device


def enterprise_notify(*, credit_code: str, title: str, body: str, link: str = "") -> Notification:
    """Put a message in the enterprise's inbox (in the caller's transaction)."""
    return Notification.objects.create(
        credit_code=credit_code,
        title=title[:200],
        body=body,
        link=link[:300],
        created_at=timezone.now(),
    )


def inbox_open(*, credit_code: str, limit: int) -> tuple[list[Notification], set[int]]:
    """The enterprise's newest ``limit`` messages and which of them were unread; opening
    the inbox marks those read (reading is no business action: no ledger event)."""
    notices = list(
        Notification.objects.filter(credit_code=credit_code).order_by("-created_at", "-id")[:limit]
    )
    unread = {notice.pk for notice in notices if notice.read_at is None}
    if unread:
        Notification.objects.filter(pk__in=unread, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    return notices, unread


REAUTH_ONE_FACTOR = "password"
REAUTH_TWO_FACTOR = "password+totp"


def _axes_request(request: HttpRequest | None) -> HttpRequest:
    """django-axes counts failures per request; a caller without one (CLI, a task) gets a
    stand-in, so that its failures still count toward the account's lockout."""
    if request is not None:
        return request
    stand_in = HttpRequest()
    stand_in.method = "POST"
    stand_in.path = stand_in.path_info = "/reauthenticate"
    return stand_in


def _reauth_failed(user: User, request: HttpRequest) -> DomainError:
    if getattr(request, "axes_locked_out", False):
        return DomainError(
            ErrorCode.RATE_LIMITED,
            _("连续验证失败次数过多，账户已被临时锁定，请稍后再试。"),
            {"field": "password"},
        )
    return DomainError(
        ErrorCode.AUTH_FAILED,
        _("密码或动态口令不正确，身份确认未通过。连续输错多次后账户将被临时锁定。"),
        {"field": "password"},
    )


def reauthenticate(
    *, user: User, password: str, otp_token: str = "", request: HttpRequest | None = None
) -> str:
    """A fresh login (再次验证身份): check ``user``'s password now and, for an official with a
    confirmed TOTP device, the current TOTP code. Returns how: ``"password"`` or
    ``"password+totp"``.

    A wrong password or code raises AUTH_FAILED and counts, like a failed sign-in, toward
    django-axes's lockout of the account; a locked-out account gets RATE_LIMITED even with
    the right password. Call it outside any transaction that a failure rolls back (the
    failure record is written in the caller's transaction).
    """
    if not isinstance(user, User) or not user.is_active:
        raise DomainError(ErrorCode.NOT_AUTHENTICATED, _("请先登录。"))
    request = _axes_request(request)
    credentials = {"username": user.username}
    if AxesProxyHandler.is_locked(request, credentials):
        request.axes_locked_out = True  # type: ignore[attr-defined]
        raise _reauth_failed(user, request)
    if not isinstance(password, str) or not password or len(password) > 4096:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        raise _reauth_failed(user, request)
    found = authenticate(request, username=user.username, password=password)
    if found is None or found.pk != user.pk:
        raise _reauth_failed(user, request)  # authenticate() has counted the failure
    method = REAUTH_ONE_FACTOR
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if user.is_official and device is not None:
        allowed, _throttle = device.verify_is_allowed()
        if not allowed:
            raise DomainError(
                ErrorCode.RATE_LIMITED,
                _("动态口令尝试过于频繁，请稍候几秒再试。"),
                {"field": "otp_token"},
            )
        token = otp_token.strip() if isinstance(otp_token, str) else ""
        if not (token.isascii() and token.isdigit() and len(token) == device.digits):
            token = ""
        if not token or not device.verify_token(token):
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            error = _reauth_failed(user, request)
            error.details["field"] = "otp_token"
            raise error
        method = REAUTH_TWO_FACTOR
    if settings.AXES_RESET_ON_SUCCESS:
        AxesProxyHandler.reset_attempts(username=user.username)
    return method
