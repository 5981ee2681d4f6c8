"""``yingshang seed --entities N [--seed S] [--append]``: load synthetic market entities.

Deterministic: the same seed and count give the same rows. Refuses a non-empty entity
table unless ``--append`` (then the new rows follow the existing ones). One ledger event
(``registry.seeded``) records the whole load; see :mod:`yingshang.registry.seeding`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from yingshang.core.errors import DomainError
from yingshang.registry.seeding import entities_seed


class Command(BaseCommand):
    help = "Load N synthetic Shanghai market entities (deterministic for a seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entities", type=int, required=True, help="how many to create")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--append", action="store_true", help="add after existing entities instead of refusing"
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="generator processes (default: automatic)"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = entities_seed(
                actor="system:seed",
                count=options["entities"],
                seed=options["seed"],
                append=options["append"],
                workers=options["workers"],
                progress=not options["no_progress"] and options["verbosity"] > 0,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"] > 0:
            self.stdout.write(
                f"已生成 {result.count} 个市场主体（编号 {result.first_id}-{result.last_id}，"
                f"种子 {result.seed}），用时 {result.seconds:.1f} 秒，"
                f"{result.count / max(result.seconds, 1e-9):,.0f} 户/秒；"
                f"账本事件 #{result.ledger_index}，代码摘要 {result.codes_sha256}"
            )
