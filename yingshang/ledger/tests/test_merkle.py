"""The pure Merkle functions against RFC 9162, the shared test vectors and a literal reference."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yingshang.ledger import merkle

TESTDATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "merkle" / "testdata"

# RFC 9162 section 2.1.5 / transparency-dev: the 8-leaf reference tree.
KNOWN_LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
KNOWN_ROOT = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def _vectors(kind: str) -> list[Any]:
    files = sorted((TESTDATA / kind).rglob("*.json"))
    return [pytest.param(path, id=str(path.relative_to(TESTDATA / kind))) for path in files]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def test_the_shared_vectors_are_there():
    assert len(_vectors("inclusion")) >= 90 and len(_vectors("consistency")) >= 90


@pytest.mark.parametrize("path", _vectors("inclusion"))
def test_inclusion_vector(path: Path):
    case = json.loads(path.read_text())
    verified = merkle.verify_inclusion(
        index=case["leafIdx"],
        size=case["treeSize"],
        leaf_hash=_b64(case["leafHash"]),
        proof=[_b64(p) for p in case["proof"] or []],
        root=_b64(case["root"]),
    )
    assert verified is not case["wantErr"], case["desc"]


@pytest.mark.parametrize("path", _vectors("consistency"))
def test_consistency_vector(path: Path):
    case = json.loads(path.read_text())
    verified = merkle.verify_consistency(
        first=case["size1"],
        second=case["size2"],
        first_root=_b64(case["root1"]),
        second_root=_b64(case["root2"]),
        proof=[_b64(p) for p in case["proof"] or []],
    )
    assert verified is not case["wantErr"], case["desc"]


def test_known_eight_leaf_root_and_empty_root():
    leaves = [merkle.leaf_hash(bytes.fromhex(leaf)) for leaf in KNOWN_LEAVES]
    assert merkle.tree_root(leaves).hex() == KNOWN_ROOT
    frontier = merkle.Frontier()
    for leaf in leaves:
        frontier.append(leaf)
    assert frontier.root().hex() == KNOWN_ROOT
    assert merkle.tree_root([]) == merkle.Frontier().root() == hashlib.sha256(b"").digest()


# A literal transcription of RFC 9162 sections 2.1.3.1 and 2.1.4.1, to check the provers.


def _mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = merkle.split_point(len(d))
    return merkle.node_hash(_mth(d[:k]), _mth(d[k:]))


def _path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = merkle.split_point(len(d))
    if m < k:
        return [*_path(m, d[:k]), _mth(d[k:])]
    return [*_path(m - k, d[k:]), _mth(d[:k])]


def _subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    if m == len(d):
        return [] if b else [_mth(d)]
    k = merkle.split_point(len(d))
    if m <= k:
        return [*_subproof(m, d[:k], b), _mth(d[k:])]
    return [*_subproof(m - k, d[k:], False), _mth(d[:k])]


def _leaves(count: int) -> list[bytes]:
    return [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(count)]


@pytest.mark.parametrize("size", range(1, 65))
def test_every_proof_up_to_64_leaves_matches_the_rfc_and_verifies(size: int):
    leaves = _leaves(size)
    root = _mth(leaves)
    for index in range(size):
        proof = merkle.inclusion_proof(index, leaves)
        assert proof == _path(index, leaves)
        assert merkle.verify_inclusion(
            index=index, size=size, leaf_hash=leaves[index], proof=proof, root=root
        )
        other = leaves[(index + 1) % size]
        assert size == 1 or not merkle.verify_inclusion(
            index=index, size=size, leaf_hash=other, proof=proof, root=root
        )
    for first in range(1, size + 1):
        proof = merkle.consistency_proof(first, leaves)
        assert proof == _subproof(first, leaves, True)
        assert merkle.verify_consistency(
            first=first,
            second=size,
            first_root=_mth(leaves[:first]),
            second_root=root,
            proof=proof,
        )
        if first < size:
            assert not merkle.verify_consistency(
                first=first, second=size, first_root=root, second_root=root, proof=proof
            )


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=3000).flatmap(
        lambda size: st.tuples(st.just(size), st.integers(0, size - 1), st.integers(1, size))
    )
)
def test_larger_trees_prove_like_the_rfc(case: tuple[int, int, int]):
    size, index, first = case
    leaves = _leaves(size)
    assert merkle.inclusion_proof(index, leaves) == _path(index, leaves)
    assert merkle.consistency_proof(first, leaves) == _subproof(first, leaves, True)


@given(st.integers(min_value=0, max_value=2**40), st.integers(min_value=0, max_value=2**12))
def test_perfect_subtrees_tile_a_range_with_aligned_nodes(start: int, length: int):
    end = start + length
    position = start
    for level, index in merkle.perfect_subtrees(start, end):
        assert index << level == position
        position += 1 << level
    assert position == end


@pytest.mark.parametrize("size", range(0, 70))
def test_frontier_reports_each_completed_subtree_once(size: int):
    leaves = _leaves(size)
    frontier, nodes = merkle.Frontier(), {}
    for leaf in leaves:
        for level, index, value in frontier.append(leaf):
            assert (level, index) not in nodes
            nodes[(level, index)] = value
    assert frontier.root() == _mth(leaves)
    expected = {
        (level, index)
        for level in range(1, max(size, 1).bit_length())
        for index in range(size >> level)
    }
    assert nodes.keys() == expected
    for (level, index), value in nodes.items():
        assert value == _mth(leaves[index << level : (index + 1) << level])
    copy = merkle.Frontier.from_bytes(size, frontier.to_bytes())
    assert copy == frontier


def test_frontier_refuses_a_blob_of_the_wrong_length():
    with pytest.raises(merkle.ProofError):
        merkle.Frontier.from_bytes(3, b"\x00" * 32)


@pytest.mark.parametrize(
    ("index", "size"), [(-1, 4), (4, 4), (0, 0)], ids=["negative", "past-end", "empty"]
)
def test_no_inclusion_proof_outside_the_tree(index: int, size: int):
    with pytest.raises(merkle.ProofError):
        merkle.inclusion_spans(index, size)


@pytest.mark.parametrize(("first", "second"), [(0, 4), (5, 4), (-1, 1)])
def test_no_consistency_proof_for_impossible_sizes(first: int, second: int):
    with pytest.raises(merkle.ProofError):
        merkle.consistency_spans(first, second)
