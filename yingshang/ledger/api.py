"""Public ledger API under ``/api/v1/ledger``: signed head, proofs, events, keys.

Hashes are lowercase hex; signatures and public keys are standard base64. Encodings are
defined in :mod:`yingshang.ledger.encoding` and ``yingshang/ledger/README.md``.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from yingshang.core.schemas import ErrorOut
from yingshang.ledger import selectors, services

router = Router(tags=["ledger"])


ERRORS: dict[int | frozenset[int], type[Schema]] = {frozenset({400, 409, 500}): ErrorOut}


class LedgerHeadOut(Schema):
    size: int = Field(description="Number of events in the tree.")
    root_hash: str = Field(description="RFC 9162 tree hash, hex.")
    timestamp: int = Field(description="Signing time, milliseconds since the Unix epoch.")
    key_id: str = Field(description="Signing key, see /keys.")
    signature: str = Field(
        description="Ed25519 over the canonical JSON of {key_id, root_hash, size, timestamp}, "
        "base64."
    )


class InclusionProofQuery(Schema):
    index: int = Field(description="Event index (leaf), from 0.")
    size: int | None = Field(None, description="Tree size; the current size if omitted.")


class InclusionProofOut(Schema):
    index: int
    size: int
    leaf_hash: str = Field(description="Leaf hash, hex.")
    audit_path: list[str] = Field(description="RFC 9162 audit path, leaf level first, hex.")
    root_hash: str = Field(
        description="Root of the tree of `size` events, hex (check it against a signed head)."
    )


class ConsistencyProofQuery(Schema):
    first: int = Field(description="Earlier tree size, at least 1.")
    second: int | None = Field(None, description="Later tree size; the current size if omitted.")


class ConsistencyProofOut(Schema):
    first: int
    second: int
    proof: list[str] = Field(description="RFC 9162 consistency proof, hex.")
    first_root: str
    second_root: str


class LedgerEventOut(Schema):
    index: int
    event_type: str
    actor: str
    subject: str
    payload: dict[str, Any]
    payload_canonical: str = Field(description="The stored canonical JSON of the payload.")
    payload_digest: str = Field(description="SHA-256 of payload_canonical (UTF-8), hex.")
    created_at: datetime
    leaf_data: str = Field(description="The leaf data as hashed, as a UTF-8 string.")
    leaf_data_base64: str = Field(description="The leaf data as hashed, base64.")
    leaf_hash: str = Field(description="SHA-256(0x00 || leaf_data), hex.")


class SigningKeyOut(Schema):
    key_id: str
    algorithm: str = "Ed25519"
    public_key: str = Field(description="Raw 32-byte Ed25519 public key, base64.")
    created_at: datetime
    retired_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@router.get("/head", response={200: LedgerHeadOut, **ERRORS}, summary="Signed tree head")
def head(request: HttpRequest) -> LedgerHeadOut:
    """The current tree head signed with the active key (reused while the size is unchanged)."""
    return LedgerHeadOut(**services.tree_head_sign().as_public_dict())


@router.get(
    "/proof/inclusion", response={200: InclusionProofOut, **ERRORS}, summary="Inclusion proof"
)
def inclusion_proof(request: HttpRequest, query: Query[InclusionProofQuery]) -> InclusionProofOut:
    proof = selectors.inclusion_proof_get(index=query.index, size=query.size)
    return InclusionProofOut(
        index=proof.index,
        size=proof.size,
        leaf_hash=proof.leaf_hash.hex(),
        audit_path=[node.hex() for node in proof.audit_path],
        root_hash=proof.root_hash.hex(),
    )


@router.get(
    "/proof/consistency", response={200: ConsistencyProofOut, **ERRORS}, summary="Consistency proof"
)
def consistency_proof(
    request: HttpRequest, query: Query[ConsistencyProofQuery]
) -> ConsistencyProofOut:
    proof = selectors.consistency_proof_get(first=query.first, second=query.second)
    return ConsistencyProofOut(
        first=proof.first,
        second=proof.second,
        proof=[node.hex() for node in proof.proof],
        first_root=proof.first_root.hex(),
        second_root=proof.second_root.hex(),
    )


@router.get("/events/{index}", response={200: LedgerEventOut, **ERRORS}, summary="One event")
def event(request: HttpRequest, index: Path[int]) -> LedgerEventOut:
    found = selectors.event_get(index=index)
    data = found.leaf_data()
    return LedgerEventOut(
        index=found.index,
        event_type=found.event_type,
        actor=found.actor,
        subject=found.subject,
        payload=found.payload_data,
        payload_canonical=found.payload,
        payload_digest=found.payload_digest,
        created_at=found.created_at,
        leaf_data=data.decode("utf-8"),
        leaf_data_base64=_b64(data),
        leaf_hash=bytes(found.leaf_hash).hex(),
    )


@router.get("/keys", response=list[SigningKeyOut], summary="Signing keys")
def keys(request: HttpRequest) -> list[SigningKeyOut]:
    """Every key that ever signed a head, retired and revoked ones included."""
    return [
        SigningKeyOut(
            key_id=key.key_id,
            public_key=key.public_key_base64,
            created_at=key.created_at,
            retired_at=key.retired_at,
            revoked_at=key.revoked_at,
            revoked_reason=key.revoked_reason,
        )
        for key in selectors.signing_key_list()
    ]
