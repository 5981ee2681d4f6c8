"""Appending events, signing heads, rotating and revoking keys, and proofs from the store."""

from __future__ import annotations

import hashlib
import stat
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.ledger import merkle, selectors, store
from yingshang.ledger.models import (
    LedgerEvent,
    LedgerState,
    MerkleNode,
    SignedTreeHead,
    SigningKey,
)
from yingshang.ledger.services import (
    EventDraft,
    event_append,
    event_bulk_append,
    signing_key_revoke,
    signing_key_rotate,
    tree_head_sign,
)
from yingshang.ledger.verify import ledger_verify

pytestmark = pytest.mark.django_db


def _leaf_hashes() -> list[bytes]:
    return [
        bytes(h) for h in LedgerEvent.objects.order_by("index").values_list("leaf_hash", flat=True)
    ]


def _counts() -> tuple[int, int, int]:
    return LedgerEvent.objects.count(), MerkleNode.objects.count(), selectors.tree_size()


def test_events_are_gapless_from_zero_and_hash_their_leaf_data(append):
    events = append(5)
    assert [e.index for e in LedgerEvent.objects.all()] == [0, 1, 2, 3, 4]
    stored = LedgerEvent.objects.get(index=3)
    assert stored.payload == events[3].payload
    assert stored.payload_digest == hashlib.sha256(stored.payload.encode()).hexdigest()
    assert bytes(stored.leaf_hash) == merkle.leaf_hash(stored.leaf_data())
    assert stored.leaf_data() == events[3].leaf_data()  # the time survives the round trip
    assert stored.payload_data["名称"] == "上海测试3有限公司"


def test_subject_history_and_latest_head_are_readable(append):
    append(15)
    subject = "entity:91310115MA1FL5XK03"
    assert [e.index for e in selectors.event_list_for_subject(subject=subject)] == [3]
    assert selectors.tree_head_latest() is None
    head = tree_head_sign()
    assert selectors.tree_head_latest() == head
    assert selectors.event_get(index=14).subject == "entity:91310115MA1FL5XK14"


def test_payload_is_stored_in_canonical_form(db):
    event = event_append(
        event_type="t.x", actor="system:seed", subject="x:1", payload={"b": 1, "a": ("名",)}
    )
    assert LedgerEvent.objects.get(index=event.index).payload == '{"a":["名"],"b":1}'


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"event_type": ""}, "event_type"),
        ({"event_type": "   "}, "event_type"),
        ({"actor": ""}, "actor"),
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"actor": "user:1\n"}, "actor"),
        ({"subject": "entity:\ud800"}, "subject"),
        ({"event_type": None}, "event_type"),
        ({"payload": ["not", "an", "object"]}, "payload"),
        ({"payload": {"when": object()}}, "payload"),
        ({"payload": {"x": float("nan")}}, "payload"),
        ({"payload": {1: "a", "b": 2}}, "payload"),
        ({"payload": {"bad": "\udc80"}}, "payload"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(append, fields, field):
    append(2)
    before = _counts()
    arguments = {"event_type": "t.x", "actor": "user:1", "subject": "x:1", "payload": {}}
    with pytest.raises(DomainError) as info:
        event_append(**(arguments | fields))
    assert info.value.code is ErrorCode.INVALID_INPUT
    assert info.value.details["field"] == field and info.value.message
    assert _counts() == before


def test_rolled_back_outer_transaction_leaves_no_event_and_no_node(append):
    append(7)  # the 8th leaf would complete nodes on levels 1, 2 and 3
    before = _counts()
    frontier = bytes(LedgerState.objects.get().frontier)
    with pytest.raises(RuntimeError), transaction.atomic():
        event = event_append(event_type="t.x", actor="user:1", subject="x:1", payload={})
        assert event.index == 7 and MerkleNode.objects.count() == before[1] + 3
        raise RuntimeError("the caller's change failed")
    assert _counts() == before
    assert bytes(LedgerState.objects.get().frontier) == frontier
    assert event_append(event_type="t.x", actor="u:1", subject="x:1", payload={}).index == 7
    assert ledger_verify().ok


@pytest.mark.django_db(transaction=True)
def test_commit_and_rollback_for_real():
    event_append(event_type="t.x", actor="user:1", subject="x:1", payload={})
    with pytest.raises(RuntimeError), transaction.atomic():
        event_append(event_type="t.x", actor="user:1", subject="x:2", payload={})
        raise RuntimeError
    assert _counts() == (1, 0, 1)
    assert event_append(event_type="t.x", actor="user:1", subject="x:3", payload={}).index == 1
    assert ledger_verify().ok


def test_stored_nodes_give_the_same_proofs_as_recomputation(append):
    append(37)
    leaves = _leaf_hashes()
    for size in range(1, 38):
        root = merkle.tree_root(leaves[:size])
        assert selectors.tree_root(size=size) == root
        for index in range(size):
            proof = selectors.inclusion_proof_get(index=index, size=size)
            assert proof.audit_path == merkle.inclusion_proof(index, leaves[:size])
            assert proof.leaf_hash == leaves[index] and proof.root_hash == root
        for first in range(1, size + 1):
            consistency = selectors.consistency_proof_get(first=first, second=size)
            assert consistency.proof == merkle.consistency_proof(first, leaves[:size])
            assert consistency.first_root == merkle.tree_root(leaves[:first])


def test_a_proof_needs_a_handful_of_queries(append, django_assert_max_num_queries):
    append(100)
    with django_assert_max_num_queries(3):
        selectors.inclusion_proof_get(index=37)
    with django_assert_max_num_queries(3):
        selectors.consistency_proof_get(first=45, second=99)


def test_bulk_append_writes_the_same_log_as_single_appends(db):
    drafts = [EventDraft("t.bulk", "system:import", f"x:{i}", {"i": i}) for i in range(300)]
    assert event_bulk_append(drafts=iter(drafts), chunk_size=64) == 300
    assert selectors.tree_size() == 300 and MerkleNode.objects.count() == 300 - 4  # popcount
    assert selectors.tree_root(size=300) == merkle.tree_root(_leaf_hashes())
    event_append(event_type="t.x", actor="u:1", subject="x:1", payload={})
    assert ledger_verify(chunk_size=50).ok


def test_bulk_append_validates_every_draft(db):
    drafts = [EventDraft("t.bulk", "system:import", "x:1", {}), EventDraft("", "a:1", "x:2", {})]
    with pytest.raises(DomainError):
        event_bulk_append(drafts=drafts)
    with pytest.raises(DomainError):
        event_bulk_append(drafts=drafts[:1], chunk_size=0)
    assert _counts() == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_the_store_writes_only_inside_a_transaction():
    with pytest.raises(TransactionManagementError):
        store.state_read(lock=True)


def test_head_is_signed_reused_and_renewed(append, key_dir):
    empty = tree_head_sign()
    assert empty.size == 0 and bytes(empty.root_hash) == hashlib.sha256(b"").digest()
    key = SigningKey.objects.get()
    assert stat.S_IMODE((key_dir / f"{key.key_id}.pem").stat().st_mode) == 0o600
    Ed25519PublicKey.from_public_bytes(bytes(key.public_key)).verify(
        bytes(empty.signature), empty.message()
    )
    assert tree_head_sign().pk == empty.pk
    append(3)
    head = tree_head_sign()
    assert head.pk != empty.pk and head.size == 3 and head.key_id == key.key_id
    assert bytes(head.root_hash) == merkle.tree_root(_leaf_hashes())
    assert SignedTreeHead.objects.count() == 2


def test_rotation_retires_the_old_key_and_is_itself_logged(append):
    append(2)
    old_head = tree_head_sign()
    old_key = SigningKey.objects.get()
    new_key = signing_key_rotate(actor="user:1")
    old_key.refresh_from_db()
    assert old_key.retired_at is not None and old_key.revoked_at is None
    assert new_key.is_active and new_key.key_id != old_key.key_id
    event = LedgerEvent.objects.get(index=2)
    assert (
        event.event_type == "ledger.key.rotated" and event.subject == f"ledger-key:{new_key.key_id}"
    )
    assert event.payload_data["retired"] == [old_key.key_id]
    new_head = tree_head_sign()
    assert new_head.key_id == new_key.key_id and new_head.size == 3
    Ed25519PublicKey.from_public_bytes(bytes(old_key.public_key)).verify(
        bytes(old_head.signature), old_head.message()
    )
    assert ledger_verify().ok


def test_revocation_stops_signing_and_is_noted(append):
    append(1)
    tree_head_sign()
    key = SigningKey.objects.get()
    revoked = signing_key_revoke(key_id=key.key_id, actor="user:1", reason="私钥泄露")
    assert revoked.revoked_at is not None and revoked.retired_at is not None
    assert revoked.revoked_reason == "私钥泄露"
    head = tree_head_sign()
    assert head.key_id != key.key_id and head.size == 2
    report = ledger_verify()
    assert report.ok and report.heads == 2 and report.heads_by_revoked_keys == 1
    with pytest.raises(DomainError) as info:
        signing_key_revoke(key_id=key.key_id, actor="user:1", reason="again")
    assert info.value.code is ErrorCode.INVALID_STATE
    with pytest.raises(DomainError) as info:
        signing_key_revoke(key_id="nope", actor="user:1", reason="x")
    assert info.value.code is ErrorCode.NOT_FOUND
    with pytest.raises(DomainError) as info:
        signing_key_revoke(key_id=head.key_id, actor="user:1", reason=" ")
    assert info.value.code is ErrorCode.INVALID_INPUT


def test_a_missing_private_key_file_is_a_clear_error(append, key_dir):
    tree_head_sign()
    for path in key_dir.iterdir():
        path.unlink()
    append(1)
    with pytest.raises(DomainError) as info:
        tree_head_sign()
    assert info.value.code is ErrorCode.INVALID_STATE and "rotate-key" in info.value.message
    signing_key_rotate(actor="system:cli")
    assert tree_head_sign().size == 2


def test_a_lost_state_row_is_not_silently_recreated(append):
    append(2)
    LedgerState.objects.all().delete()
    with pytest.raises(DomainError) as info:
        append(1)
    assert info.value.code is ErrorCode.LEDGER_TAMPERED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_appends_stay_gapless_on_postgresql():
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        try:
            for i in range(25):
                with transaction.atomic():
                    event_append(
                        event_type="t.race", actor=f"user:{number}", subject=f"x:{i}", payload={}
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert list(LedgerEvent.objects.values_list("index", flat=True)) == list(range(100))
    assert ledger_verify().ok
