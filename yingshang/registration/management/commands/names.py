"""``yingshang names reindex``, ``yingshang names expire`` and ``yingshang names check <name>
--region 310000``.

``reindex`` rebuilds the name index (名称比对库) from the register and the live
reservations, with a progress bar; ``check`` prints a name check's verdict, message and the
names it conflicts with or resembles (exit status 1 unless the verdict is ``ok``).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from yingshang.registration.nameindex import name_check, name_index_rebuild, name_index_stats
from yingshang.registration.reservations import reservations_expire


class Command(BaseCommand):
    help = "Enterprise names: rebuild the name index, or check a declared name."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        reindex = actions.add_parser("reindex", help="rebuild the name index from the register")
        reindex.add_argument("--workers", type=int, default=None, help="key-computing processes")
        reindex.add_argument("--no-progress", action="store_true", help="no progress bar")
        actions.add_parser("expire", help="mark the reservations past their two months expired")
        check = actions.add_parser("check", help="check a declared name")
        check.add_argument("name", help="the full declared name")
        check.add_argument("--region", required=True, help="GB/T 2260 code of the residence")
        check.add_argument("--industry", default=None, help="GB/T 4754 class, optional")
        check.add_argument("--entity-type", default=None, help="registry EntityType value")
        check.add_argument(
            "--exclude", default=None, help="credit code of an entity renaming itself"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "reindex":
            self._reindex(options)
        elif options["action"] == "expire":
            count = reservations_expire()
            self.stdout.write(_("已到期的名称保留：%(n)d 个。") % {"n": count})
        else:
            self._check(options)

    def _reindex(self, options: dict[str, Any]) -> None:
        show = not options["no_progress"] and options["verbosity"] > 0
        bar = tqdm(total=0, unit="户", disable=not show, desc=_("重建名称比对库"))

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        started = time.perf_counter()
        try:
            rows = name_index_rebuild(progress=progress, workers=options["workers"])
        finally:
            bar.close()
        seconds = time.perf_counter() - started
        stats = name_index_stats()
        if options["verbosity"] > 0:
            self.stdout.write(
                _(
                    "名称比对库已重建：%(rows)d 条（市场主体 %(entities)d，保留名称 "
                    "%(reservations)d，按全称比对 %(fallback)d），字号片段 %(fragments)d 条，"
                    "用时 %(seconds).1f 秒。"
                )
                % {**stats, "rows": rows, "seconds": seconds}
            )

    def _check(self, options: dict[str, Any]) -> None:
        result = name_check(
            name=options["name"],
            region_code=options["region"],
            industry_code=options["industry"],
            entity_type=options["entity_type"],
            exclude_credit_code=options["exclude"],
        )
        self.stdout.write(f"{result.verdict} {result.code}".rstrip())
        self.stdout.write(result.message)
        for conflict in result.conflicts:
            self.stdout.write(
                f"  [{conflict.verdict}/{conflict.rule}] {conflict.name} "
                f"{conflict.credit_code or _('（已保留）')}：{conflict.reason}"
            )
        if result.verdict != "ok":
            raise CommandError(
                _("名称检查结果：%(verdict)s。") % {"verdict": result.verdict}, returncode=1
            )
