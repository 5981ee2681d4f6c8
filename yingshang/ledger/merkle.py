"""Pure RFC 9162 (Certificate Transparency v2, as RFC 6962) Merkle tree functions.

No database here: hashes, proof shapes, provers over a list of leaf hashes, and verifiers.

- ``leaf_hash(d) = SHA-256(0x00 || d)``; ``node_hash(l, r) = SHA-256(0x01 || l || r)``.
- The tree hash of ``n`` leaves splits at ``k``, the largest power of two smaller than ``n``;
  the empty tree hashes to ``SHA-256("")`` (RFC 9162 section 2.1.1).
- A *perfect subtree* ``(level, index)`` covers the ``2**level`` leaves starting at
  ``index * 2**level``. Every subtree that a proof names is a run of perfect subtrees of
  decreasing size, so a store that keeps perfect subtree hashes answers any proof with a
  handful of lookups (:func:`perfect_subtrees`, :func:`subtree_root`).
- :class:`Frontier` is the compact state of a growing tree (one hash per set bit of the
  size); appending a leaf yields the perfect subtrees it completes.

Proof shapes follow RFC 9162 section 2.1.3.1 (``PATH``) and 2.1.4.1 (``PROOF``/``SUBPROOF``);
the verifiers follow sections 2.1.3.2 and 2.1.4.2 step by step.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Span = tuple[int, int]
"""A subtree as the half-open range of leaf indices ``[start, end)`` it covers."""

NodeId = tuple[int, int]
"""A perfect subtree as ``(level, index)``; level 0 is a single leaf."""

NodeLookup = Callable[[set[NodeId]], dict[NodeId, bytes]]
"""Fetches the hashes of a set of perfect subtrees in one go."""


class ProofError(ValueError):
    """A proof that does not verify, or arguments that no proof can satisfy."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two smaller than ``size`` (``size`` >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def tree_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes, by the recursive definition of RFC 9162 section 2.1.1."""

    def mth(start: int, end: int) -> bytes:
        if end - start == 1:
            return leaf_hashes[start]
        k = split_point(end - start)
        return node_hash(mth(start, start + k), mth(start + k, end))

    return mth(0, len(leaf_hashes)) if leaf_hashes else EMPTY_ROOT


def inclusion_spans(index: int, size: int) -> list[Span]:
    """The subtrees whose hashes form the audit path of leaf ``index`` in a tree of ``size``.

    RFC 9162 section 2.1.3.1 ``PATH(m, D[n])``, innermost (nearest the leaf) first.
    """
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    spans: list[Span] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            spans.append((start + k, end))
            end = start + k
        else:
            spans.append((start, start + k))
            start += k
    spans.reverse()
    return spans


def consistency_spans(first: int, second: int) -> list[Span]:
    """The subtrees whose hashes form the consistency proof from ``first`` to ``second``.

    RFC 9162 section 2.1.4.1 ``PROOF(m, D[n]) = SUBPROOF(m, D[n], true)``, innermost first.
    Sizes must satisfy ``0 < first <= second``; equal sizes have an empty proof.
    """
    if not 0 < first <= second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    spans: list[Span] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            spans.append((start + k, end))
            end = start + k
        else:
            spans.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        spans.append((start, end))
    spans.reverse()
    return spans


def perfect_subtrees(start: int, end: int) -> list[NodeId]:
    """Split ``[start, end)`` into aligned perfect subtrees, left to right, largest possible."""
    nodes: list[NodeId] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def subtree_root(parts: Sequence[bytes]) -> bytes:
    """The hash of an RFC 9162 subtree from its perfect parts (decreasing sizes), folded right.

    This is how MTH combines a subtree whose size is not a power of two: its left part is the
    largest perfect subtree, its right part the rest. It holds for every span that
    :func:`inclusion_spans`, :func:`consistency_spans` or ``(0, size)`` produce.
    """
    if not parts:
        return EMPTY_ROOT
    root = parts[-1]
    for part in reversed(parts[:-1]):
        root = node_hash(part, root)
    return root


def span_hashes(spans: Sequence[Span], lookup: NodeLookup) -> list[bytes]:
    """Hash each span from perfect subtree hashes fetched by one call to ``lookup``."""
    parts = [perfect_subtrees(start, end) for start, end in spans]
    known = lookup({node for nodes in parts for node in nodes})
    return [subtree_root([known[node] for node in nodes]) for nodes in parts]


def _leaf_lookup(leaf_hashes: Sequence[bytes]) -> NodeLookup:
    def lookup(nodes: set[NodeId]) -> dict[NodeId, bytes]:
        return {
            (level, index): tree_root(leaf_hashes[index << level : (index + 1) << level])
            for level, index in nodes
        }

    return lookup


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The audit path of leaf ``index`` computed from all leaf hashes (no store)."""
    return span_hashes(inclusion_spans(index, len(leaf_hashes)), _leaf_lookup(leaf_hashes))


def consistency_proof(first: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """The consistency proof from size ``first`` to ``len(leaf_hashes)`` (no store)."""
    return span_hashes(consistency_spans(first, len(leaf_hashes)), _leaf_lookup(leaf_hashes))


@dataclass
class Frontier:
    """The perfect subtree hashes that make up a tree of ``size`` leaves, largest first.

    There is one hash per set bit of ``size``; the root folds them right (:func:`subtree_root`).
    Appending a leaf merges equal-sized neighbours, like incrementing a binary counter.
    """

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; return the perfect subtrees it completes as (level, index, hash).

        Level 0 (the leaf itself) is not returned; levels 1 and up are, lowest first.
        """
        completed: list[tuple[int, int, bytes]] = []
        current, level = leaf, 0
        while (self.size >> level) & 1:
            current = node_hash(self.hashes.pop(), current)
            level += 1
            completed.append((level, self.size >> level, current))
        self.hashes.append(current)
        self.size += 1
        return completed

    def root(self) -> bytes:
        return subtree_root(self.hashes)

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> Frontier:
        if size < 0 or len(data) != HASH_SIZE * size.bit_count():
            raise ProofError(f"a frontier of size {size} needs {size.bit_count()} hashes")
        return cls(size, [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)])


def _all_hashes(*values: bytes) -> bool:
    return all(len(value) == HASH_SIZE for value in values)


def root_from_inclusion_proof(
    *, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root that an audit path implies (RFC 9162 section 2.1.3.2, steps 1 to 5)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of size {size}")
    if not _all_hashes(leaf_hash, *proof):
        raise ProofError("hashes must be 32 bytes")
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is shorter than the tree is deep")
    return r


def verify_inclusion(
    *, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` shows that ``leaf_hash`` is leaf ``index`` of the tree with ``root``."""
    try:
        computed = root_from_inclusion_proof(
            index=index, size=size, leaf_hash=leaf_hash, proof=proof
        )
    except ProofError:
        return False
    return hmac.compare_digest(computed, root)


def roots_from_consistency_proof(
    *, first: int, second: int, first_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    """The (first, second) roots that a consistency proof implies (RFC 9162 section 2.1.4.2).

    Requires ``0 < first < second``; equal sizes are handled by :func:`verify_consistency`.
    """
    if not 0 < first < second:
        raise ProofError(f"no consistency proof from size {first} to size {second}")
    if not proof:  # step 1
        raise ProofError("the proof is empty")
    if not _all_hashes(*proof):
        raise ProofError("hashes must be 32 bytes")
    path = list(proof)
    if first & (first - 1) == 0:  # step 2: first is a power of two
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1  # step 3
    while fn & 1:  # step 4
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            raise ProofError("the proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:  # step 7
        raise ProofError("the proof is shorter than the tree is deep")
    return fr, sr


def verify_consistency(
    *, first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether the tree of ``second`` leaves with ``second_root`` extends the one of ``first``.

    An empty tree (``first == 0``) proves nothing and is refused. Equal sizes need an empty
    proof and equal roots.
    """
    if first <= 0 or second < first:
        return False
    if first == second:
        return not proof and hmac.compare_digest(first_root, second_root)
    try:
        fr, sr = roots_from_consistency_proof(
            first=first, second=second, first_root=first_root, proof=proof
        )
    except ProofError:
        return False
    return hmac.compare_digest(fr, first_root) and hmac.compare_digest(sr, second_root)
