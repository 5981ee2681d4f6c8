"""The licences API: verify anything, read public credentials, and the officials' actions.

Public (no sign-in):

* ``POST /credentials/verify``: a verdict for a credential or a QR payload.
* ``GET /entities/{credit_code}/licence`` (and ``/sm2``, ``/qr``): the current e-business
  licence, its SM2 signature, its QR payload.
* ``GET /status-lists/{list_id}``: a signed Bitstring Status List credential.
* ``GET /issuer/did.json``, ``GET /trust-list``, ``GET /trust-bundle``: keys and trust.

Officials (session after the second factor; roles checked by the services): issue,
revoke, suspend, reinstate; manage the trust list.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Schema, Status

from yingshang.accounts.api_auth import official_session, request_user
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.schemas import ErrorOut
from yingshang.core.sm2 import sm2_public_key_to_pem

from . import keys, selectors, services, trust
from .dataintegrity import EDDSA_RDFC_2022
from .models import IssuerKey, Licence, LicenceState, TrustedIssuer
from .qr import qr_payload_encode
from .verification import (
    Reason,
    Verdict,
    credential_verify,
    credential_verify_text,
    verdict_too_large,
    verdict_unreadable,
)

router = Router(tags=["licences"])

JSON_LD = "application/ld+json"
DID_JSON = "application/did+json"


def _json(data: Any, *, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    response = JsonResponse(
        data, status=status, json_dumps_params={"ensure_ascii": False}, safe=False
    )
    response["Content-Type"] = f"{content_type}; charset=utf-8"
    return response


class CheckOut(Schema):
    check: str = Field(description="format, issuer, signature, validity or status")
    ok: bool | None = Field(description="true passed, false failed, null not run / not needed")
    reason: str | None = Field(description="Why it failed (see the reasons list)")
    message: str = Field(description="A Chinese sentence for people")


class VerdictOut(Schema):
    valid: bool
    reasons: list[str] = Field(
        description=(
            "Every failed check's reason: MALFORMED, TOO_LARGE, UNKNOWN_CONTEXT, "
            "INVALID_CREDENTIAL, UNKNOWN_ISSUER, UNKNOWN_KEY, KEY_REVOKED, NO_PROOF, "
            "DUPLICATE_PROOF, PROOF_INVALID, TAMPERED, EXPIRED, NOT_YET_VALID, REVOKED, "
            "SUSPENDED, STATUS_UNAVAILABLE"
        )
    )
    checks: list[CheckOut]
    issuer: dict[str, Any] | None = Field(description="Who issued it and in which region")
    credential: dict[str, Any] | None = Field(description="What the credential says")
    source: str = Field(description="json or qr")
    checked_at: str


def _verdict_response(verdict: Verdict) -> HttpResponse:
    status = 413 if Reason.TOO_LARGE in verdict.reasons else 200
    return _json(verdict.as_dict(), status=status)


@router.post(
    "/credentials/verify",
    response={200: VerdictOut, 413: VerdictOut},
    summary="Verify a credential or a QR payload",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"type": "object", "description": "a credential"},
                            {
                                "type": "object",
                                "properties": {"credential": {"type": "object"}},
                                "required": ["credential"],
                            },
                            {
                                "type": "object",
                                "properties": {"qr": {"type": "string"}},
                                "required": ["qr"],
                            },
                        ]
                    }
                },
                "text/plain": {"schema": {"type": "string"}},
            },
        }
    },
    description=(
        'The body is a credential (JSON), `{"credential": {...}}`, `{"qr": "YSVC1:..."}`, '
        "or the QR text itself (text/plain). At most 64 KiB (413 beyond). Every input gets a "
        "verdict, never an error page: `valid`, the failed `reasons`, and each check "
        "(format, issuer, signature, validity, status) with a Chinese message. Nothing is "
        "fetched from the network; status is read from this platform's published lists."
    ),
)
def credential_verify_endpoint(request: HttpRequest) -> HttpResponse:
    limit = settings.LICENCE_VERIFY_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _verdict_response(verdict_too_large(declared))  # the body is never read
    body = request.body
    try:
        wrapper = json.loads(body) if body[:1] in (b"{",) else None
    except ValueError:
        wrapper = None
    if isinstance(wrapper, dict) and set(wrapper) == {"qr"} and isinstance(wrapper["qr"], str):
        return _verdict_response(credential_verify_text(wrapper["qr"]))
    if isinstance(wrapper, dict) and set(wrapper) == {"credential"}:
        if isinstance(wrapper["credential"], dict):
            return _verdict_response(credential_verify(wrapper["credential"]))
        return _verdict_response(
            verdict_unreadable(Reason.MALFORMED, _("credential 必须是 JSON 对象（凭证本身）。"))
        )
    return _verdict_response(credential_verify_text(body))


@router.get(
    "/entities/{credit_code}/licence",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="The entity's current e-business licence (a signed credential)",
    description=(
        "The latest e-business licence issued to the entity, exactly as signed (W3C VC 2.0 "
        "with a Data Integrity proof). A business licence is public information. Its status "
        "(revoked, suspended) is in the status lists it names, not in this response."
    ),
)
def entity_licence(request: HttpRequest, credit_code: str) -> HttpResponse:
    licence = selectors.licence_current(credit_code=credit_code)
    return _json(licence.credential, content_type=JSON_LD)


@router.get(
    "/entities/{credit_code}/licence/sm2",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="The SM2/SM3 signature over the current licence",
    description=(
        "A detached SM2 signature (SM3 digest, distinguishing identifier 1234567812345678) "
        "over the RFC 8785 canonical JSON of the credential, with the public key in PEM."
    ),
)
def entity_licence_sm2(request: HttpRequest, credit_code: str) -> HttpResponse:
    licence = selectors.licence_current(credit_code=credit_code)
    signature = licence.sm2_signature or {}
    key_id = str(signature.get("verificationMethod", "")).partition("#")[2]
    key = IssuerKey.objects.filter(key_id=key_id).first()
    return _json(
        {
            "licence_id": licence.licence_id,
            "signature": signature,
            "public_key_pem": sm2_public_key_to_pem(bytes(key.public_key)) if key else None,
        }
    )


class QrOut(Schema):
    licence_id: str
    payload: str = Field(description="YSVC1: + base45(zlib(credential JSON))")


@router.get(
    "/entities/{credit_code}/licence/qr",
    response={200: QrOut, 404: ErrorOut},
    summary="The QR payload of the current licence (the credential itself, compressed)",
)
def entity_licence_qr(request: HttpRequest, credit_code: str) -> dict[str, str]:
    licence = selectors.licence_current(credit_code=credit_code)
    return {"licence_id": licence.licence_id, "payload": qr_payload_encode(licence.credential)}


@router.get(
    "/status-lists/{list_id}",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="A Bitstring Status List credential",
    description=(
        "Signed by the issuer; re-signed in the same transaction as every revocation, "
        "suspension or reinstatement, so it is never behind. Not cached by clients."
    ),
)
def status_list(request: HttpRequest, list_id: str) -> HttpResponse:
    response = _json(selectors.status_list_published(list_id=list_id), content_type=JSON_LD)
    response["Cache-Control"] = "no-cache"
    return response


@router.get(
    "/issuer/did.json",
    response={200: dict[str, Any]},
    summary="The issuer's DID document (all its keys)",
)
def issuer_did_document(request: HttpRequest) -> HttpResponse:
    return _json(keys.did_document(), content_type=DID_JSON)


@router.get(
    "/trust-bundle",
    response={200: dict[str, Any]},
    summary="Everything an offline verifier needs",
    description=(
        "Our DID document, the trusted issuers with their DID documents, and every signed "
        "status list. `yingshang licences verify --bundle FILE` verifies offline with it."
    ),
)
def trust_bundle(request: HttpRequest) -> HttpResponse:
    return _json(trust.trust_bundle())


class TrustedIssuerOut(Schema):
    did: str
    name: str
    region_code: str
    kind: str
    active: bool
    did_document: dict[str, Any]


@router.get("/trust-list", response=list[TrustedIssuerOut], summary="The trust list")
def trust_list(request: HttpRequest) -> list[TrustedIssuer]:
    return list(TrustedIssuer.objects.all())


# --- Officials ---------------------------------------------------------------------------------


class LicenceOut(Schema):
    licence_id: str
    kind: str
    credit_code: str
    state: str
    state_reason: str
    on_commitment: bool
    cryptosuite: str
    credential: dict[str, Any]


class IssueIn(Schema):
    cryptosuite: str = EDDSA_RDFC_2022


@router.post(
    "/entities/{credit_code}/licence",
    auth=official_session,
    response={
        201: LicenceOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Issue (or re-issue) the entity's e-business licence",
)
def licence_issue(
    request: HttpRequest,
    credit_code: str,
    payload: IssueIn = Body(None),  # noqa: B008
) -> Status:
    suite = payload.cryptosuite if payload is not None else EDDSA_RDFC_2022
    licence = services.business_licence_issue(
        by=request_user(request), credit_code=credit_code, cryptosuite=suite
    )
    return Status(201, licence)


class ReasonIn(Schema):
    reason: str


_ACTIONS = {
    "revoke": LicenceState.REVOKED,
    "suspend": LicenceState.SUSPENDED,
    "reinstate": LicenceState.ACTIVE,
}


@router.post(
    "/licences/{licence_id}/{action}",
    auth=official_session,
    response={
        200: LicenceOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
    },
    summary="Revoke, suspend or reinstate a licence (action: revoke, suspend, reinstate)",
)
def licence_state(request: HttpRequest, licence_id: str, action: str, payload: ReasonIn) -> Licence:
    state = _ACTIONS.get(action)
    if state is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("不支持的操作：%(action)s（可用 revoke、suspend、reinstate）。") % {"action": action},
        )
    return services.licence_state_set(
        by=request_user(request), licence_id=licence_id, state=state, reason=payload.reason
    )


class TrustedIssuerIn(Schema):
    did: str
    name: str
    region_code: str
    kind: str
    did_document: dict[str, Any]


@router.post(
    "/trust-list",
    auth=official_session,
    response={200: TrustedIssuerOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Add an issuer to the trust list, or update it",
)
def trust_list_save(request: HttpRequest, payload: TrustedIssuerIn) -> TrustedIssuer:
    entry = trust.issuer_entry_parse(payload.dict())
    return trust.trusted_issuer_save(by=request_user(request), entry=entry)


class ActiveIn(Schema):
    active: bool
    reason: str


@router.post(
    "/trust-list/{path:did}/active",
    auth=official_session,
    response={200: TrustedIssuerOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Suspend or restore trust in an issuer",
)
def trust_list_active(request: HttpRequest, did: str, payload: ActiveIn) -> TrustedIssuer:
    return trust.trusted_issuer_set_active(
        by=request_user(request), did=did, active=payload.active, reason=payload.reason
    )
