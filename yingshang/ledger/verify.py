"""Full audit of the stored ledger (账本校验), streaming, for ``yingshang ledger verify``.

Re-derives every event's payload digest, leaf data and leaf hash from its stored fields,
rebuilds the tree leaf by leaf, compares every stored node hash and the state row with the
rebuilt ones, and checks each signed tree head's root and Ed25519 signature against the
rebuilt tree. Events are read in chunks in index order, so memory stays flat on millions of
events. The audit stops at the first problem and names the first bad event.

Events appended while the audit runs are left for the next audit: it checks the tree as the
state row described it when the audit began.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.db.models import Q
from django.utils.translation import gettext as _

from yingshang.ledger import encoding, merkle
from yingshang.ledger.models import (
    LedgerEvent,
    LedgerState,
    MerkleNode,
    SignedTreeHead,
    SigningKey,
)

_EVENT_FIELDS = (
    "index",
    "event_type",
    "actor",
    "subject",
    "payload",
    "payload_digest",
    "created_at",
    "leaf_hash",
)


class LedgerProblem(Exception):
    """What is wrong, in Chinese, and the index of the first bad event when there is one."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


@dataclass
class VerifyReport:
    """What the audit covered; ``problem`` is ``None`` when everything matched."""

    size: int = 0
    events: int = 0
    nodes: int = 0
    heads: int = 0
    heads_by_revoked_keys: int = 0
    root_hash: bytes = merkle.EMPTY_ROOT
    problem: LedgerProblem | None = field(default=None)

    @property
    def ok(self) -> bool:
        return self.problem is None


def ledger_verify(
    *, chunk_size: int = 10_000, progress: Callable[[int, int], None] | None = None
) -> VerifyReport:
    """Audit the whole ledger; ``progress(done, size)`` is called after each chunk."""
    report = VerifyReport()
    try:
        _audit(report, chunk_size=chunk_size, progress=progress)
    except LedgerProblem as problem:
        report.problem = problem
    return report


def _audit(
    report: VerifyReport, *, chunk_size: int, progress: Callable[[int, int], None] | None
) -> None:
    state = LedgerState.objects.filter(pk=LedgerState.SINGLETON).first()
    size = state.size if state else 0
    report.size = size
    keys = {key.key_id: key for key in SigningKey.objects.all()}
    heads = _HeadChecker(keys, _heads_in_order(chunk_size), report)
    frontier = merkle.Frontier()
    heads.check(frontier)
    while frontier.size < size:
        start = frontier.size
        rows = list(
            LedgerEvent.objects.filter(index__gte=start, index__lt=size)
            .order_by("index")
            .values_list(*_EVENT_FIELDS)[:chunk_size]
        )
        stored = _stored_nodes(start, min(start + chunk_size, size))
        for row in rows:
            leaf = _checked_leaf(row, expected=frontier.size)
            for level, index, value in frontier.append(leaf):
                _check_node(stored, level, index, value)
                report.nodes += 1
            report.events += 1
            heads.check(frontier)
        if not rows:
            raise LedgerProblem(_missing(frontier.size), frontier.size)
        if progress is not None:
            progress(frontier.size, size)
    if state is not None and bytes(state.frontier) != frontier.to_bytes():
        raise LedgerProblem(_("账本状态记录中的边界哈希与重算结果不一致。"))
    report.root_hash = frontier.root()
    heads.check_rest()


def _checked_leaf(row: tuple[Any, ...], *, expected: int) -> bytes:
    index, event_type, actor, subject, payload, digest, created_at, stored_leaf = row
    if index != expected:
        raise LedgerProblem(_missing(expected), expected)
    if encoding.sha256_hex(payload) != digest:
        raise LedgerProblem(
            _("第 %(index)s 号事件的内容与其摘要不符（内容被改动）。") % {"index": expected},
            expected,
        )
    leaf = merkle.leaf_hash(
        encoding.leaf_data(
            index=expected,
            event_type=event_type,
            actor=actor,
            subject=subject,
            payload_digest=digest,
            created_at=created_at,
        )
    )
    if not hmac.compare_digest(leaf, bytes(stored_leaf)):
        raise LedgerProblem(
            _("第 %(index)s 号事件的叶哈希与其字段重算结果不符（事件被改动或调换）。")
            % {"index": expected},
            expected,
        )
    return leaf


def _missing(index: int) -> str:
    return _("第 %(index)s 号事件缺失（被删除或序号被改动）。") % {"index": index}


def _stored_nodes(start: int, end: int) -> dict[merkle.NodeId, bytes]:
    """The stored nodes that leaves ``[start, end)`` complete."""
    wanted = Q()
    for level in range(1, end.bit_length()):
        first, last = start >> level, (end >> level) - 1
        if first <= last:
            wanted |= Q(level=level, index__gte=first, index__lte=last)
    if not wanted:
        return {}
    rows = MerkleNode.objects.filter(wanted).values_list("level", "index", "hash")
    return {(level, index): bytes(value) for level, index, value in rows}


def _check_node(stored: dict[merkle.NodeId, bytes], level: int, index: int, value: bytes) -> None:
    found = stored.get((level, index))
    if found is None or not hmac.compare_digest(found, value):
        first, last = index << level, ((index + 1) << level) - 1
        raise LedgerProblem(
            _(
                "第 %(first)s 至 %(last)s 号事件所在子树（层 %(level)s，序号 %(index)s）的"
                "节点哈希%(what)s。"
            )
            % {
                "first": first,
                "last": last,
                "level": level,
                "index": index,
                "what": _("缺失") if found is None else _("与重算结果不符"),
            },
            first,
        )


def _heads_in_order(chunk_size: int) -> Iterator[SignedTreeHead]:
    """Every signed tree head, by size then id, read in chunks."""
    last: tuple[int, int] = (-1, 0)
    while True:
        chunk = list(
            SignedTreeHead.objects.filter(
                Q(size__gt=last[0]) | Q(size=last[0], id__gt=last[1])
            ).order_by("size", "id")[:chunk_size]
        )
        if not chunk:
            return
        yield from chunk
        last = (chunk[-1].size, chunk[-1].id)


class _HeadChecker:
    """Checks signed tree heads as the rebuilt tree reaches their size."""

    def __init__(
        self, keys: dict[str, SigningKey], heads: Iterator[SignedTreeHead], report: VerifyReport
    ) -> None:
        self.keys = keys
        self.public = {
            key_id: Ed25519PublicKey.from_public_bytes(bytes(key.public_key))
            for key_id, key in keys.items()
        }
        self.heads = heads
        self.report = report
        self.next = next(heads, None)

    def check(self, frontier: merkle.Frontier) -> None:
        root: bytes | None = None
        while self.next is not None and self.next.size == frontier.size:
            root = root or frontier.root()
            self._check(self.next, root)
            self.next = next(self.heads, None)

    def check_rest(self) -> None:
        """Heads left over are larger than the tree audited: newer, or claiming lost events."""
        if self.next is None:
            return
        head = max([self.next, *self.heads], key=lambda h: h.size)
        current = LedgerState.objects.filter(pk=LedgerState.SINGLETON).values_list(
            "size", flat=True
        )
        if head.size > (current.first() or 0):
            raise LedgerProblem(
                _(
                    "签名树头 #%(id)s 的树大小 %(size)s 超过账本现有事件数 %(events)s"
                    "（事件被删除）。"
                )
                % {"id": head.id, "size": head.size, "events": self.report.size},
                self.report.size,
            )

    def _check(self, head: SignedTreeHead, root: bytes) -> None:
        key = self.keys.get(head.key_id)
        if key is None:
            raise LedgerProblem(
                _("签名树头 #%(id)s 的签名密钥 %(key_id)s 未登记。")
                % {"id": head.id, "key_id": head.key_id}
            )
        try:
            self.public[head.key_id].verify(bytes(head.signature), head.message())
        except InvalidSignature as exc:
            raise LedgerProblem(
                _("签名树头 #%(id)s（树大小 %(size)s）的签名无效。")
                % {"id": head.id, "size": head.size}
            ) from exc
        retired = key.retired_at  # set whenever a key is retired or revoked
        if head.timestamp_ms < encoding.epoch_milliseconds(key.created_at) or (
            retired is not None and head.timestamp > retired
        ):
            raise LedgerProblem(
                _("签名树头 #%(id)s 的签名时间不在密钥 %(key_id)s 的有效期内。")
                % {"id": head.id, "key_id": head.key_id}
            )
        if not hmac.compare_digest(bytes(head.root_hash), root):
            raise LedgerProblem(
                _(
                    "签名树头 #%(id)s（树大小 %(size)s）的根哈希与重算结果不符："
                    "前 %(size)s 个事件中有事件被改动、删除或调换。"
                )
                % {"id": head.id, "size": head.size},
            )
        self.report.heads += 1
        if key.revoked_at is not None:
            self.report.heads_by_revoked_keys += 1
