"""Ledger benchmark: appends per second, then proof times on a 1,000,000-event log.

    .venv/bin/python bench/ledger.py [--events 20000] [--log-size 1000000] [--proofs 1000]
                                     [--verify] [--database-url postgresql://…/scratch]

(a) appends ``--events`` events through ``event_append``, each in its own transaction
    (target: at least 2,000 events/s on SQLite);
(b) grows the log to ``--log-size`` events with the bulk helper, then times inclusion proofs
    for ``--proofs`` random indices and as many random consistency proofs
    (target: at most 5 ms per proof). ``--verify`` also times a full ``ledger verify``.

By default everything happens in a temporary SQLite file that is removed afterwards. With
``--database-url``, give a scratch PostgreSQL database: the benchmark refuses a ledger that
already holds events.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="single appends to time")
    parser.add_argument("--log-size", type=int, default=1_000_000, help="events in the big log")
    parser.add_argument("--proofs", type=int, default=1_000, help="proofs of each kind to time")
    parser.add_argument("--verify", action="store_true", help="also time a full verify")
    parser.add_argument("--database-url", help="a scratch PostgreSQL database instead of SQLite")
    parser.add_argument("--seed", type=int, default=2024)
    return parser.parse_args()


def _configure(folder: Path, database_url: str | None) -> None:
    """Point Django at the benchmark's database and key folder, then set it up."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "yingshang.settings"
    os.environ["LEDGER_KEY_DIR"] = str(folder / "keys")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(folder / "bench.sqlite3")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "ledger", verbosity=0)  # the benchmark needs only these tables


def _milliseconds(action: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _summary(name: str, times: list[float], target_ms: float) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    verdict = "OK" if p95 <= target_ms else "ABOVE TARGET"
    print(
        f"  {name:<22} n={len(times):>5}  p50 {statistics.median(ordered):6.3f} ms  "
        f"p95 {p95:6.3f} ms  max {ordered[-1]:6.3f} ms  (target <= {target_ms} ms: {verdict})"
    )


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as folder:
        _configure(Path(folder), args.database_url)
        _run(args)


def _run(args: argparse.Namespace) -> None:
    from django.db import connection

    from yingshang.ledger import merkle, selectors
    from yingshang.ledger.models import LedgerEvent
    from yingshang.ledger.services import EventDraft, event_append, event_bulk_append
    from yingshang.ledger.verify import ledger_verify

    if LedgerEvent.objects.exists():
        sys.exit("The ledger in this database already holds events; use a scratch database.")
    print(f"Ledger benchmark on {connection.vendor} ({connection.settings_dict['NAME']})")

    # (a) Single appends, each its own transaction, as services do.
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(args.events):
        event_append(
            event_type="bench.entity.changed",
            actor=f"user:{i % 97}",
            subject=f"entity:91310115MA1FL{i:05d}",
            payload={"n": i, "名称": "上海营商测试有限公司", "changes": ["address"]},
        )
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    rate = args.events / elapsed
    verdict = "OK" if rate >= 2000 else "BELOW TARGET"
    print(
        f"(a) event_append: {args.events:,} events in {elapsed:.2f} s = {rate:,.0f} events/s "
        f"(target >= 2,000/s: {verdict})\n"
        f"    CPU time {cpu / args.events * 1e6:.0f} us per append "
        f"({args.events / cpu:,.0f}/s of this process's own CPU; the rest is waiting for "
        f"the disk or a shared CPU; load average now {os.getloadavg()[0]:.2f})"
    )

    # (b) A large log built in bulk, then proofs against it.
    missing = max(0, args.log_size - args.events)

    def drafts() -> Iterator[EventDraft]:
        for i in range(missing):
            yield EventDraft("bench.bulk", "system:bench", f"entity:{i}", {"n": i})

    start = time.perf_counter()
    event_bulk_append(drafts=drafts(), chunk_size=20_000)
    elapsed = time.perf_counter() - start
    size = selectors.tree_size()
    print(f"(b) bulk build: {missing:,} events in {elapsed:.1f} s; log size {size:,}")

    rng = random.Random(args.seed)
    root = selectors.tree_root(size=size)
    sample = selectors.inclusion_proof_get(index=size // 3)
    assert merkle.verify_inclusion(
        index=sample.index,
        size=size,
        leaf_hash=sample.leaf_hash,
        proof=sample.audit_path,
        root=root,
    )
    indices = iter([rng.randrange(size) for _ in range(args.proofs)])
    _summary(
        "inclusion proof",
        _milliseconds(lambda: selectors.inclusion_proof_get(index=next(indices)), args.proofs),
        5,
    )
    older = iter([rng.randrange(1, size) for _ in range(args.proofs)])
    historic = iter([(rng.randrange(1, size), size) for _ in range(args.proofs)])

    def historic_proof() -> object:
        first, second = next(historic)
        index = rng.randrange(first)
        return selectors.inclusion_proof_get(index=index, size=first + (second - first) // 2)

    _summary("inclusion (older size)", _milliseconds(historic_proof, args.proofs), 5)
    _summary(
        "consistency proof",
        _milliseconds(lambda: selectors.consistency_proof_get(first=next(older)), args.proofs),
        5,
    )

    if args.verify:
        start = time.perf_counter()
        report = ledger_verify(chunk_size=20_000)
        elapsed = time.perf_counter() - start
        print(
            f"    ledger verify: {report.events:,} events, {report.nodes:,} nodes in "
            f"{elapsed:.1f} s ({report.events / elapsed:,.0f} events/s); ok={report.ok}"
        )


if __name__ == "__main__":
    main()
