"""SM2 benchmark: signatures, verifications and key pairs per second, pure Python.

    .venv/bin/python bench/sm2.py [--n 500]

Times ``--n`` calls each of ``sm2_sign`` (one private key, as a licence issuer signs),
``sm2_sign`` with a new key every time (the public-key cache missed), ``sm2_verify`` and
``sm2_keypair``, after reporting the one-time cost of building the fixed-base table for G.
For scale only, the same run times ECDSA P-256 with SHA-256 from ``cryptography``
(OpenSSL, C): a baseline on ANOTHER curve and another implementation, not an SM2 target.
Figures only, no pass/fail: a shared CPU moves them by tens of percent.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MESSAGE = "营业执照 91310115MA1FL5XK4C 上海营商测试有限公司".encode()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="operations of each kind to time")
    return parser.parse_args()


def _configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingshang.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()


def _rate(action: Callable[[int], object], n: int) -> float:
    """Operations per second of ``action(i)`` for i in range(n)."""
    start = time.perf_counter()
    for i in range(n):
        action(i)
    return n / (time.perf_counter() - start)


def _line(name: str, rate: float, note: str = "") -> None:
    print(f"  {name:<30} {rate:>9,.0f}/s  {1000 / rate:8.3f} ms each{note}")


def main() -> None:
    args = _arguments()
    _configure()
    _run(args.n)


def _run(n: int) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from yingshang.core import sm2

    print(f"SM2 benchmark, n={n} per operation, Python {sys.version.split()[0]}")
    start = time.perf_counter()
    sm2._g_table()
    elapsed = (time.perf_counter() - start) * 1000
    print(f"  fixed-base table for G (once per process): {elapsed:.1f} ms")

    private, public = sm2.sm2_keypair()
    signatures = [sm2.sm2_sign(private_key=private, message=MESSAGE) for _ in range(n)]
    fresh_keys = [1 + i for i in range(10_000, 10_000 + n)]  # never in the public-key cache

    print("SM2 (yingshang.core.sm2, pure Python):")
    sign = _rate(lambda _i: sm2.sm2_sign(private_key=private, message=MESSAGE), n)
    _line("sign (issuer key, cached)", sign)
    _line(
        "sign (new key each call)",
        _rate(lambda i: sm2.sm2_sign(private_key=fresh_keys[i], message=MESSAGE), n),
    )
    verify = _rate(
        lambda i: sm2.sm2_verify(public_key=public, message=MESSAGE, signature=signatures[i]), n
    )
    _line("verify", verify)
    _line("keypair", _rate(lambda _i: sm2.sm2_keypair(), n))
    assert all(
        sm2.sm2_verify(public_key=public, message=MESSAGE, signature=s) for s in signatures[:5]
    )

    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_public = ec_key.public_key()
    algorithm = ec.ECDSA(hashes.SHA256())
    ec_signatures = [ec_key.sign(MESSAGE, algorithm) for _ in range(n)]
    print("Baseline for scale only -- ECDSA P-256 + SHA-256, cryptography/OpenSSL in C:")
    ec_sign = _rate(lambda _i: ec_key.sign(MESSAGE, algorithm), n)
    _line("sign", ec_sign)
    ec_verify = _rate(lambda i: ec_public.verify(ec_signatures[i], MESSAGE, algorithm), n)
    _line("verify", ec_verify)
    print(
        f"SM2 pure Python vs. P-256 in C: sign {ec_sign / sign:.0f}x slower, "
        f"verify {ec_verify / verify:.0f}x slower"
    )
    print(f"  10,000 licences: about {10_000 / sign:.1f} s of SM2 signing on one core")


if __name__ == "__main__":
    main()
