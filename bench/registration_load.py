"""Benchmark of fully online registration under load and under crashes (S2), two parts.

    .venv/bin/python bench/registration_load.py --part establish [--entities 200000]
    .venv/bin/python bench/registration_load.py --part crash [--applicants 200]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/yingshang  ... (the same on PostgreSQL)

Each part runs in a subprocess of its own against a scratch database it creates: a SQLite
file in a folder under ``var/`` by default; with ``DATABASE_URL`` set (or ``--database
postgresql``), database ``yingshang_bench_reg`` on that server. Both are removed afterwards
unless ``--keep``. Keys and materials live in the scratch folder too; ``var/`` itself is
never touched. ``bench/registration.py`` calls :func:`establish_part` and :func:`crash_part`.

The bench process (not the server) hashes passwords with MD5: the applicants are created
and sign their drafts here, and PBKDF2's deliberate slowness would only slow the set-up.
The server process keeps the settings' hasher; it never hashes a password (the sessions are
created server-side, as a login would leave them).

Part ``establish`` (target: a standard establishment, submission to issued licence on the
automatic path 秒批, p95 <= 2 s of server time):

1. migrate, seed ``--entities`` synthetic entities and rebuild the name index;
2. prepare ``--drafts`` complete signed establishment drafts (a person, a reserved name,
   the form, the domicile proof, the signature: ``yingshang/registration/tests/journeys``);
3. time ``application_act(SUBMIT)`` - what the API calls - for each, after a warm-up;
4. start gunicorn (``deploy/gunicorn.conf.py``) and time ``--http`` more submissions over
   HTTP, one at a time after 4 untimed (the round trip on loopback is the server time);
5. check every one ended completed with exactly one active business licence.

Part ``crash`` (target: 200 concurrent submissions against a real server killed with SIGKILL
and restarted; every acknowledged submission present afterwards, none duplicated):

1. migrate, prepare ``--applicants`` signed drafts and a session for each applicant;
2. start gunicorn; 50 client threads POST ``/api/v1/applications/{n}/actions/submit``,
   each application with its own idempotency key, retrying with the same key on connection
   errors and 5xx until acknowledged (2xx); meanwhile the server's process group is killed
   with SIGKILL ``--kills`` times and restarted;
3. a double-submit probe: ``--probe`` more applications, each submitted by two concurrent
   requests with the same key (a double click, or a retry racing the original);
4. audit against the database: every acknowledged application present and completed, at
   most one entity per application, entities == acknowledged applications, one licence per
   entity, no entity without its completed application, and ``yingshang ledger verify``.

Each prints its figures and PASS/MISS per target; the exit status is 1 when one is missed.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "yingshang_bench_reg"
ESTABLISH_P95_S = 2.0
ACTOR = "system:bench"
MD5 = "django.contrib.auth.hashers.MD5PasswordHasher"
# Rare characters for 字号 the synthetic register seldom holds (a similar name is refused).
_TRADE_CHARS = "翊骁铂澜璟珂瑾岚峻嵘崧琨煜晟昊湛渊弈锐钧钊铭锦霖沛澄翎骐珈玥"
_DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {
        "p50": round(statistics.median(ordered), 3),
        "p95": round(p95, 3),
        "max": round(ordered[-1], 3),
    }


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


# --- The parent: a scratch database, the child process ------------------------------------


def _postgres(admin_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def _database(args: argparse.Namespace) -> str:
    chosen = getattr(args, "database", None)
    if chosen:
        return str(chosen)
    return "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"


def _part(part: str, args: argparse.Namespace) -> int:
    """Run ``part`` in a child process against a scratch database; its exit status."""
    database = _database(args)
    workdir = getattr(args, "workdir", None) or str(ROOT / "var")
    Path(workdir).mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f"bench-registration-{part}-", dir=workdir))
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="yingshang.settings",
        YINGSHANG_VAR=str(scratch),
        LEDGER_KEY_DIR=str(scratch / "ledger-keys"),
        LICENCE_KEY_DIR=str(scratch / "licence-keys"),
        MATERIALS_DIR=str(scratch / "materials"),
        LOG_LEVEL="ERROR",
    )
    for name in ("DJANGO_DEBUG", "PUBLIC_BASE_URL", "LICENCE_ISSUER_DID", "SQLITE_PATH"):
        env.pop(name, None)
    admin = ""
    if database == "postgresql":
        server = os.environ.get("DATABASE_URL") or _DEFAULT_POSTGRES
        admin = urlunsplit(urlsplit(server)._replace(path="/postgres"))
        _postgres(admin, f"DROP DATABASE IF EXISTS {BENCH_DB}")
        _postgres(admin, f"CREATE DATABASE {BENCH_DB}")
        env["DATABASE_URL"] = urlunsplit(urlsplit(server)._replace(path=f"/{BENCH_DB}"))
    else:
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(scratch / "bench.sqlite3")
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        f"--part={part}",
        f"--entities={getattr(args, 'entities', 200_000)}",
        f"--seed={getattr(args, 'seed', 2026)}",
        f"--drafts={getattr(args, 'drafts', 100)}",
        f"--http={getattr(args, 'http', 20)}",
        f"--applicants={getattr(args, 'applicants', 200)}",
        f"--threads={getattr(args, 'threads', 50)}",
        f"--kills={getattr(args, 'kills', 2)}",
        f"--probe={getattr(args, 'probe', 10)}",
    ]
    if getattr(args, "workers", None) is not None:
        command.append(f"--workers={args.workers}")
    started = time.perf_counter()
    print(f"running part {part} on {database} (scratch {scratch}) ...", flush=True)
    try:
        completed = subprocess.run(command, env=env, cwd=ROOT, check=False)  # noqa: S603
    finally:
        if getattr(args, "keep", False):
            print(f"kept {scratch}" + (f" and database {BENCH_DB}" if admin else ""))
        else:
            shutil.rmtree(scratch, ignore_errors=True)
            if admin:
                _postgres(admin, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    print(f"  part {part} on {database} done in {time.perf_counter() - started:.0f} s", flush=True)
    return completed.returncode


def establish_part(args: argparse.Namespace) -> None:
    """Part ``establish``: time submissions on the automatic path (see the module doc)."""
    _part("establish", args)


def crash_part(args: argparse.Namespace) -> None:
    """Part ``crash``: concurrent submissions while the server is killed (module doc)."""
    _part("crash", args)


# --- The child: applicants and their drafts -----------------------------------------------


@dataclasses.dataclass(frozen=True)
class Draft:
    user_id: int
    number: str
    key: str  # the idempotency key of its submission


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingshang.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings

    # This process only (see the module doc); the settings have no PASSWORD_HASHERS.
    override_settings(PASSWORD_HASHERS=[MD5]).enable()
    call_command("migrate", verbosity=0)


def _drafts(count: int, rng: random.Random, *, first_serial: int = 1) -> list[Draft]:
    """``count`` people, each with a complete establishment draft they have signed."""
    from yingshang.core.errors import DomainError
    from yingshang.matters.services import application_digest
    from yingshang.matters.signatures import application_sign
    from yingshang.registration.tests import journeys

    drafts = []
    refused_names = 0
    for serial in range(first_serial, first_serial + count):
        user = journeys.person(f"bench-{serial}", serial, name="王芳")
        for _attempt in range(50):
            trade = "".join(rng.choice(_TRADE_CHARS) for _ in range(3))
            try:
                reservation = journeys.reserve(user, trade)
                break
            except DomainError:  # similar to a registered or reserved name: another one
                refused_names += 1
        else:
            raise RuntimeError("no free name found in 50 attempts")
        application = journeys.registration_start_establishment(
            user, journeys.establishment_data(user, reservation)
        )
        journeys.upload_domicile_proof(user, application)
        application.refresh_from_db()
        application_sign(
            by=user,
            number=application.number,
            password=journeys.PASSWORD,
            expected_digest=application_digest(application),
        )
        drafts.append(Draft(user.pk, application.number, secrets.token_hex(12)))
    print(f"  prepared {count} signed drafts ({refused_names} proposed names refused as similar)")
    return drafts


def _licences_active(credit_code: str) -> int:
    from yingshang.licences.models import Licence, LicenceKind, LicenceState

    return Licence.objects.filter(
        credit_code=credit_code, kind=LicenceKind.BUSINESS, state=LicenceState.ACTIVE
    ).count()


def _ledger_verify() -> tuple[bool, str]:
    command = [str(Path(sys.executable).with_name("yingshang")), "ledger", "verify"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    lines = (done.stdout + done.stderr).strip().splitlines() or [f"exit status {done.returncode}"]
    return done.returncode == 0, lines[-1]


# --- The server ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """gunicorn with ``deploy/gunicorn.conf.py`` in a process group of its own."""

    def __init__(self, port: int, log: Path, workers: int | None) -> None:
        self.port, self.log, self.workers = port, log, workers
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        from django.db import connections

        connections.close_all()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "yingshang.wsgi:application",
            f"--config={ROOT / 'deploy' / 'gunicorn.conf.py'}",
            f"--bind=127.0.0.1:{self.port}",
            "--log-level=warning",
        ]
        if self.workers:
            command.append(f"--workers={self.workers}")
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - gunicorn, fixed arguments
                command,
                cwd=ROOT,
                env=dict(os.environ),
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        self.starts += 1
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn exited ({self.process.returncode}); see {self.log}")
            try:
                status, _body = _request(self.port, "GET", "/api/v1/matters", None, {}, 5)
                if status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        sys.exit("gunicorn did not answer within 60 s")

    def kill(self) -> None:
        """SIGKILL the whole process group: the master and every worker, mid-request."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def _request(
    port: int, method: str, path: str, body: bytes | None, headers: dict[str, str], timeout: float
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _sessions(drafts: list[Draft]) -> dict[int, dict[str, str]]:
    """Request headers per applicant: a server-side session as a login leaves it, and a
    CSRF cookie with the matching header (the API's session auth checks CSRF)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from yingshang.accounts.models import User

    users = User.objects.in_bulk([d.user_id for d in drafts])
    out = {}
    for draft in drafts:
        user = users[draft.user_id]
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
        out[draft.user_id] = {
            "Cookie": f"sessionid={session.session_key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/json",
        }
    return out


def _submit_path(number: str) -> str:
    return f"/api/v1/applications/{number}/actions/submit"


# --- Part establish -----------------------------------------------------------------------


def _establish(args: argparse.Namespace) -> bool:
    from django.db import connection

    from yingshang.accounts.models import User
    from yingshang.matters.api import application_out
    from yingshang.matters.models import Application, State
    from yingshang.matters.services import Action, application_act
    from yingshang.registration.nameindex import name_index_rebuild
    from yingshang.registry.seeding import entities_seed

    print(
        f"Establishment benchmark on {connection.vendor}: {args.entities:,} entities, "
        f"{args.drafts} in-process + {args.http} HTTP submissions, {os.cpu_count()} CPUs"
    )
    seeded = entities_seed(
        actor=ACTOR, count=args.entities, seed=args.seed, workers=args.workers, progress=False
    )
    started = time.perf_counter()
    rows = name_index_rebuild(workers=args.workers)
    print(
        f"  seeded {seeded.count:,} entities in {seeded.seconds:.1f} s; "
        f"name index {rows:,} rows in {time.perf_counter() - started:.1f} s"
    )
    rng = random.Random(args.seed)  # names, not secrets
    warmup = 3
    started = time.perf_counter()
    http_warmup = 4 if args.http else 0  # two per worker: each loads its keys and caches
    drafts = _drafts(warmup + args.drafts + http_warmup + args.http, rng)
    print(f"  drafts prepared in {time.perf_counter() - started:.1f} s")

    local: list[float] = []
    numbers = []
    for position, draft in enumerate(drafts[: warmup + args.drafts]):
        user = User.objects.get(pk=draft.user_id)
        t0 = time.perf_counter()
        application = application_act(
            by=user, number=draft.number, action=Action.SUBMIT, idempotency_key=draft.key
        )
        application_out(application)  # what the API returns with it
        elapsed = time.perf_counter() - t0
        if position >= warmup:
            local.append(elapsed)
            numbers.append(draft.number)

    remote: list[float] = []
    cold: list[float] = []
    statuses: Counter[int] = Counter()
    http_drafts = drafts[warmup + args.drafts :]
    if http_drafts:
        folder = Path(os.environ["YINGSHANG_VAR"])
        server = Server(_free_port(), folder / "gunicorn.log", args.workers)
        headers = _sessions(http_drafts)
        server.start()
        try:
            for position, draft in enumerate(http_drafts):
                body = json.dumps({"idempotency_key": draft.key}).encode()
                t0 = time.perf_counter()
                status, _answer = _request(
                    server.port,
                    "POST",
                    _submit_path(draft.number),
                    body,
                    headers[draft.user_id],
                    60,
                )
                (cold if position < http_warmup else remote).append(time.perf_counter() - t0)
                statuses[status] += 1
                numbers.append(draft.number)
        finally:
            server.stop()

    apps = Application.objects.in_bulk(numbers, field_name="number")
    not_completed = [n for n in numbers if apps[n].state != State.COMPLETED]
    wrong_licences = [
        n for n in numbers if not apps[n].credit_code or _licences_active(apps[n].credit_code) != 1
    ]
    ledger_ok, ledger_line = _ledger_verify()

    ok = True
    p = _percentiles(local)
    print(
        f"  application_act(SUBMIT) in-process ({len(local)}, after {warmup} warm-up): "
        f"p50 {p['p50']:.3f} s   p95 {p['p95']:.3f} s   max {p['max']:.3f} s"
    )
    passed = p["p95"] <= ESTABLISH_P95_S
    ok &= passed
    print(f"target in-process p95 {p['p95']:.3f} s <= {ESTABLISH_P95_S} s {_verdict(passed)}")
    if remote:
        q = _percentiles(remote)
        print(
            f"  POST .../actions/submit over HTTP, gunicorn ({len(remote)}, one at a time, after "
            f"{len(cold)} warm-up taking {', '.join(f'{c:.3f}' for c in cold)} s; "
            f"statuses {dict(statuses)}): p50 {q['p50']:.3f} s   p95 {q['p95']:.3f} s   "
            f"max {q['max']:.3f} s"
        )
        passed = q["p95"] <= ESTABLISH_P95_S and set(statuses) == {200}
        ok &= passed
        print(f"target HTTP p95 {q['p95']:.3f} s <= {ESTABLISH_P95_S} s {_verdict(passed)}")
    print(
        f"  checked {len(numbers)}: not completed {len(not_completed)} {not_completed[:5]}, "
        f"without exactly one active business licence {len(wrong_licences)} "
        f"{wrong_licences[:5]}; ledger verify: {ledger_line}"
    )
    passed = not not_completed and not wrong_licences and ledger_ok
    ok &= passed
    print(f"target all completed with one active licence, ledger valid {_verdict(passed)}")
    return ok


# --- Part crash ---------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    number: str
    status: int = 0  # the final status: 2xx acknowledged, 4xx refused, 0 gave up
    attempts: int = 0
    state: str = ""
    errors: Counter[str] = dataclasses.field(default_factory=Counter)
    body: str = ""


def _submit_until_acknowledged(
    port: int, draft: Draft, headers: dict[str, str], deadline: float
) -> Outcome:
    """POST the submission, retrying with the same key on connection errors and 5xx."""
    outcome = Outcome(draft.number)
    body = json.dumps({"idempotency_key": draft.key}).encode()
    while time.monotonic() < deadline:
        outcome.attempts += 1
        try:
            status, answer = _request(port, "POST", _submit_path(draft.number), body, headers, 120)
        except (OSError, http.client.HTTPException) as exc:
            outcome.errors[type(exc).__name__] += 1
            time.sleep(0.2 + random.random() * 0.3)  # jitter, not secrecy
            continue
        if status >= 500:
            outcome.errors[f"HTTP {status}"] += 1
            outcome.body = answer.decode("utf-8", "replace")[:300]
            time.sleep(0.2 + random.random() * 0.3)  # jitter, not secrecy
            continue
        outcome.status = status
        if 200 <= status < 300:
            outcome.state = json.loads(answer)["state"]
        else:
            outcome.body = answer.decode("utf-8", "replace")[:300]
        return outcome
    return outcome


def _crash(args: argparse.Namespace) -> bool:
    from django.db import connection

    vendor = connection.vendor
    folder = Path(os.environ["YINGSHANG_VAR"])
    print(
        f"Crash benchmark on {vendor}: {args.applicants} applicants, {args.threads} client "
        f"threads, {args.kills} SIGKILLs of gunicorn's process group, {os.cpu_count()} CPUs"
    )
    rng = random.Random(args.seed)  # names, not secrets
    started = time.perf_counter()
    drafts = _drafts(args.applicants, rng)
    probes = _drafts(args.probe, rng, first_serial=args.applicants + 1) if args.probe else []
    headers = _sessions(drafts + probes)
    print(f"  drafts and sessions prepared in {time.perf_counter() - started:.1f} s")

    from yingshang.registry.models import MarketEntity

    last_before = MarketEntity.objects.order_by("-id").values_list("id", flat=True).first() or 0
    server = Server(_free_port(), folder / "gunicorn.log", args.workers)
    server.start()
    done_count = [0]
    lock = threading.Lock()
    kills: list[tuple[int, float]] = []  # (acknowledged before, seconds to an answer)

    def one(draft: Draft) -> Outcome:
        outcome = _submit_until_acknowledged(
            server.port, draft, headers[draft.user_id], time.monotonic() + 480
        )
        with lock:
            done_count[0] += 1
        return outcome

    def killer() -> None:
        for k in range(args.kills):
            # Kill when about 20% (then 55%, ...) are acknowledged, with requests in flight.
            threshold = min(args.applicants - 1, round(args.applicants * (0.2 + 0.35 * k)))
            while True:
                with lock:
                    if done_count[0] >= threshold:
                        break
                time.sleep(0.02)
            with lock:
                before = done_count[0]
            t0 = time.perf_counter()
            server.kill()
            server.start()
            kills.append((before, time.perf_counter() - t0))

    began = time.perf_counter()
    killing = threading.Thread(target=killer, daemon=True)
    killing.start()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        outcomes = list(pool.map(one, drafts))
    wall = time.perf_counter() - began
    killing.join(timeout=120)

    # The double-submit probe: two concurrent requests with the same key per application.
    probe_statuses: Counter[str] = Counter()
    probe_bodies: list[str] = []
    if probes:
        with ThreadPoolExecutor(max_workers=2) as pool:
            for p in probes:  # one pair at a time: the two requests meet in the server
                one_request = pool.submit(
                    _submit_until_acknowledged,
                    server.port,
                    p,
                    headers[p.user_id],
                    time.monotonic() + 120,
                )
                time.sleep(0.01)  # the repeat lands while the first is in its transaction
                its_repeat = pool.submit(
                    _submit_until_acknowledged,
                    server.port,
                    p,
                    headers[p.user_id],
                    time.monotonic() + 120,
                )
                first, second = one_request.result(), its_repeat.result()
                probe_statuses["+".join(sorted((str(first.status), str(second.status))))] += 1
                probe_bodies += [o.body for o in (first, second) if o.status != 200][:1]
    server.stop()

    audit = _audit(drafts, probes, outcomes, last_before)
    ledger_ok, ledger_line = _ledger_verify()
    log = server.log.read_text("utf-8", "replace")
    tracebacks = log.count("Traceback")

    acked = [o for o in outcomes if 200 <= o.status < 300]
    refused = [o for o in outcomes if o.status and not 200 <= o.status < 300]
    gave_up = [o for o in outcomes if not o.status]
    errors: Counter[str] = Counter()
    for o in outcomes:
        errors.update(o.errors)
    retries = sum(o.attempts - 1 for o in outcomes)
    print(
        f"  {len(drafts)} submissions in {wall:.1f} s wall time: acknowledged {len(acked)} "
        f"(states {dict(Counter(o.state for o in acked))}), refused {len(refused)}, "
        f"gave up {len(gave_up)}; retries {retries} ({dict(errors)})"
    )
    print(
        f"  kills {len(kills)}, restarts {server.starts - 1}: "
        + ", ".join(f"after {b} acknowledged, answering again {s:.1f} s later" for b, s in kills)
    )
    for o in refused[:3]:
        print(f"    refused {o.number}: HTTP {o.status} {o.body}")
    print(f"  server log: {tracebacks} tracebacks" + (f" (see {server.log})" if tracebacks else ""))
    for name, value in audit.items():
        if name != "probe":
            print(f"  {name}: {value}")
    print(f"  ledger verify: {ledger_line}")
    if probes:
        print(
            f"  double-submit probe ({len(probes)} applications x 2 concurrent requests, same "
            f"key): status pairs {dict(probe_statuses)}; after it {audit['probe']}"
        )
        for body in probe_bodies[:2]:
            print(f"    non-200 answer: {body}")

    checks = {
        "every submission acknowledged": len(acked) == len(drafts),
        "lost = 0": audit["lost (acknowledged, absent or not completed)"] == 0,
        "duplicates = 0": audit["applications with two or more entities"] == 0
        and audit["entities with two or more business licences"] == 0,
        "entities == acknowledged applications": audit["entities created"]
        == audit["distinct acknowledged applications"],
        "orphan entities = 0": audit["orphan entities (no completed application)"] == 0,
        "no 5xx from the application": tracebacks == 0
        and not any(k.startswith("HTTP 5") for k in errors),
        "ledger verify passes": ledger_ok,
    }
    if probes:
        checks["double submit: both requests acknowledged"] = set(probe_statuses) == {"200+200"}
    for name, passed in checks.items():
        print(f"target {name:<46} {_verdict(passed)}")
    return all(checks.values())


def _audit(
    drafts: list[Draft], probes: list[Draft], outcomes: list[Outcome], last_before: int
) -> dict[str, Any]:
    from yingshang.matters.models import Application, State
    from yingshang.registry.models import EntityVersion, MarketEntity

    numbers = [d.number for d in drafts]
    apps = Application.objects.in_bulk(numbers + [p.number for p in probes], field_name="number")
    keys = {d.number: d.key for d in drafts + probes}
    acked = {o.number for o in outcomes if 200 <= o.status < 300}
    present = {State.COMPLETED, State.SUBMITTED}
    lost = [n for n in acked if apps[n].state not in present or apps[n].idempotency_key != keys[n]]
    unacked_submitted = [n for n in numbers if n not in acked and apps[n].state != State.DRAFT]
    first_versions = list(
        EntityVersion.objects.filter(version=1, application_ref__in=list(apps)).values_list(
            "application_ref", "entity__credit_code"
        )
    )
    per_app = Counter(ref for ref, _code in first_versions)
    created = [code for ref, code in first_versions if ref in set(numbers)]
    mismatched = [ref for ref, code in first_versions if apps[ref].credit_code != code]
    licences = Counter(_licences_active(code) for code in {code for _ref, code in first_versions})
    # Every entity registered during the run must be the entity of a completed application.
    completed_codes = set(
        Application.objects.filter(state=State.COMPLETED)
        .exclude(credit_code="")
        .values_list("credit_code", flat=True)
    )
    new = MarketEntity.objects.filter(id__gt=last_before)
    orphans = set(new.values_list("credit_code", flat=True)) - completed_codes
    probe_apps = [apps[p.number] for p in probes]
    return {
        "distinct acknowledged applications": len(acked),
        "lost (acknowledged, absent or not completed)": len(lost),
        "submitted without acknowledgement": len(unacked_submitted),
        "entities created": len(created),
        "applications with two or more entities": sum(1 for c in per_app.values() if c > 1),
        "entities whose application names another credit code": len(mismatched),
        "entities by count of active business licences": dict(licences),
        "entities with two or more business licences": sum(
            n for count, n in licences.items() if count > 1
        ),
        "orphan entities (no completed application)": len(orphans),
        "probe": {
            "states": dict(Counter(a.state for a in probe_apps)),
            "entities": sum(per_app[p.number] for p in probes),
        },
    }


# --- Entry point --------------------------------------------------------------------------


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--part", choices=("establish", "crash"), default="establish")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default=None)
    parser.add_argument("--entities", type=int, default=200_000, help="establish: register")
    parser.add_argument("--drafts", type=int, default=100, help="establish: in-process")
    parser.add_argument("--http", type=int, default=20, help="establish: over HTTP")
    parser.add_argument("--applicants", type=int, default=200, help="crash: submissions")
    parser.add_argument("--threads", type=int, default=50, help="crash: client threads")
    parser.add_argument("--kills", type=int, default=2, help="crash: SIGKILLs")
    parser.add_argument("--probe", type=int, default=10, help="crash: double submits")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=None, help="processes (seed, server)")
    parser.add_argument("--workdir", default=None, help="parent of the scratch folder")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> int:
    args = _arguments()
    if args.child:
        _setup()
        ok = _establish(args) if args.part == "establish" else _crash(args)
        return 0 if ok else 1
    return _part(args.part, args)


if __name__ == "__main__":
    sys.exit(main())
