"""Benchmark of the registry (S1) at Shanghai scale, on SQLite and on PostgreSQL.

    .venv/bin/python bench/registry.py [--entities 3200000] [--databases sqlite,postgresql]

For each database, in a subprocess of its own, against a scratch database it creates
(a SQLite file in a temporary folder; PostgreSQL database ``yingshang_bench`` on
``--postgres-admin``) and removes afterwards:

1. migrate, then seed ``--entities`` synthetic entities (``yingshang seed``'s code path);
2. look up 2,000 random existing credit codes through ``entity_get_public``;
3. search 500 random 2-, 3- and 4-character fragments of real names through
   ``entity_search`` (first page, 20 rows) - the selectors the API and pages call.

It prints seconds and rows per second for the seed, p50/p95/max for both kinds of query,
and checks them against the targets: seed <= 180 s, lookup p95 <= 2 ms, search p95 <= 50 ms.
The exit status is 1 when a target is missed. Queries run after a warm-up of 100 each (the
steady state of a running server); the timed ones are fresh random samples.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"seed_seconds": 180.0, "lookup_p95_ms": 2.0, "search_p95_ms": 50.0}
BENCH_DB = "yingshang_bench"


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return {
        "p50": round(statistics.median(ordered), 3),
        "p95": round(p95, 3),
        "max": round(ordered[-1], 3),
    }


# --- The child: one database --------------------------------------------------------


def _child(args: argparse.Namespace) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingshang.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from yingshang.registry.models import MarketEntity
    from yingshang.registry.seeding import entities_seed
    from yingshang.registry.selectors import entity_get_public, entity_search

    call_command("migrate", verbosity=0)
    result = entities_seed(
        actor="system:bench",
        count=args.entities,
        seed=args.seed,
        workers=args.workers,
        progress=sys.stderr.isatty(),
    )
    rng = random.Random(args.seed)  # sampling, not secrecy
    last = result.last_id

    def sample_codes(n: int) -> list[str]:
        ids = [rng.randint(1, last) for _ in range(n)]
        rows = MarketEntity.objects.filter(id__in=ids).values_list("id", "credit_code")
        by_id = dict(rows)
        return [by_id[i] for i in ids]

    def sample_fragments(n: int) -> list[str]:
        ids = [rng.randint(1, last) for _ in range(n)]
        by_id = dict(MarketEntity.objects.filter(id__in=ids).values_list("id", "name"))
        fragments = []
        for i in ids:
            name = by_id[i]
            length = rng.choice((2, 3, 4))
            start = rng.randrange(0, len(name) - length + 1)
            fragments.append(name[start : start + length])
        return fragments

    for code in sample_codes(100):  # warm-up
        entity_get_public(credit_code=code)
    for fragment in sample_fragments(100):
        entity_search(q=fragment, page=1, page_size=20)

    lookups = []
    for code in sample_codes(args.lookups):
        started = time.perf_counter()
        record = entity_get_public(credit_code=code)
        lookups.append((time.perf_counter() - started) * 1000)
        assert record.credit_code == code

    searches: list[float] = []
    by_length: dict[int, list[float]] = {2: [], 3: [], 4: []}
    slowest: list[tuple[float, str]] = []
    for fragment in sample_fragments(args.searches):
        started = time.perf_counter()
        page = entity_search(q=fragment, page=1, page_size=20)
        elapsed = (time.perf_counter() - started) * 1000
        assert page.items, fragment  # taken from a real name: at least that one matches
        searches.append(elapsed)
        by_length[len(fragment)].append(elapsed)
        slowest.append((elapsed, fragment))
    slowest.sort(reverse=True)
    return {
        "database": connection.vendor,
        "entities": result.count,
        "seed_seconds": round(result.seconds, 1),
        "rows_per_second": round(result.count / result.seconds),
        "seed_phases": {k: round(v, 1) for k, v in result.phases.items()},
        "lookup_ms": _percentiles(lookups),
        "search_ms": _percentiles(searches),
        "search_ms_by_length": {k: _percentiles(v) for k, v in by_length.items() if v},
        "slowest_searches": [[round(ms, 1), f] for ms, f in slowest[:5]],
    }


# --- The parent: scratch databases, subprocesses, the report ------------------------


def _postgres(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def _run(database: str, args: argparse.Namespace) -> dict[str, Any]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "yingshang.settings"
    scratch = Path(tempfile.mkdtemp(prefix=f"yingshang-bench-{database}-", dir=args.workdir))
    env["YINGSHANG_VAR"] = str(scratch)
    env["LEDGER_KEY_DIR"] = str(scratch / "keys")
    env.pop("DATABASE_URL", None)
    admin = args.postgres_admin
    if database == "sqlite":
        env["SQLITE_PATH"] = str(scratch / "bench.sqlite3")
    else:
        _postgres(admin, f"DROP DATABASE IF EXISTS {BENCH_DB}")
        _postgres(admin, f"CREATE DATABASE {BENCH_DB}")
        env["DATABASE_URL"] = admin.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--entities",
        str(args.entities),
        "--seed",
        str(args.seed),
        "--lookups",
        str(args.lookups),
        "--searches",
        str(args.searches),
    ]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    try:
        completed = subprocess.run(  # noqa: S603 - our own script
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, check=True, text=True
        )
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
            if database == "postgresql":
                _postgres(admin, f"DROP DATABASE IF EXISTS {BENCH_DB}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def _report(results: list[dict[str, Any]]) -> bool:
    ok = True
    for r in results:
        checks = {
            "seed_seconds": r["seed_seconds"],
            "lookup_p95_ms": r["lookup_ms"]["p95"],
            "search_p95_ms": r["search_ms"]["p95"],
        }
        print(f"\n== {r['database']}: {r['entities']:,} entities ==")
        print(
            f"seed   {r['seed_seconds']:>8.1f} s   {r['rows_per_second']:>9,} rows/s   "
            f"phases {r['seed_phases']}"
        )
        for label, key in (("lookup", "lookup_ms"), ("search", "search_ms")):
            p = r[key]
            print(
                f"{label} p50 {p['p50']:>7.3f} ms   p95 {p['p95']:>7.3f} ms"
                f"   max {p['max']:>8.3f} ms"
            )
        for length, p in r["search_ms_by_length"].items():
            print(f"  {length} characters: p50 {p['p50']:.3f} ms   p95 {p['p95']:.3f} ms")
        print(f"  slowest searches: {r['slowest_searches']}")
        for name, value in checks.items():
            passed = value <= TARGETS[name]
            ok &= passed
            print(
                f"target {name:<14} {value:>9} <= {TARGETS[name]:<6} {'PASS' if passed else 'MISS'}"
            )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=3_200_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--searches", type=int, default=500)
    parser.add_argument("--workers", type=int, default=None, help="generator processes")
    parser.add_argument(
        "--postgres-admin",
        default=os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL URL allowed to create and drop the scratch database",
    )
    parser.add_argument("--workdir", default=None, help="folder for the scratch SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(_child(args), ensure_ascii=False))
        return 0
    results = []
    for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
        if database not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {database!r}")
        started = time.perf_counter()
        print(f"running {database} ({args.entities:,} entities) ...", flush=True)
        results.append(_run(database, args))
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    print(json.dumps(results, ensure_ascii=False), file=sys.stderr)
    return 0 if _report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
