"""Interoperability: Digital Bazaar's JavaScript VC stack verifies what proof_create signs.

``interop/verify.mjs`` (pinned npm packages, see ``interop/README.md``) runs
``@digitalbazaar/vc`` ``verifyCredential`` with the eddsa-rdfc-2022 and eddsa-jcs-2022
Data Integrity suites and the Bitstring Status List ``checkStatus``, fully offline. The tests
are skipped when ``interop/node_modules`` is missing (run ``cd interop && npm ci``).

The first tests sign hand-made credentials with a ``did:key``; the later ones issue real
licences through the services (``did:web:yingshang.example``) and hand the verifier, in each
job's ``documents`` map, exactly what it would otherwise fetch: our licence context, the
issuer's DID document, each verification method and the published status lists.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from yingshang.core.errors import DomainError
from yingshang.licences import keys, selectors
from yingshang.licences.credential import business_licence_credential
from yingshang.licences.dataintegrity import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    VerifyReason,
    proof_create,
    proof_verify,
)
from yingshang.licences.documents import BUNDLED_CONTEXTS, CONTEXTS_DIR, LICENCE_V1
from yingshang.licences.models import IssuerKey, KeyAlgorithm, Licence, LicenceState
from yingshang.licences.multibase import did_key_resolve, multikey_encode_ed25519_public
from yingshang.licences.qr import qr_payload_decode, qr_payload_encode
from yingshang.licences.services import business_licence_issue_as, licence_state_set_as
from yingshang.licences.statuslist import (
    StatusBitstring,
    status_entry,
    status_list_credential,
)
from yingshang.licences.verification import Reason, credential_verify
from yingshang.registry.selectors import entity_get_public
from yingshang.registry.services import entity_data_parse, entity_register
from yingshang.registry.tests.conftest import raw_data

INTEROP = Path(__file__).resolve().parents[3] / "interop"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(
        not (INTEROP / "node_modules").is_dir(),
        reason="interop/node_modules missing: run `cd interop && npm ci`",
    ),
    pytest.mark.skipif(NODE is None, reason="node (Node.js) is not on PATH"),
]

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
LIST_URL = "https://licences.example.gov.cn/status/7"
SUITES = [EDDSA_RDFC_2022, EDDSA_JCS_2022]


def _timestamp(delta: dt.timedelta) -> str:
    moment = dt.datetime.now(dt.UTC).replace(microsecond=0) + delta
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class _Issuer:
    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()
        multikey = multikey_encode_ed25519_public(self.key.public_key())
        self.did = f"did:key:{multikey}"
        self.verification_method = f"{self.did}#{multikey}"

    def sign(self, document: dict[str, Any], cryptosuite: str) -> dict[str, Any]:
        return proof_create(
            document=document,
            key=self.key,
            verification_method=self.verification_method,
            cryptosuite=cryptosuite,
            created=_timestamp(dt.timedelta(days=-1)),
        )


def _licence(
    issuer: _Issuer,
    *,
    valid_from: str | None = None,
    valid_until: str | None = None,
    status: dict[str, Any] | None = None,
) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2],
        "id": "urn:uuid:6a1f0c3e-2b4d-4e8f-9a7b-5c3d2e1f0a9b",
        "type": ["VerifiableCredential"],
        "issuer": issuer.did,
        "validFrom": valid_from or _timestamp(dt.timedelta(days=-1)),
        "validUntil": valid_until or _timestamp(dt.timedelta(days=365)),
        "name": "营业执照（电子）",
        "description": "上海市市场监督管理局核发",
        # Only terms that credentials/v2 defines: its final version has no @vocab, and
        # jsonld.js safe mode refuses an RDFC-signed document with an undefined term.
        "credentialSubject": {
            "id": "did:example:91310000MA1FL8XQ2B",
            "name": "上海营商示范科技有限公司",
            "description": "统一社会信用代码 91310000MA1FL8XQ2B；经营范围：技术开发、软件销售",
        },
    }
    if status is not None:
        credential["credentialStatus"] = status
    return credential


def _undefined_term(licence: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(licence)
    changed["credentialSubject"]["企业类型"] = "有限责任公司"  # not defined by credentials/v2
    return changed


def _verify(jobs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert NODE is not None
    completed = subprocess.run(  # noqa: S603 — fixed argv, our own script
        [NODE, str(INTEROP / "verify.mjs")],
        input=json.dumps(jobs, ensure_ascii=False).encode(),
        capture_output=True,
        cwd=INTEROP,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    assert len(results) == len(jobs)
    return results


@pytest.mark.parametrize("cryptosuite", SUITES)
def test_digitalbazaar_accepts_ours_and_rejects_bad_ones(cryptosuite: str) -> None:
    issuer = _Issuer()
    good = issuer.sign(_licence(issuer), cryptosuite)

    tampered = copy.deepcopy(good)
    tampered["credentialSubject"]["name"] = "上海冒名顶替有限公司"

    expired = issuer.sign(
        _licence(
            issuer,
            valid_from=_timestamp(dt.timedelta(days=-30)),
            valid_until=_timestamp(dt.timedelta(days=-2)),
        ),
        cryptosuite,
    )
    not_yet_valid = issuer.sign(
        _licence(issuer, valid_from=_timestamp(dt.timedelta(days=2))), cryptosuite
    )

    ok, bad_signature, too_late, too_early = _verify(
        [{"credential": c, "documents": {}} for c in (good, tampered, expired, not_yet_valid)]
    )
    assert ok["verified"] is True, ok["errors"]
    assert ok["errors"] == []
    assert bad_signature["verified"] is False
    assert bad_signature["errors"]
    assert too_late["verified"] is False
    assert any("validUntil" in e or "expir" in e.lower() for e in too_late["errors"]), too_late
    assert too_early["verified"] is False
    assert any("validFrom" in e for e in too_early["errors"]), too_early


@pytest.mark.parametrize("cryptosuite", SUITES)
def test_digitalbazaar_reads_our_bitstring_status_list(cryptosuite: str) -> None:
    issuer = _Issuer()
    bits = StatusBitstring()
    bits.set(94567, 1)
    status_list = issuer.sign(
        status_list_credential(
            list_id=LIST_URL,
            issuer=issuer.did,
            purpose="revocation",
            encoded_list=bits.encode(),
            valid_from=_timestamp(dt.timedelta(days=-1)),
        ),
        cryptosuite,
    )
    revoked = issuer.sign(
        _licence(
            issuer,
            status=status_entry(list_credential_url=LIST_URL, index=94567, purpose="revocation"),
        ),
        cryptosuite,
    )
    valid = issuer.sign(
        _licence(
            issuer,
            status=status_entry(list_credential_url=LIST_URL, index=94566, purpose="revocation"),
        ),
        cryptosuite,
    )
    documents = {LIST_URL: status_list}

    revoked_result, valid_result, no_list = _verify(
        [
            {"credential": revoked, "documents": documents},
            {"credential": valid, "documents": documents},
            # Without the list in "documents" the loader refuses the URL: not verified.
            {"credential": valid, "documents": {}},
        ]
    )
    # @digitalbazaar/vc keeps verified=True for a revoked credential: the bit is the status.
    assert revoked_result["verified"] is True, revoked_result["errors"]
    assert revoked_result["status"] == [
        {"verified": True, "statusPurpose": "revocation", "status": True}
    ]
    assert valid_result["verified"] is True, valid_result["errors"]
    assert valid_result["status"] == [
        {"verified": True, "statusPurpose": "revocation", "status": False}
    ]
    assert no_list["verified"] is False
    assert any("Refused to load" in e for e in no_list["errors"]), no_list


def test_undefined_terms_under_rdfc_are_refused_by_both_verifiers() -> None:
    # RDFC drops a term the context does not define from the signed N-Quads, so that field
    # would be unprotected. We refuse to sign such a document, and a term slipped in after
    # signing is refused by our verifier and by jsonld.js (its "safe mode") alike. JCS signs
    # the JSON itself, so there the field is covered and both accept it.
    issuer = _Issuer()
    with pytest.raises(DomainError) as refused:
        issuer.sign(_undefined_term(_licence(issuer)), EDDSA_RDFC_2022)
    assert "企业类型" in refused.value.message

    smuggled = _undefined_term(issuer.sign(_licence(issuer), EDDSA_RDFC_2022))
    ours = proof_verify(document=smuggled, public_key_resolver=did_key_resolve)
    assert not ours.verified and VerifyReason.CANONICALIZATION_FAILED in ours.reasons

    jcs = issuer.sign(_undefined_term(_licence(issuer)), EDDSA_JCS_2022)
    assert proof_verify(document=jcs, public_key_resolver=did_key_resolve).verified
    rdfc_result, jcs_result = _verify(
        [{"credential": smuggled, "documents": {}}, {"credential": jcs, "documents": {}}]
    )
    assert rdfc_result["verified"] is False
    assert any("Safe mode" in e for e in rdfc_result["errors"]), rdfc_result
    assert jcs_result["verified"] is True, jcs_result["errors"]


# --- Real licences: issued by the services, signed by the platform's did:web key -------------

ACTOR = "system:interop-test"


def _issue(name: str, cryptosuite: str) -> Licence:
    entity = entity_register(actor=ACTOR, data=entity_data_parse(raw_data(name=name)))
    return business_licence_issue_as(
        actor=ACTOR, credit_code=entity.credit_code, cryptosuite=cryptosuite
    )


def _platform_documents(*credentials: dict[str, Any]) -> dict[str, Any]:
    """What DB's verifier needs for our credentials, as published (no network): the licence
    context, the issuer's DID document, every Ed25519 verification method, and the status
    lists the credentials name (read after any state change, as a verifier would fetch)."""
    licence_context = (CONTEXTS_DIR / BUNDLED_CONTEXTS[LICENCE_V1]).read_text(encoding="utf-8")
    did_document = keys.did_document()
    documents: dict[str, Any] = {
        LICENCE_V1: json.loads(licence_context),
        did_document["id"]: did_document,
    }
    for key in IssuerKey.objects.filter(algorithm=KeyAlgorithm.ED25519):
        method = keys.verification_method(key, with_context=True)
        documents[method["id"]] = method
    for credential in credentials:
        for entry in credential.get("credentialStatus", []):
            url = entry["statusListCredential"]
            documents[url] = selectors.status_list_published(list_id=url.rsplit("/", 1)[1])
    return documents


_ALL_CLEAR = [
    {"verified": True, "statusPurpose": "revocation", "status": False},
    {"verified": True, "statusPurpose": "suspension", "status": False},
]


@pytest.mark.django_db
def test_digitalbazaar_verifies_real_licences_in_both_suites_and_from_the_qr_code() -> None:
    rdfc = _issue("上海鑫达贸易有限公司", EDDSA_RDFC_2022).credential
    jcs = _issue("上海恒远贸易有限公司", EDDSA_JCS_2022).credential
    assert rdfc["issuer"] == jcs["issuer"] == "did:web:yingshang.example"
    assert rdfc["proof"]["cryptosuite"] == EDDSA_RDFC_2022
    assert jcs["proof"]["cryptosuite"] == EDDSA_JCS_2022
    scanned = qr_payload_decode(qr_payload_encode(rdfc))
    assert scanned == rdfc
    documents = _platform_documents(rdfc, jcs)

    results = _verify([{"credential": c, "documents": documents} for c in (rdfc, jcs, scanned)])
    for result in results:
        assert result["verified"] is True, result["errors"]
        assert result["errors"] == []
        assert result["status"] == _ALL_CLEAR
    for credential in (rdfc, jcs, scanned):  # and ours agrees
        assert credential_verify(credential).valid


@pytest.mark.django_db
@pytest.mark.parametrize("cryptosuite", SUITES)
def test_digitalbazaar_rejects_tampered_real_licences(cryptosuite: str) -> None:
    good = _issue("上海鑫达贸易有限公司", cryptosuite).credential
    renamed = copy.deepcopy(good)
    renamed["credentialSubject"]["entityName"] = "上海冒名顶替有限公司"
    widened = copy.deepcopy(good)
    widened["credentialSubject"]["businessScope"] += "；危险化学品经营"
    documents = _platform_documents(good)

    ok, *tampered = _verify(
        [{"credential": c, "documents": documents} for c in (good, renamed, widened)]
    )
    assert ok["verified"] is True, ok["errors"]
    for result in tampered:
        assert result["verified"] is False
        assert result["errors"]
    assert credential_verify(renamed).reasons == (Reason.TAMPERED,)


def _platform_signed(
    licence: Licence, *, valid_from: dt.datetime, valid_until: dt.datetime | None
) -> dict[str, Any]:
    """``licence``'s credential rebuilt with other validity dates and signed, as the service
    does, with the platform's active Ed25519 key (same subject, id and status entries)."""
    key = keys.signing_key(KeyAlgorithm.ED25519, actor=ACTOR)
    unsigned = business_licence_credential(
        entity=dataclasses.asdict(entity_get_public(credit_code=licence.credit_code)),
        issuer=keys.issuer_did(),
        licence_id=licence.licence_id,
        issued_on=licence.issued_at.date(),
        valid_from=valid_from,
        valid_until=valid_until,
        status=licence.credential["credentialStatus"],
    )
    return proof_create(
        document=unsigned,
        key=keys.ed25519_private_key(key),
        verification_method=keys.verification_method_id(key),
        cryptosuite=licence.cryptosuite,
        created=_timestamp(dt.timedelta(seconds=-1)),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("cryptosuite", SUITES)
def test_digitalbazaar_rejects_expired_and_not_yet_valid_real_licences(cryptosuite: str) -> None:
    licence = _issue("上海鑫达贸易有限公司", cryptosuite)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    expired = _platform_signed(
        licence, valid_from=now - dt.timedelta(days=30), valid_until=now - dt.timedelta(days=2)
    )
    not_yet_valid = _platform_signed(
        licence, valid_from=now + dt.timedelta(days=2), valid_until=None
    )
    still_valid = _platform_signed(
        licence, valid_from=now - dt.timedelta(days=30), valid_until=now + dt.timedelta(days=2)
    )
    documents = _platform_documents(licence.credential)

    too_late, too_early, in_time = _verify(
        [{"credential": c, "documents": documents} for c in (expired, not_yet_valid, still_valid)]
    )
    # The proofs are sound (the control verifies), so only the dates can be refused.
    assert in_time["verified"] is True, in_time["errors"]
    assert too_late["verified"] is False
    assert any("validUntil" in e or "expir" in e.lower() for e in too_late["errors"]), too_late
    assert too_early["verified"] is False
    assert any("validFrom" in e for e in too_early["errors"]), too_early
    assert credential_verify(expired).reasons == (Reason.EXPIRED,)
    assert credential_verify(not_yet_valid).reasons == (Reason.NOT_YET_VALID,)


@pytest.mark.django_db
@pytest.mark.parametrize("cryptosuite", SUITES)
def test_digitalbazaar_reads_a_revocation_made_by_the_service(cryptosuite: str) -> None:
    revoked = _issue("上海鑫达贸易有限公司", cryptosuite)
    kept = _issue("上海恒远贸易有限公司", cryptosuite)
    licence_state_set_as(
        actor=ACTOR,
        licence_id=revoked.licence_id,
        state=LicenceState.REVOKED,
        reason="以欺骗手段取得登记",
    )
    documents = _platform_documents(revoked.credential, kept.credential)

    revoked_result, kept_result = _verify(
        [{"credential": c, "documents": documents} for c in (revoked.credential, kept.credential)]
    )
    # DB keeps verified=True for a revoked credential: the revocation bit is the answer.
    assert revoked_result["verified"] is True, revoked_result["errors"]
    assert revoked_result["status"] == [
        {"verified": True, "statusPurpose": "revocation", "status": True},
        {"verified": True, "statusPurpose": "suspension", "status": False},
    ]
    assert kept_result["status"] == _ALL_CLEAR
    assert credential_verify(revoked.credential).reasons == (Reason.REVOKED,)


@pytest.mark.django_db
def test_digitalbazaar_refuses_documents_we_did_not_hand_over() -> None:
    credential = _issue("上海鑫达贸易有限公司", EDDSA_RDFC_2022).credential
    documents = _platform_documents(credential)
    did = credential["issuer"]
    method = credential["proof"]["verificationMethod"]
    status_url = credential["credentialStatus"][0]["statusListCredential"]
    missing = {
        url: {k: v for k, v in documents.items() if k != url}
        for url in (LICENCE_V1, did, method, status_url)
    }

    results = _verify([{"credential": credential, "documents": d} for d in missing.values()])
    for url, result in zip(missing, results, strict=True):
        assert result["verified"] is False, url
        assert any(f'Refused to load "{url}"' in e for e in result["errors"]), (url, result)
