"""The public ledger API, checked the way a third party would: with hashlib and Ed25519 only."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from yingshang.ledger import merkle
from yingshang.ledger.services import signing_key_revoke, signing_key_rotate

pytestmark = pytest.mark.django_db

BASE = "/api/v1/ledger"
README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_verifier() -> Any:
    """The hashlib-only verifier printed in the README, so the documentation is tested too."""
    snippet = re.search(r"```python\n(import hashlib\n.*?)```", README.read_text(), re.S)
    assert snippet is not None
    namespace: dict[str, Any] = {}
    exec(snippet.group(1), namespace)  # noqa: S102 - our own README
    return namespace["verify_inclusion"], namespace["leaf_hash"]


def _get(client, path: str, status: int = 200) -> Any:
    response = client.get(BASE + path)
    assert response.status_code == status, response.content
    return response.json()


def _check_signature(client, head: dict[str, Any]) -> dict[str, Any]:
    keys = {key["key_id"]: key for key in _get(client, "/keys")}
    key = keys[head["key_id"]]
    message = json.dumps(
        {name: head[name] for name in ("key_id", "root_hash", "size", "timestamp")},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    public.verify(base64.b64decode(head["signature"]), message)  # raises if forged
    return key


def test_empty_head_is_signed(client):
    head = _get(client, "/head")
    assert head["size"] == 0
    assert head["root_hash"] == hashlib.sha256(b"").hexdigest()
    key = _check_signature(client, head)
    assert key["algorithm"] == "Ed25519" and key["revoked_at"] is None


def test_inclusion_proofs_verify_with_the_readme_code(client, append):
    verify_inclusion, leaf_hash = _readme_verifier()
    append(13)
    head = _get(client, "/head")
    _check_signature(client, head)
    root = bytes.fromhex(head["root_hash"])
    for index in range(13):
        event = _get(client, f"/events/{index}")
        proof = _get(client, f"/proof/inclusion?index={index}&size=13")
        leaf = leaf_hash(base64.b64decode(event["leaf_data_base64"]))
        assert event["leaf_data"].encode() == base64.b64decode(event["leaf_data_base64"])
        assert leaf.hex() == proof["leaf_hash"] == event["leaf_hash"]
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        assert verify_inclusion(index, 13, leaf, path, root)
        assert not verify_inclusion(index, 13, leaf, path, bytes(32))
        assert proof["root_hash"] == head["root_hash"]


def test_inclusion_size_defaults_to_current_and_older_sizes_work(client, append):
    append(6)
    older = _get(client, "/proof/inclusion?index=2&size=4")
    current = _get(client, "/proof/inclusion?index=2")
    assert older["size"] == 4 and current["size"] == 6
    assert len(older["audit_path"]) == 2 and len(current["audit_path"]) == 3


def test_event_shows_payload_and_its_leaf_data(client, append):
    append(3)
    event = _get(client, "/events/1")
    assert event["index"] == 1 and event["payload"]["名称"] == "上海测试1有限公司"
    canonical = event["payload_canonical"]
    assert hashlib.sha256(canonical.encode()).hexdigest() == event["payload_digest"]
    leaf = json.loads(event["leaf_data"])
    assert leaf == {
        "actor": event["actor"],
        "index": 1,
        "payload_digest": event["payload_digest"],
        "subject": event["subject"],
        "time": leaf["time"],
        "type": event["event_type"],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", leaf["time"])


def test_consistency_proof_between_two_signed_heads(client, append):
    append(5)
    first = _get(client, "/head")
    append(9)
    second = _get(client, "/head")
    _check_signature(client, first)
    _check_signature(client, second)
    proof = _get(client, f"/proof/consistency?first={first['size']}&second={second['size']}")
    assert merkle.verify_consistency(
        first=5,
        second=14,
        first_root=bytes.fromhex(first["root_hash"]),
        second_root=bytes.fromhex(second["root_hash"]),
        proof=[bytes.fromhex(h) for h in proof["proof"]],
    )
    assert _get(client, "/proof/consistency?first=5")["second"] == 14
    assert _get(client, "/proof/consistency?first=14&second=14")["proof"] == []


def test_head_is_reused_until_the_log_grows(client, append):
    append(2)
    assert _get(client, "/head") == _get(client, "/head")
    append(1)
    assert _get(client, "/head")["size"] == 3


def test_rotated_and_revoked_keys_keep_old_heads_verifiable(client, append):
    append(2)
    old_head = _get(client, "/head")
    signing_key_rotate(actor="user:1")
    new_head = _get(client, "/head")
    assert new_head["key_id"] != old_head["key_id"] and new_head["size"] == 3
    signing_key_revoke(key_id=new_head["key_id"], actor="user:1", reason="测试吊销")
    newest = _get(client, "/head")
    assert newest["key_id"] not in {old_head["key_id"], new_head["key_id"]}
    for head in (old_head, new_head, newest):
        _check_signature(client, head)
    keys = {key["key_id"]: key for key in _get(client, "/keys")}
    assert keys[old_head["key_id"]]["retired_at"] and not keys[old_head["key_id"]]["revoked_at"]
    assert keys[new_head["key_id"]]["revoked_at"]
    assert keys[new_head["key_id"]]["revoked_reason"] == "测试吊销"
    assert not keys[newest["key_id"]]["retired_at"]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/proof/inclusion?index=-1", "LEDGER_RANGE"),
        ("/proof/inclusion?index=3", "LEDGER_RANGE"),
        ("/proof/inclusion?index=0&size=4", "LEDGER_RANGE"),
        ("/proof/inclusion?index=0&size=-2", "LEDGER_RANGE"),
        ("/proof/inclusion?index=2&size=2", "LEDGER_RANGE"),
        ("/proof/inclusion?index=0&size=0", "LEDGER_RANGE"),
        (f"/proof/inclusion?index={10**30}", "LEDGER_RANGE"),
        ("/proof/inclusion?index=abc", "INVALID_INPUT"),
        ("/proof/inclusion?index=1.5", "INVALID_INPUT"),
        ("/proof/inclusion", "INVALID_INPUT"),
        ("/proof/consistency?first=3&second=2", "LEDGER_RANGE"),
        ("/proof/consistency?first=0&second=2", "LEDGER_RANGE"),
        ("/proof/consistency?first=-1", "LEDGER_RANGE"),
        ("/proof/consistency?first=1&second=4", "LEDGER_RANGE"),
        (f"/proof/consistency?first=1&second={2**70}", "LEDGER_RANGE"),
        ("/proof/consistency?first=x", "INVALID_INPUT"),
        ("/proof/consistency", "INVALID_INPUT"),
        ("/events/3", "LEDGER_RANGE"),
        ("/events/-1", "LEDGER_RANGE"),
        (f"/events/{2**64}", "LEDGER_RANGE"),
        ("/events/abc", "INVALID_INPUT"),
    ],
)
def test_bad_input_gets_the_error_shape(client, append, path, code):
    append(3)
    error = _get(client, path, status=400)["error"]
    assert error["code"] == code
    assert error["message"] and re.search(r"[\u4e00-\u9fff]", error["message"])
    assert isinstance(error["details"], dict)


def test_openapi_declares_the_ledger_schemas(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/head", "/proof/inclusion", "/proof/consistency", "/events/{index}", "/keys"):
        assert f"{BASE}{path}" in spec["paths"]
    responses = spec["paths"][f"{BASE}/proof/inclusion"]["get"]["responses"]
    assert {"200", "400"} <= responses.keys()
