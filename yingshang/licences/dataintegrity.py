"""W3C Data Integrity proofs (数据完整性证明) for verifiable credentials (VC 2.0).

Cryptosuites, following W3C *vc-di-eddsa* and *vc-di-ecdsa*:

* ``eddsa-rdfc-2022`` and ``eddsa-jcs-2022``: create and verify (Ed25519).
* ``ecdsa-rdfc-2019`` and ``ecdsa-jcs-2019``: verify only (P-256 with SHA-256, P-384 with
  SHA-384; the signature is raw ``r || s``).

Every suite computes::

    hashData = H(canonical proof configuration) || H(canonical unsecured document)

where the canonical form is RDF Dataset Canonicalization (RDFC-1.0, byte-identical to
URDNA2015 N-Quads) for ``*-rdfc-*`` and RFC 8785 JSON Canonicalization for ``*-jcs-*``. The
proof configuration is the proof without ``proofValue`` and with the document's
``@context``. ``proofValue`` is ``"z" + base58btc(signature)``.

JSON-LD contexts are only ever read from :mod:`yingshang.licences.documents`' offline
loader; an unknown context is refused with a :class:`DomainError`, never fetched.
"""

from __future__ import annotations

import copy
import datetime as dt
import enum
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.utils.translation import gettext as _
from pyld import jsonld

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.licences.documents import (
    ContextRefused,
    DocumentLoader,
    domain_error_in,
    jsonld_expand,
    jsonld_normalize,
    jsonld_options,
    offline_loader,
)
from yingshang.licences.multibase import multibase_decode, multibase_encode

PROOF_TYPE = "DataIntegrityProof"
SEC_PROOF = "https://w3id.org/security#proof"  # ``proof`` expanded
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
ECDSA_RDFC_2019 = "ecdsa-rdfc-2019"
ECDSA_JCS_2019 = "ecdsa-jcs-2019"

SIGNING_SUITES = frozenset({EDDSA_RDFC_2022, EDDSA_JCS_2022})
VERIFYING_SUITES = frozenset({EDDSA_RDFC_2022, EDDSA_JCS_2022, ECDSA_RDFC_2019, ECDSA_JCS_2019})

# XML Schema 1.1 dateTime (the form ``created`` and ``expires`` must take).
_XSD_DATETIME = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?", re.ASCII
)

# An absolute IRI starts with a scheme (RFC 3987).
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")

# ECDSA: curve -> (hash used for hashData and signing, byte length of r and of s).
_ECDSA_CURVES: dict[str, tuple[type[hashes.HashAlgorithm], int]] = {
    "secp256r1": (hashes.SHA256, 32),
    "secp384r1": (hashes.SHA384, 48),
}


class VerifyReason(enum.StrEnum):
    """Why a proof did not verify (machine-readable; messages are in Chinese)."""

    PROOF_MISSING = "PROOF_MISSING"
    PROOF_MALFORMED = "PROOF_MALFORMED"
    UNSUPPORTED_CRYPTOSUITE = "UNSUPPORTED_CRYPTOSUITE"
    PROOF_PURPOSE_MISMATCH = "PROOF_PURPOSE_MISMATCH"
    INVALID_CREATED = "INVALID_CREATED"
    CONTEXT_MISMATCH = "CONTEXT_MISMATCH"
    INVALID_PROOF_VALUE = "INVALID_PROOF_VALUE"
    KEY_UNRESOLVED = "KEY_UNRESOLVED"
    KEY_TYPE_MISMATCH = "KEY_TYPE_MISMATCH"
    CANONICALIZATION_FAILED = "CANONICALIZATION_FAILED"
    SIGNATURE_INVALID = "SIGNATURE_INVALID"


@dataclass(frozen=True)
class VerifyFailure:
    reason: VerifyReason
    message: str


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of :func:`proof_verify`: ``verified`` and, if not, the reasons why."""

    verified: bool
    cryptosuite: str | None = None
    verification_method: str | None = None
    failures: tuple[VerifyFailure, ...] = ()

    @property
    def reasons(self) -> tuple[VerifyReason, ...]:
        return tuple(failure.reason for failure in self.failures)


class _Failed(Exception):
    """Internal: stops verification with one reason."""

    def __init__(self, reason: VerifyReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# --- canonical forms -------------------------------------------------------------------------


class Expansion(NamedTuple):
    """A document's expanded form and the terms its contexts do not define."""

    document: Any
    undefined: list[str]


def _relative_iris(expanded: Any) -> set[str]:
    """Types and ``@id`` values that stayed relative IRIs (RDF keeps nothing of them)."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key in ("@type", "@id"):
                    iris = value if isinstance(value, list) else [value]
                    found.update(
                        iri for iri in iris if isinstance(iri, str) and not _absolute_iri(iri)
                    )
                walk(value)

    walk(expanded)
    return found


def expansion_from(expanded: Any, dropped: set[str]) -> Expansion:
    """An :class:`Expansion` from pyld's output and the properties it reported dropped."""
    return Expansion(expanded, sorted(dropped | _relative_iris(expanded)))


def expansion_without_proof(expansion: Expansion) -> Expansion:
    """The expansion of a secured document, less its proof: the unsecured document's.

    ``proof`` is a graph container (``sec:proof``) on the top node, so removing that key
    from the expanded top node gives what expanding the document without ``proof`` gives.
    """
    nodes = [
        {key: value for key, value in node.items() if key != SEC_PROOF}
        if isinstance(node, dict)
        else node
        for node in expansion.document
    ]
    return Expansion(nodes, expansion.undefined)


def _expand_checked(document: dict[str, Any], *, loader: DocumentLoader) -> Expansion:
    """The expanded form of ``document`` and the properties and types no context defines.

    Expansion drops a property that no context maps to an absolute IRI (pyld reports each
    to ``on_property_dropped``) and leaves an undefined type or a relative ``@id`` as a
    relative IRI; RDF canonicalization then drops them, so an RDFC signature would not cover
    them (jsonld.js calls refusing them "safe mode"). A later ``@vocab`` (as in the examples
    context) makes every term defined, as it should.
    """
    dropped: set[str] = set()
    expanded = jsonld_expand(
        document,
        jsonld_options(loader, base=None),
        on_property_dropped=lambda term: dropped.add(str(term)),
    )
    return expansion_from(expanded, dropped)


def _absolute_iri(value: str) -> bool:
    return value.startswith(("_:", "@")) or _ABSOLUTE_IRI.match(value) is not None


def undefined_terms(document: dict[str, Any], *, loader: DocumentLoader) -> list[str]:
    """Properties and types of ``document`` that its contexts do not define."""
    return _expand_checked(document, loader=loader).undefined


def canonicalize_rdfc(
    document: dict[str, Any], *, loader: DocumentLoader, expansion: Expansion | None = None
) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document (offline contexts only).

    Refuses a document with terms its contexts do not define: canonicalization would drop
    them, and a signature over the result would leave them unprotected. The document is
    expanded once (or not at all when the caller has its ``expansion``); canonicalization
    starts from the expanded form.
    """
    try:
        expanded, undefined = expansion or _expand_checked(document, loader=loader)
        if undefined:
            raise DomainError(
                ErrorCode.INVALID_INPUT,
                _("以下属性或类型未在 JSON-LD 上下文中定义，RDFC 签名无法保护它们：%(terms)s")
                % {"terms": "、".join(undefined)},
                {"undefined_terms": undefined},
            )
        result = jsonld_normalize(
            expanded,
            jsonld_options(loader, algorithm="URDNA2015", format="application/n-quads"),
            expanded=True,
        )
    except jsonld.JsonLdError as exc:
        refused = domain_error_in(exc)
        if refused is not None:
            raise refused from None
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("JSON-LD 文档无法规范化：%(error)s") % {"error": exc},
        ) from exc
    return str(result)


def canonicalize_jcs(document: dict[str, Any]) -> bytes:
    """RFC 8785 JSON Canonicalization Scheme bytes."""
    try:
        return rfc8785.dumps(document)
    except (TypeError, ValueError) as exc:  # rfc8785.CanonicalizationError is a ValueError
        raise DomainError(
            ErrorCode.INVALID_INPUT, _("JSON 文档无法规范化：%(error)s") % {"error": exc}
        ) from exc


def proof_configuration(
    *, document: dict[str, Any], proof_options: dict[str, Any]
) -> dict[str, Any]:
    """The proof options (no ``proofValue``) carrying the unsecured document's ``@context``."""
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    if "@context" in document:
        config["@context"] = copy.deepcopy(document["@context"])
    return config


def hash_data(
    *,
    document: dict[str, Any],
    proof_config: dict[str, Any],
    cryptosuite: str,
    hash_algorithm: type[hashes.HashAlgorithm] = hashes.SHA256,
    loader: DocumentLoader,
    document_expansion: Expansion | None = None,
) -> bytes:
    """``H(canonical proof config) || H(canonical document)`` for the suite's transform."""
    if cryptosuite.endswith("-jcs-2022") or cryptosuite.endswith("-jcs-2019"):
        canonical_config = canonicalize_jcs(proof_config)
        canonical_document = canonicalize_jcs(document)
    else:
        canonical_config = canonicalize_rdfc(proof_config, loader=loader).encode()
        canonical_document = canonicalize_rdfc(
            document, loader=loader, expansion=document_expansion
        ).encode()
    name = hash_algorithm().name  # "sha256" or "sha384"
    return (
        hashlib.new(name, canonical_config).digest()
        + hashlib.new(name, canonical_document).digest()
    )


def is_xsd_datetime(value: object) -> bool:
    """Whether ``value`` is an XML Schema 1.1 dateTime string that Python can read."""
    if not isinstance(value, str) or not _XSD_DATETIME.fullmatch(value):
        return False
    try:
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


# --- create ----------------------------------------------------------------------------------


def proof_create(
    *,
    document: dict[str, Any],
    key: Ed25519PrivateKey,
    verification_method: str,
    cryptosuite: str,
    created: str,
    proof_purpose: str = "assertionMethod",
    document_loader: DocumentLoader | None = None,
) -> dict[str, Any]:
    """Sign ``document`` with an EdDSA cryptosuite and return the secured document (a copy).

    ``created`` is an XML Schema dateTime such as ``"2023-02-24T23:36:38Z"``.
    ``document_loader`` defaults to the offline loader of bundled contexts.
    """
    if cryptosuite not in SIGNING_SUITES:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("不支持用该密码套件签名：%(suite)s") % {"suite": cryptosuite},
            {"field": "cryptosuite"},
        )
    if not isinstance(key, Ed25519PrivateKey):
        raise DomainError(ErrorCode.INVALID_INPUT, _("EdDSA 套件需要 Ed25519 私钥。"))
    if not is_xsd_datetime(created):
        raise DomainError(
            ErrorCode.INVALID_DATE,
            _("created 必须是 XML Schema 日期时间，例如 2023-02-24T23:36:38Z。"),
            {"field": "created"},
        )
    if "proof" in document:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("文档已带有证明；暂不支持证明集或证明链。"),
            {"field": "proof"},
        )
    loader = document_loader or offline_loader()
    unsecured = copy.deepcopy(document)
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": cryptosuite,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if cryptosuite == EDDSA_JCS_2022 and "@context" in unsecured:
        # vc-di-eddsa 3.3.1: the JCS proof carries the document's @context itself.
        proof["@context"] = copy.deepcopy(unsecured["@context"])
    config = proof_configuration(document=unsecured, proof_options=proof)
    data = hash_data(
        document=unsecured, proof_config=config, cryptosuite=cryptosuite, loader=loader
    )
    proof["proofValue"] = multibase_encode(key.sign(data))
    secured = copy.deepcopy(document)
    secured["proof"] = proof
    return secured


# --- verify ----------------------------------------------------------------------------------


def _check_proof_options(
    proof: object, expected_proof_purpose: str | None
) -> tuple[dict[str, Any], str, bytes]:
    if not isinstance(proof, dict):
        raise _Failed(
            VerifyReason.PROOF_MALFORMED, _("只支持单个证明对象（不支持证明集或证明链）。")
        )
    if proof.get("type") != PROOF_TYPE:
        raise _Failed(VerifyReason.PROOF_MALFORMED, _("证明类型必须是 DataIntegrityProof。"))
    cryptosuite = proof.get("cryptosuite")
    if cryptosuite not in VERIFYING_SUITES:
        raise _Failed(
            VerifyReason.UNSUPPORTED_CRYPTOSUITE,
            _("不支持的密码套件：%(suite)s") % {"suite": cryptosuite},
        )
    for field in ("verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(field), str):
            raise _Failed(
                VerifyReason.PROOF_MALFORMED, _("证明缺少 %(field)s。") % {"field": field}
            )
    if expected_proof_purpose is not None and proof["proofPurpose"] != expected_proof_purpose:
        raise _Failed(
            VerifyReason.PROOF_PURPOSE_MISMATCH,
            _("证明用途不符：应为 %(expected)s。") % {"expected": expected_proof_purpose},
        )
    for field in ("created", "expires"):
        if field in proof and not is_xsd_datetime(proof[field]):
            raise _Failed(
                VerifyReason.INVALID_CREATED,
                _("证明的 %(field)s 不是合法的日期时间。") % {"field": field},
            )
    try:
        signature = multibase_decode(proof["proofValue"])
    except DomainError as exc:
        raise _Failed(
            VerifyReason.INVALID_PROOF_VALUE,
            _("proofValue 不是合法的 base58btc 多重编码值：%(error)s") % {"error": exc.message},
        ) from exc
    return proof, str(cryptosuite), signature


def _check_signature(
    *,
    public_key: PublicKeyTypes,
    cryptosuite: str,
    signature: bytes,
    data_for: Callable[..., bytes],
) -> None:
    if cryptosuite.startswith("eddsa-"):
        if not isinstance(public_key, Ed25519PublicKey):
            raise _Failed(VerifyReason.KEY_TYPE_MISMATCH, _("EdDSA 套件需要 Ed25519 公钥。"))
        if len(signature) != 64:
            raise _Failed(VerifyReason.INVALID_PROOF_VALUE, _("Ed25519 签名应为 64 字节。"))
        data = data_for(hashes.SHA256)
        try:
            public_key.verify(signature, data)
        except InvalidSignature as exc:
            raise _Failed(VerifyReason.SIGNATURE_INVALID, _("签名与文档不符。")) from exc
        return
    if not isinstance(public_key, ec.EllipticCurvePublicKey) or (
        public_key.curve.name not in _ECDSA_CURVES
    ):
        raise _Failed(VerifyReason.KEY_TYPE_MISMATCH, _("ECDSA 套件需要 P-256 或 P-384 公钥。"))
    hash_algorithm, size = _ECDSA_CURVES[public_key.curve.name]
    if len(signature) != 2 * size:
        raise _Failed(
            VerifyReason.INVALID_PROOF_VALUE,
            _("ECDSA 签名应为 %(n)d 字节（r||s）。") % {"n": 2 * size},
        )
    # IEEE P1363 r || s -> the DER form cryptography expects.
    der = encode_dss_signature(
        int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
    )
    data = data_for(hash_algorithm)
    try:
        public_key.verify(der, data, ec.ECDSA(hash_algorithm()))
    except InvalidSignature as exc:
        raise _Failed(VerifyReason.SIGNATURE_INVALID, _("签名与文档不符。")) from exc


def proof_verify(
    *,
    document: dict[str, Any],
    public_key_resolver: Callable[[str], PublicKeyTypes],
    expected_proof_purpose: str | None = None,
    document_loader: DocumentLoader | None = None,
    expansion: Expansion | None = None,
) -> VerifyResult:
    """Verify the single Data Integrity proof on ``document``.

    ``public_key_resolver`` maps the proof's ``verificationMethod`` to a public key (for
    did:key use :func:`yingshang.licences.multibase.did_key_resolve`); it may raise
    :class:`DomainError`. A bad proof gives ``verified=False`` with reasons; an unknown
    JSON-LD context raises :class:`DomainError` (it is refused, never fetched).
    ``expansion`` is ``document``'s own expanded form, if the caller already has it (the
    verifier's data-model check expands it): an RDFC proof then skips one expansion.
    """
    if not isinstance(document, dict) or "proof" not in document:
        return _failed(None, None, VerifyReason.PROOF_MISSING, _("文档没有证明。"))
    cryptosuite: str | None = None
    method: str | None = None
    try:
        proof, cryptosuite, signature = _check_proof_options(
            document["proof"], expected_proof_purpose
        )
        method = proof["verificationMethod"]
        unsecured = {key: value for key, value in document.items() if key != "proof"}
        proof_options = {key: value for key, value in proof.items() if key != "proofValue"}
        if cryptosuite.endswith("-jcs-2022") or cryptosuite.endswith("-jcs-2019"):
            unsecured = _jcs_context_check(unsecured, proof_options)
        try:
            public_key = public_key_resolver(str(method))
        except DomainError as exc:
            raise _Failed(
                VerifyReason.KEY_UNRESOLVED,
                _("无法解析验证方法：%(error)s") % {"error": exc.message},
            ) from exc
        config = proof_configuration(document=unsecured, proof_options=proof_options)
        loader = document_loader or offline_loader()

        def data_for(hash_algorithm: type[hashes.HashAlgorithm]) -> bytes:
            try:
                return hash_data(
                    document=unsecured,
                    proof_config=config,
                    cryptosuite=str(cryptosuite),
                    hash_algorithm=hash_algorithm,
                    loader=loader,
                    document_expansion=(
                        expansion_without_proof(expansion) if expansion is not None else None
                    ),
                )
            except ContextRefused:
                raise  # the caller must see a refused context, not a "bad proof"
            except DomainError as exc:
                raise _Failed(VerifyReason.CANONICALIZATION_FAILED, exc.message) from exc

        _check_signature(
            public_key=public_key, cryptosuite=cryptosuite, signature=signature, data_for=data_for
        )
    except _Failed as failure:
        return _failed(cryptosuite, method, failure.reason, failure.message)
    return VerifyResult(verified=True, cryptosuite=cryptosuite, verification_method=method)


def _jcs_context_check(unsecured: dict[str, Any], proof_options: dict[str, Any]) -> dict[str, Any]:
    """vc-di-eddsa/ecdsa JCS verification: the document's @context must start with the proof's."""
    if "@context" not in proof_options:
        return unsecured
    proof_context = proof_options["@context"]
    proof_list = proof_context if isinstance(proof_context, list) else [proof_context]
    doc_context = unsecured.get("@context")
    doc_list = doc_context if isinstance(doc_context, list) else [doc_context]
    if doc_list[: len(proof_list)] != proof_list:
        raise _Failed(
            VerifyReason.CONTEXT_MISMATCH, _("文档的 @context 与证明中的 @context 不一致。")
        )
    return {**unsecured, "@context": proof_context}


def _failed(
    cryptosuite: str | None, method: str | None, reason: VerifyReason, message: str
) -> VerifyResult:
    return VerifyResult(
        verified=False,
        cryptosuite=cryptosuite,
        verification_method=method,
        failures=(VerifyFailure(reason=reason, message=message),),
    )
