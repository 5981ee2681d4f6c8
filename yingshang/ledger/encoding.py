"""The byte-exact encodings that the ledger hashes and signs.

Both are *canonical JSON*: ``json.dumps(value, sort_keys=True, separators=(",", ":"),
ensure_ascii=False, allow_nan=False)`` encoded as UTF-8. In words: object keys sorted by code
point, no whitespace, non-ASCII characters written as themselves (UTF-8), only ``"``, ``\\``
and control characters escaped, integers in decimal.

Payload
    A JSON object. Stored as its canonical JSON text, exactly; ``payload_digest`` is the
    lowercase hex SHA-256 of that text's UTF-8 bytes. A reader hashes the stored text as it is
    and never needs to re-serialise it.

Leaf data (the input of the leaf hash ``SHA-256(0x00 || leaf_data)``)
    The canonical JSON of an object with exactly these six members::

        {"actor":"user:12","index":0,"payload_digest":"<64 hex>",
         "subject":"entity:91310115MA1FL5XK0Q","time":"2025-03-01T02:03:04.123456Z",
         "type":"registry.entity.registered"}

    ``index`` is the event's position (from 0); ``time`` is the event's creation time in UTC
    with exactly six fractional digits and a ``Z``. ``type``, ``actor`` and ``subject``
    contain no control characters, so only ``"`` and ``\\`` can need escaping. The payload
    enters the leaf through its digest, so a payload could be withheld from the public
    without breaking any proof.

Tree head signature input
    The canonical JSON (ASCII only) of exactly four members::

        {"key_id":"3f1c0d9a5e6b7c8d","root_hash":"<64 lowercase hex>","size":8,
         "timestamp":1740794584123}

    ``timestamp`` is milliseconds since the Unix epoch (as in RFC 6962). The signature is
    Ed25519 (RFC 8032) over these bytes, transported in standard base64 with padding. A key
    id is the first 16 hex digits of SHA-256 of the raw 32-byte public key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(value: Any) -> str:
    """Serialise ``value`` canonically (see the module docstring); raises on non-JSON data."""
    return _CANONICAL.encode(value)


def payload_text(payload: Mapping[str, Any]) -> str:
    """The canonical text stored for ``payload``.

    It is serialised twice so that the stored text is exactly what serialising its own parse
    gives (tuples become lists, every key a string): the text is a fixed point.
    Raises ``TypeError``/``ValueError`` for data that JSON cannot carry.
    """
    return canonical_json(json.loads(canonical_json(dict(payload))))


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_time(moment: datetime) -> str:
    """``2025-03-01T02:03:04.123456Z``: UTC, microseconds, always the same width."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def epoch_milliseconds(moment: datetime) -> int:
    return (moment - _EPOCH) // _MILLISECOND


def leaf_data(
    *,
    index: int,
    event_type: str,
    actor: str,
    subject: str,
    payload_digest: str,
    created_at: datetime,
) -> bytes:
    """The bytes whose RFC 9162 leaf hash is the event's leaf in the Merkle tree."""
    return canonical_json(
        {
            "actor": actor,
            "index": index,
            "payload_digest": payload_digest,
            "subject": subject,
            "time": utc_time(created_at),
            "type": event_type,
        }
    ).encode("utf-8")


def key_id_for(public_key: bytes) -> str:
    """The key id of a raw 32-byte Ed25519 public key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def tree_head_message(*, size: int, root_hash: bytes, timestamp: int, key_id: str) -> bytes:
    """The bytes that a tree head's Ed25519 signature covers."""
    return canonical_json(
        {"key_id": key_id, "root_hash": root_hash.hex(), "size": size, "timestamp": timestamp}
    ).encode("ascii")
