"""Fixtures for the ledger tests: a private key folder per test and a helper to fill the log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from yingshang.ledger.models import LedgerEvent
from yingshang.ledger.services import event_append


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path) -> Path:
    """Signing keys go to a folder that does not exist yet (the ledger must create it)."""
    settings.LEDGER_KEY_DIR = tmp_path / "ledger-keys"
    return settings.LEDGER_KEY_DIR


@pytest.fixture
def append(db) -> Callable[[int], list[LedgerEvent]]:
    """``append(n)`` appends ``n`` varied events and returns them."""

    def append_events(count: int) -> list[LedgerEvent]:
        return [
            event_append(
                event_type="registry.entity.changed",
                actor=f"user:{i % 7}",
                subject=f"entity:91310115MA1FL5XK{i:02d}",
                payload={"n": i, "名称": f"上海测试{i}有限公司", "items": [i, i * 2]},
            )
            for i in range(count)
        ]

    return append_events
