"""Reads of the ledger: tree size and roots, inclusion and consistency proofs, events, keys.

Proofs come from stored perfect subtree hashes (leaf hashes on the events, higher levels in
:class:`~yingshang.ledger.models.MerkleNode`): two indexed queries per proof, whatever the
size of the log. Arguments out of range raise ``DomainError(LEDGER_RANGE)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.ledger import merkle, store
from yingshang.ledger.models import (
    LedgerEvent,
    SignedTreeHead,
    SigningKey,
)


@dataclass(frozen=True)
class InclusionProof:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves, and that tree's root."""

    index: int
    size: int
    leaf_hash: bytes
    audit_path: list[bytes]
    root_hash: bytes


@dataclass(frozen=True)
class ConsistencyProof:
    """The proof that the tree of ``second`` leaves extends the tree of ``first`` leaves."""

    first: int
    second: int
    proof: list[bytes]
    first_root: bytes
    second_root: bytes


def tree_size() -> int:
    """The number of events in the ledger (the current tree size)."""
    state = store.state_read(lock=False)
    return state[0] if state else 0


def tree_root(*, size: int) -> bytes:
    """The root hash of the tree made of the first ``size`` events."""
    _check_size(size, tree_size(), field="size")
    return _span_hashes([(0, size)])[0] if size else merkle.EMPTY_ROOT


def tree_head_latest() -> SignedTreeHead | None:
    """The most recently signed tree head, without signing a new one (for pages)."""
    return SignedTreeHead.objects.select_related("key").order_by("-id").first()


def inclusion_proof_get(*, index: int, size: int | None = None) -> InclusionProof:
    """The inclusion proof of event ``index`` in the tree of ``size`` (default: current)."""
    current = tree_size()
    size = current if size is None else size
    _check_size(size, current, field="size")
    _check_index(index, size)
    spans = merkle.inclusion_spans(index, size)
    *path, leaf, root = _span_hashes([*spans, (index, index + 1), (0, size)])
    return InclusionProof(index=index, size=size, leaf_hash=leaf, audit_path=path, root_hash=root)


def consistency_proof_get(*, first: int, second: int | None = None) -> ConsistencyProof:
    """The consistency proof from size ``first`` to size ``second`` (default: current)."""
    current = tree_size()
    second = current if second is None else second
    _check_size(second, current, field="second")
    if first < 1:
        raise DomainError(
            ErrorCode.LEDGER_RANGE,
            _("first 至少为 1：空树无需一致性证明。"),
            {"field": "first", "value": first},
        )
    if first > second:
        raise DomainError(
            ErrorCode.LEDGER_RANGE,
            _("first（%(first)s）不能大于 second（%(second)s）。")
            % {"first": first, "second": second},
            {"field": "first", "first": first, "second": second},
        )
    spans = merkle.consistency_spans(first, second)
    *proof, first_root, second_root = _span_hashes([*spans, (0, first), (0, second)])
    return ConsistencyProof(
        first=first, second=second, proof=proof, first_root=first_root, second_root=second_root
    )


def event_get(*, index: int) -> LedgerEvent:
    """The event at ``index``."""
    _check_index(index, tree_size())
    event = LedgerEvent.objects.filter(index=index).first()
    if event is None:
        raise _tampered(index)
    return event


def event_list_for_subject(*, subject: str) -> QuerySet[LedgerEvent]:
    """Every event about ``subject`` (``entity:…``, ``user:…``), oldest first."""
    return LedgerEvent.objects.filter(subject=subject).order_by("index")


def signing_key_list() -> QuerySet[SigningKey]:
    """Every signing key, retired and revoked ones included, oldest first."""
    return SigningKey.objects.order_by("created_at", "id")


def perfect_subtree_hashes(nodes: set[merkle.NodeId]) -> dict[merkle.NodeId, bytes]:
    """The stored hashes of perfect subtrees: leaves from the events, the rest from nodes."""
    leaves = store.leaf_hashes([index for level, index in nodes if level == 0])
    found = {(0, index): value for index, value in leaves.items()}
    found.update(store.node_hashes([node for node in nodes if node[0] > 0]))
    if missing := nodes - found.keys():
        level, index = min(missing, key=lambda node: node[1] << node[0])
        raise _tampered(index << level)
    return found


def _span_hashes(spans: list[merkle.Span]) -> list[bytes]:
    return merkle.span_hashes(spans, perfect_subtree_hashes)


def _check_size(size: int, current: int, *, field: str) -> None:
    if size < 0:
        raise DomainError(
            ErrorCode.LEDGER_RANGE,
            _("%(field)s 不能为负数。") % {"field": field},
            {"field": field, "value": size},
        )
    if size > current:
        raise DomainError(
            ErrorCode.LEDGER_RANGE,
            _("%(field)s（%(value)s）超出账本当前大小 %(current)s。")
            % {"field": field, "value": size, "current": current},
            {"field": field, "value": size, "current_size": current},
        )


def _check_index(index: int, size: int) -> None:
    if index < 0:
        raise DomainError(
            ErrorCode.LEDGER_RANGE,
            _("序号 index 不能为负数。"),
            {"field": "index", "value": index},
        )
    if index >= size:
        message = (
            _("序号 %(index)s 超出范围：大小为 %(size)s 的树只有序号 0 至 %(last)s。")
            if size
            else _("序号 %(index)s 超出范围：树为空。")
        )
        raise DomainError(
            ErrorCode.LEDGER_RANGE,
            message % {"index": index, "size": size, "last": size - 1},
            {"field": "index", "value": index, "size": size},
        )


def _tampered(index: int) -> DomainError:
    return DomainError(
        ErrorCode.LEDGER_TAMPERED,
        _("账本第 %(index)s 号事件的存储数据缺失；请运行“yingshang ledger verify”检查。")
        % {"index": index},
        {"index": index},
    )
