"""Business actions on licences: issue, revoke, suspend, reinstate; publish status lists.

Every action runs in one transaction that writes the licence, the status list bits and its
re-signed list credential, and the ledger event together: the public status list never
lags the licence (the change is visible the moment the transaction commits).

Status lists come in pairs (``revocation-N``, ``suspension-N``); a licence holds the same
index in both, drawn at random with :mod:`secrets` (so an index says nothing about when a
licence was issued). A pair is filled to half its size, then a new pair starts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.accounts.models import Role, User
from yingshang.accounts.permissions import actor_of, jurisdiction_check, role_check
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.licence_id import licence_id_build
from yingshang.core.reasons import reason_parse
from yingshang.ledger.services import event_append
from yingshang.licences import keys
from yingshang.licences.credential import business_licence_credential
from yingshang.licences.dataintegrity import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    SIGNING_SUITES,
    proof_create,
)
from yingshang.licences.sm2sig import signed_bytes, sm2_signature_create
from yingshang.licences.statuslist import (
    MIN_ENTRIES,
    StatusBitstring,
    status_entry,
    status_list_credential,
)
from yingshang.registry.models import EntityStatus, MarketEntity
from yingshang.registry.selectors import entity_get_public

from .models import (
    IssuerKey,
    KeyAlgorithm,
    Licence,
    LicenceKind,
    LicenceState,
    StatusList,
    StatusPurpose,
)

EVENT_ISSUED = "licences.licence.issued"
EVENT_STATUS = "licences.licence.status_changed"
EVENT_LIST_CREATED = "licences.status_list.created"

TYPE_CODE_BUSINESS = "YYZZ"  # 营业执照 in GB/T 36904 licence identifiers
ISSUING_ROLES = frozenset({Role.REGISTRATION_OFFICER, Role.LICENSING_OFFICER, Role.LEADER})
STATUS_ROLES = frozenset(
    {Role.REGISTRATION_OFFICER, Role.LICENSING_OFFICER, Role.ENFORCEMENT_OFFICER, Role.LEADER}
)
# A business licence is valid while the entity exists: no validUntil unless its term ends.
LICENSABLE_STATUSES = frozenset({EntityStatus.ACTIVE})
_FILL = 2  # fill a list pair to 1/_FILL of its entries, so random draws stay cheap


def status_list_url(list_id: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/api/v1/status-lists/{list_id}"


def _utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sign(
    document: dict[str, Any], *, cryptosuite: str, actor: str, now: dt.datetime
) -> tuple[dict[str, Any], IssuerKey]:
    key = keys.signing_key(KeyAlgorithm.ED25519, actor=actor)
    secured = proof_create(
        document=document,
        key=keys.ed25519_private_key(key),
        verification_method=keys.verification_method_id(key),
        cryptosuite=cryptosuite,
        created=_utc_text(now),
    )
    return secured, key


# --- Status lists ----------------------------------------------------------------------------


def _list_publish(status_list: StatusList, *, actor: str, now: dt.datetime) -> None:
    """Re-sign ``status_list``'s credential from its bits (in the caller's transaction)."""
    bitstring = StatusBitstring.from_bytes(bytes(status_list.bits))
    unsigned = status_list_credential(
        list_id=status_list_url(status_list.list_id),
        issuer=keys.issuer_did(),
        purpose=status_list.purpose,
        encoded_list=bitstring.encode(),
        valid_from=_utc_text(now),
    )
    status_list.published, _key = _sign(unsigned, cryptosuite=EDDSA_RDFC_2022, actor=actor, now=now)
    status_list.published_at = now
    status_list.revision += 1
    status_list.save(update_fields=["bits", "allocated", "revision", "published", "published_at"])


def status_lists_resign(*, revoked: IssuerKey, actor: str) -> list[str]:
    """Re-sign every published list that ``revoked`` signed, with the active key, so that no
    public list rests on a revoked key. Called by :func:`keys.issuer_key_revoke` in its
    transaction; returns the list ids re-signed."""
    method = keys.verification_method_id(revoked)
    now = timezone.now()
    resigned = []
    for status_list in StatusList.objects.select_for_update().order_by("id"):
        proof = (status_list.published or {}).get("proof")
        if isinstance(proof, dict) and proof.get("verificationMethod") == method:
            _list_publish(status_list, actor=actor, now=now)
            resigned.append(status_list.list_id)
    return resigned


def _pair_create(*, actor: str, now: dt.datetime) -> tuple[StatusList, StatusList]:
    number = StatusList.objects.filter(purpose=StatusPurpose.REVOCATION).count() + 1
    empty = bytes(MIN_ENTRIES // 8)
    pair = []
    for purpose in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION):
        status_list = StatusList.objects.create(
            list_id=f"{purpose.value}-{number}", purpose=purpose, size=MIN_ENTRIES, bits=empty
        )
        _list_publish(status_list, actor=actor, now=now)
        event_append(
            event_type=EVENT_LIST_CREATED,
            actor=actor,
            subject=f"status-list:{status_list.list_id}",
            payload={"url": status_list_url(status_list.list_id), "purpose": purpose.value},
        )
        pair.append(status_list)
    return pair[0], pair[1]


def _slot(*, actor: str, now: dt.datetime) -> tuple[StatusList, StatusList, int]:
    """A free random index in the current pair of lists (locked until the caller commits)."""
    revocation = (
        StatusList.objects.select_for_update()
        .filter(purpose=StatusPurpose.REVOCATION)
        .order_by("-id")
        .first()
    )
    if revocation is None or revocation.allocated * _FILL >= revocation.size:
        revocation, suspension = _pair_create(actor=actor, now=now)
    else:
        suspension = StatusList.objects.select_for_update().get(
            list_id=revocation.list_id.replace(
                StatusPurpose.REVOCATION.value, StatusPurpose.SUSPENSION.value, 1
            )
        )
    while True:
        index = secrets.randbelow(revocation.size)
        if not Licence.objects.filter(revocation_list=revocation, status_index=index).exists():
            break
    revocation.allocated += 1
    revocation.save(update_fields=["allocated"])
    return revocation, suspension, index


def _status_entries(revocation: StatusList, suspension: StatusList, index: int) -> list[Any]:
    return [
        status_entry(
            list_credential_url=status_list_url(status_list.list_id),
            index=index,
            purpose=status_list.purpose,
        )
        for status_list in (revocation, suspension)
    ]


# --- Issuing ---------------------------------------------------------------------------------


def _cryptosuite(value: object) -> str:
    if value not in SIGNING_SUITES:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("密码套件必须是 %(a)s 或 %(b)s。") % {"a": EDDSA_RDFC_2022, "b": EDDSA_JCS_2022},
            {"field": "cryptosuite"},
        )
    return str(value)


@dataclasses.dataclass(frozen=True, kw_only=True)
class IssueRequest:
    """What :func:`licence_create` needs beyond the entity (kept by the caller's service)."""

    kind: LicenceKind
    type_code: str
    industry_code: str = ""
    cryptosuite: str = EDDSA_RDFC_2022
    valid_until: dt.datetime | None = None
    on_commitment: bool = False


def licence_create(
    *,
    entity: MarketEntity,
    request: IssueRequest,
    build: Any,
    actor: str,
    now: dt.datetime,
) -> Licence:
    """Issue one licence in the caller's transaction: supersede the current one of the same
    kind, draw a status slot, build the credential with ``build(licence_id=…, status=…,
    issued_on=…, valid_from=…)``, sign it (Ed25519 and SM2), store it, append the event."""
    previous = (
        Licence.objects.select_for_update()
        .filter(
            credit_code=entity.credit_code, kind=request.kind, industry_code=request.industry_code
        )
        .order_by("-version")
        .first()
    )
    version = previous.version + 1 if previous is not None else 1
    serial = previous.serial if previous is not None else entity.pk
    if previous is not None and previous.state in (LicenceState.ACTIVE, LicenceState.SUSPENDED):
        _state_apply(
            previous,
            LicenceState.SUPERSEDED,
            reason=_("已换发第 %(version)d 版") % {"version": version},
            actor=actor,
            now=now,
        )
    licence_id = licence_id_build(
        type_code=request.type_code,
        issuer_credit_code=settings.LICENCE_ISSUER_CREDIT_CODE,
        serial=serial,
        version=version,
    )
    revocation, suspension, index = _slot(actor=actor, now=now)
    unsigned = build(
        licence_id=licence_id,
        status=_status_entries(revocation, suspension, index),
        issued_on=timezone.localdate(now),
        valid_from=now,
    )
    credential, key = _sign(unsigned, cryptosuite=request.cryptosuite, actor=actor, now=now)
    sm2_key = keys.signing_key(KeyAlgorithm.SM2, actor=actor)
    licence = Licence.objects.create(
        licence_id=licence_id,
        kind=request.kind,
        entity=entity,
        credit_code=entity.credit_code,
        industry_code=request.industry_code,
        serial=serial,
        version=version,
        credential=credential,
        cryptosuite=request.cryptosuite,
        key=key,
        sm2_signature=sm2_signature_create(
            credential=credential,
            private_key=keys.sm2_private_key(sm2_key),
            verification_method=keys.verification_method_id(sm2_key),
        ),
        revocation_list=revocation,
        suspension_list=suspension,
        status_index=index,
        on_commitment=request.on_commitment,
        valid_from=now.replace(microsecond=0),
        valid_until=request.valid_until,
        issued_at=now,
        issued_by=actor,
    )
    event_append(
        event_type=EVENT_ISSUED,
        actor=actor,
        subject=f"licence:{licence_id}",
        payload={
            "licence_id": licence_id,
            "kind": request.kind.value,
            "credit_code": entity.credit_code,
            "industry_code": request.industry_code,
            "version": version,
            "cryptosuite": request.cryptosuite,
            "key_id": key.key_id,
            "status_index": index,
            "revocation_list": revocation.list_id,
            "on_commitment": request.on_commitment,
            "credential_sha256": _credential_digest(credential),
        },
    )
    return licence


def _credential_digest(credential: Mapping[str, Any]) -> str:
    return hashlib.sha256(signed_bytes(dict(credential))).hexdigest()


def _locked_entity(credit_code: object) -> MarketEntity:
    code = credit_code.strip().upper() if isinstance(credit_code, str) else ""
    entity = MarketEntity.objects.select_for_update().filter(credit_code=code).first()
    if entity is None:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            _("没有统一社会信用代码为 %(code)s 的市场主体。") % {"code": code or credit_code},
            {"credit_code": code},
        )
    if entity.status not in LICENSABLE_STATUSES:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("市场主体当前状态为“%(status)s”，不能签发营业执照。")
            % {"status": EntityStatus(entity.status).label},
            {"credit_code": code, "status": entity.status},
        )
    return entity


def _valid_until(entity: MarketEntity) -> dt.datetime | None:
    if entity.business_term_end is None:
        return None
    end_of_term = dt.datetime.combine(entity.business_term_end + dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(end_of_term)


def business_licence_issue(
    *, by: User, credit_code: str, cryptosuite: str = EDDSA_RDFC_2022
) -> Licence:
    """签发电子营业执照: issue (or re-issue, superseding the old one) the entity's licence
    from its current registered facts."""
    role_check(by, ISSUING_ROLES, action=_("签发电子营业执照"))
    region = (
        MarketEntity.objects.filter(credit_code=str(credit_code).strip().upper())
        .values_list("region_code", flat=True)
        .first()
    )
    if region is not None:  # an unknown code is NOT_FOUND, below
        jurisdiction_check(by, region)
    return business_licence_issue_as(
        actor=actor_of(by), credit_code=credit_code, cryptosuite=cryptosuite
    )


def business_licence_issue_as(
    *, actor: str, credit_code: str, cryptosuite: str = EDDSA_RDFC_2022
) -> Licence:
    """:func:`business_licence_issue` for a caller that has checked permission itself (the
    registration services after approving an application, the demo, the benchmark)."""
    suite = _cryptosuite(cryptosuite)
    now = timezone.now()
    with transaction.atomic():
        entity = _locked_entity(credit_code)
        public = dataclasses.asdict(entity_get_public(credit_code=entity.credit_code))
        valid_until = _valid_until(entity)
        if valid_until is not None and valid_until <= now:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("营业期限已于 %(end)s 届满，请先办理营业期限变更登记，再申领电子营业执照。")
                % {"end": entity.business_term_end},
                {
                    "credit_code": entity.credit_code,
                    "business_term_end": str(entity.business_term_end),
                },
            )

        def build(**parts: Any) -> dict[str, Any]:
            return business_licence_credential(
                entity=public,
                issuer=keys.issuer_did(),
                valid_until=valid_until,
                **parts,
            )

        return licence_create(
            entity=entity,
            request=IssueRequest(
                kind=LicenceKind.BUSINESS,
                type_code=TYPE_CODE_BUSINESS,
                cryptosuite=suite,
                valid_until=valid_until,
            ),
            build=build,
            actor=actor,
            now=now,
        )


# --- Status ----------------------------------------------------------------------------------

# target state -> states it may be reached from
_ALLOWED_FROM: dict[LicenceState, frozenset[LicenceState]] = {
    LicenceState.SUSPENDED: frozenset({LicenceState.ACTIVE}),
    LicenceState.ACTIVE: frozenset({LicenceState.SUSPENDED}),
    LicenceState.REVOKED: frozenset({LicenceState.ACTIVE, LicenceState.SUSPENDED}),
    LicenceState.SUPERSEDED: frozenset({LicenceState.ACTIVE, LicenceState.SUSPENDED}),
}


def _state_apply(
    licence: Licence, state: LicenceState, *, reason: str, actor: str, now: dt.datetime
) -> None:
    """Move ``licence`` (locked) to ``state``: set both bits, re-publish both lists, log."""
    current = LicenceState(licence.state)
    if current not in _ALLOWED_FROM[state]:
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("证照当前状态为“%(current)s”，不能改为“%(target)s”。")
            % {"current": current.label, "target": state.label},
            {"licence_id": licence.licence_id, "state": current.value},
        )
    revoked = state in (LicenceState.REVOKED, LicenceState.SUPERSEDED)
    suspended = state == LicenceState.SUSPENDED
    lists = StatusList.objects.select_for_update().in_bulk(
        [licence.revocation_list_id, licence.suspension_list_id]
    )
    for list_pk, bit in (
        (licence.revocation_list_id, revoked),
        (licence.suspension_list_id, suspended),
    ):
        status_list = lists[list_pk]
        bitstring = StatusBitstring.from_bytes(bytes(status_list.bits))
        if bitstring.get(licence.status_index) != int(bit):
            bitstring.set(licence.status_index, int(bit))
            status_list.bits = bitstring.to_bytes()
            _list_publish(status_list, actor=actor, now=now)
    licence.state = state
    licence.state_reason = reason
    licence.state_changed_at = now
    licence.save(update_fields=["state", "state_reason", "state_changed_at"])
    event_append(
        event_type=EVENT_STATUS,
        actor=actor,
        subject=f"licence:{licence.licence_id}",
        payload={
            "licence_id": licence.licence_id,
            "from": current.value,
            "to": state.value,
            "reason": reason,
            "status_index": licence.status_index,
            "revocation_list": lists[licence.revocation_list_id].list_id,
        },
    )


def licence_state_set_as(
    *, actor: str, licence_id: str, state: LicenceState, reason: str
) -> Licence:
    """Revoke, suspend or reinstate (``ACTIVE``) a licence for an already-checked caller."""
    if state == LicenceState.SUPERSEDED:
        raise DomainError(
            ErrorCode.INVALID_INPUT, _("换发只能通过重新签发完成。"), {"field": "state"}
        )
    text = reason_parse(reason, label=_("原因"))
    with transaction.atomic():
        licence = Licence.objects.select_for_update().filter(licence_id=licence_id).first()
        if licence is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                _("没有标识为 %(id)s 的证照。") % {"id": licence_id},
                {"licence_id": licence_id},
            )
        _state_apply(licence, state, reason=text, actor=actor, now=timezone.now())
    return licence


def licence_state_set(*, by: User, licence_id: str, state: LicenceState, reason: str) -> Licence:
    """撤销 / 暂停 / 恢复: an official changes a licence's status, with a reason."""
    role_check(by, STATUS_ROLES, action=_("变更证照状态"))
    region = (
        Licence.objects.filter(licence_id=licence_id)
        .values_list("entity__region_code", flat=True)
        .first()
    )
    if region is not None:  # an unknown id is NOT_FOUND, below
        jurisdiction_check(by, region)
    return licence_state_set_as(
        actor=actor_of(by), licence_id=licence_id, state=state, reason=reason
    )
