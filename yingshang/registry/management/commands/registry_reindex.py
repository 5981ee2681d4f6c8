"""``yingshang registry_reindex``: rebuild the entity name search index from the table.

For repairs (e.g. after rows were written outside the services on SQLite, where Python
keeps the FTS table in step). Runs in one transaction.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from yingshang.registry.search import index_rebuild, stats_forget


class Command(BaseCommand):
    help = "Rebuild the market entity name search index."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        count = index_rebuild()
        stats_forget()
        if options["verbosity"] > 0:
            seconds = time.perf_counter() - started
            self.stdout.write(f"已重建 {count} 个市场主体的名称索引，用时 {seconds:.1f} 秒。")
