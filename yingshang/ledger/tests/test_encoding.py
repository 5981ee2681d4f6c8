"""The documented byte encodings: payload text, leaf data, tree head signature input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from yingshang.ledger import encoding

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _json, max_size=5))
def test_payload_text_is_a_fixed_point(payload):
    text = encoding.payload_text(payload)
    assert encoding.payload_text(json.loads(text)) == text
    assert json.loads(text) == json.loads(json.dumps(payload))


def test_payload_text_is_canonical():
    payload = {"b": [1, 2.5, None], "a": {"名": "张三", "z": True}, "c": ("x",)}
    assert encoding.payload_text(payload) == (
        '{"a":{"z":true,"名":"张三"},"b":[1,2.5,null],"c":["x"]}'
    )


def test_leaf_data_is_exactly_the_documented_bytes():
    beijing = timezone(timedelta(hours=8))
    data = encoding.leaf_data(
        index=7,
        event_type="registry.entity.registered",
        actor="user:12",
        subject="entity:91310115MA1FL5XK0Q",
        payload_digest="ab" * 32,
        created_at=datetime(2025, 3, 1, 10, 3, 4, 120, tzinfo=beijing),
    )
    assert (
        data
        == (
            '{"actor":"user:12","index":7,"payload_digest":"' + "ab" * 32 + '",'
            '"subject":"entity:91310115MA1FL5XK0Q","time":"2025-03-01T02:03:04.000120Z",'
            '"type":"registry.entity.registered"}'
        ).encode()
    )


def test_tree_head_message_and_key_id():
    message = encoding.tree_head_message(
        size=8, root_hash=bytes(range(32)), timestamp=1740794584123, key_id="3f1c0d9a5e6b7c8d"
    )
    assert message == (
        b'{"key_id":"3f1c0d9a5e6b7c8d","root_hash":"' + bytes(range(32)).hex().encode() + b'",'
        b'"size":8,"timestamp":1740794584123}'
    )
    assert encoding.key_id_for(b"\x00" * 32) == "66687aadf862bd77"


def test_epoch_milliseconds_is_exact():
    moment = datetime(2025, 3, 1, 2, 3, 4, 123999, tzinfo=UTC)
    assert encoding.epoch_milliseconds(moment) == 1740794584123
