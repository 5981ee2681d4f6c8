"""一件事 pages: start a bundle from its guide, see its members, sign once, submit once."""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from yingshang.core.errors import DomainError

from .bundles import (
    bundle_create,
    bundle_digest,
    bundle_get,
    bundle_sign,
    bundle_status,
    bundle_submit,
)
from .models import BundleState, Signature
from .signatures import signature_verify
from .views import _signed_in_user

_NAME_MAX = 100


@require_POST
def bundle_start(request: HttpRequest) -> HttpResponse:
    """Open the bundle named in the form (from a guide page) with the one form's name."""
    user = _signed_in_user(request)
    if isinstance(user, HttpResponse):
        return user
    name = request.POST.get("name", "").strip()[:_NAME_MAX]
    try:
        bundle = bundle_create(
            by=user,
            bundle_code=request.POST.get("bundle_code", ""),
            data={"name": name} if name else {},
        )
    except DomainError as exc:
        return render(
            request, "matters/missing.html", {"error": exc.message}, status=exc.code.http_status
        )
    return redirect("matters:bundle", number=bundle.number)


@sensitive_post_parameters("password", "otp_token")
def bundle_page(request: HttpRequest, number: str) -> HttpResponse:
    """One bundle: its members and their states; the applicant signs and submits it once."""
    user = _signed_in_user(request)
    if isinstance(user, HttpResponse):
        return user
    try:
        bundle = bundle_get(by=user, number=number)
    except DomainError as exc:
        return render(request, "matters/missing.html", {"error": exc.message}, status=404)
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "sign":
                bundle_sign(
                    by=user,
                    number=number,
                    password=request.POST.get("password", ""),
                    otp_token=request.POST.get("otp_token", ""),
                    expected_digest=request.POST.get("digest", ""),
                    request=request,
                )
            elif action == "submit":
                bundle_submit(
                    by=user,
                    number=number,
                    idempotency_key=request.POST.get("idempotency_key", ""),
                )
            else:
                error, status = str(_("不支持的操作。")), 400
            if not error:
                return redirect("matters:bundle", number=number)
        except DomainError as exc:
            error, status = exc.message, exc.code.http_status
        bundle.refresh_from_db()
    draft = bundle.state == BundleState.DRAFT
    digest = bundle_digest(bundle) if draft else bundle.digest
    signatures = [
        (signature, signature_verify(signature))
        for signature in Signature.objects.filter(bundle=bundle).order_by("signed_at", "id")
    ]
    return render(
        request,
        "matters/bundle.html",
        {
            "bundle": bundle,
            "status": bundle_status(bundle),
            "digest": digest,
            "signatures": signatures,
            "signed": any(ok and s.digest == digest for s, ok in signatures),
            "can_act": draft and user.pk in (bundle.applicant_id, bundle.filed_by_id),
            "can_sign": draft and user.pk == bundle.applicant_id,
            "needs_totp": user.is_official,
            "error": error,
            "idempotency_key": secrets.token_hex(8),
        },
        status=status,
    )
