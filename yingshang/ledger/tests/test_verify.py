"""``yingshang ledger verify`` finds altered, removed and reordered rows and names them."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from yingshang.cli import main as yingshang_main
from yingshang.ledger import merkle
from yingshang.ledger.models import LedgerEvent, LedgerState, MerkleNode, SignedTreeHead
from yingshang.ledger.services import tree_head_sign

pytestmark = pytest.mark.django_db

_EVENT_COLUMNS = (
    "event_type",
    "actor",
    "subject",
    "payload",
    "payload_digest",
    "created_at",
    "leaf_hash",
)


def _verify_fails(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        call_command("ledger", "verify", *args)
    assert info.value.returncode == 1
    return str(info.value)


def test_untouched_ledger_passes(append, capsys):
    append(20)
    tree_head_sign()
    call_command("ledger", "verify", "--chunk-size", "3")
    out = capsys.readouterr().out
    assert "账本校验通过" in out and "20 个事件" in out and "1 个签名树头" in out


def test_empty_ledger_passes(db, capsys):
    tree_head_sign()
    call_command("ledger", "verify")
    assert "0 个事件" in capsys.readouterr().out


def test_payload_changed_with_raw_sql(append):
    append(10)
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE ledger_ledgerevent SET payload = %s WHERE "index" = %s', ['{"n":99}', 6]
        )
    message = _verify_fails()
    assert "第 6 号事件" in message and "序号：6" in message


def test_payload_and_digest_changed_together(append):
    append(10)
    LedgerEvent.objects.filter(index=4).update(payload="{}", payload_digest="0" * 64)
    assert "序号：4" in _verify_fails()


def test_field_changed_with_queryset_update(append):
    append(10)
    LedgerEvent.objects.filter(index=8).update(actor="user:999")
    assert "第 8 号事件的叶哈希" in _verify_fails()


def test_deleted_row(append):
    append(10)
    LedgerEvent.objects.filter(index=5).delete()
    message = _verify_fails("--chunk-size", "4")
    assert "第 5 号事件缺失" in message and "序号：5" in message


def test_deleted_last_row(append):
    append(10)
    LedgerEvent.objects.filter(index=9).delete()
    assert "序号：9" in _verify_fails()


def test_swapped_rows(append):
    append(10)
    third, fifth = (
        LedgerEvent.objects.filter(index=i).values(*_EVENT_COLUMNS).get() for i in (3, 5)
    )
    LedgerEvent.objects.filter(index=3).update(**fifth)
    LedgerEvent.objects.filter(index=5).update(**third)
    assert "序号：3" in _verify_fails()


def test_rows_rewritten_consistently_are_caught_by_the_nodes(append):
    append(10)
    event = LedgerEvent.objects.get(index=2)
    event.payload, event.payload_digest = "{}", hashlib.sha256(b"{}").hexdigest()
    LedgerEvent.objects.filter(index=2).update(
        payload=event.payload,
        payload_digest=event.payload_digest,
        leaf_hash=merkle.leaf_hash(event.leaf_data()),
    )
    message = _verify_fails()
    assert "第 2 至 3 号事件所在子树" in message and "序号：2" in message


def test_altered_node(append):
    append(16)
    MerkleNode.objects.filter(level=2, index=2).update(hash=b"\x00" * 32)
    assert "第 8 至 11 号事件所在子树" in _verify_fails()


def test_removed_tail_is_caught_by_a_signed_head(append):
    append(10)
    tree_head_sign()
    LedgerEvent.objects.filter(index__gte=8).delete()
    frontier = merkle.Frontier()
    for leaf in LedgerEvent.objects.order_by("index").values_list("leaf_hash", flat=True):
        frontier.append(bytes(leaf))
    MerkleNode.objects.filter(level=1, index=4).delete()  # leaves 8 and 9
    LedgerState.objects.update(size=8, frontier=frontier.to_bytes())
    message = _verify_fails()
    assert "树大小 10" in message


def test_forged_head_signature(append):
    append(3)
    head = tree_head_sign()
    SignedTreeHead.objects.filter(pk=head.pk).update(signature=b"\x01" * 64)
    assert "签名无效" in _verify_fails()


def test_head_with_a_wrong_root(append):
    append(3)
    head = tree_head_sign()
    SignedTreeHead.objects.filter(pk=head.pk).update(size=2)
    assert "签名无效" in _verify_fails()  # the size is signed too


def test_console_script_exits_with_status_one(append, capsys):
    append(4)
    LedgerEvent.objects.filter(index=1).delete()
    with pytest.raises(SystemExit) as info:
        yingshang_main(["ledger", "verify"])
    assert info.value.code == 1
    assert "序号：1" in capsys.readouterr().err


def test_head_rotate_and_revoke_subcommands(append, capsys):
    append(2)
    call_command("ledger", "head")
    head = json.loads(capsys.readouterr().out)
    assert head["size"] == 2 and len(base64.b64decode(head["signature"])) == 64
    call_command("ledger", "rotate-key", "--actor", "user:1")
    assert "新签名密钥已启用" in capsys.readouterr().out
    call_command("ledger", "revoke-key", head["key_id"], "--reason", "测试吊销")
    assert head["key_id"] in capsys.readouterr().out
    with pytest.raises(CommandError, match="不存在"):
        call_command("ledger", "revoke-key", "nope", "--reason", "x")
    call_command("ledger", "verify")
    assert "其中 1 个由已吊销密钥签名" in capsys.readouterr().out
