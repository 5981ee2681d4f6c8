"""``yingshang ledger verify|head|rotate-key|revoke-key``: audit and run the ledger.

``verify`` exits with status 1 and names the first bad event when any stored row was
altered, removed or reordered; 0 with a summary otherwise.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError
from yingshang.ledger import services
from yingshang.ledger.verify import ledger_verify


class Command(BaseCommand):
    help = "Audit the tamper-evident ledger, print its signed head, or rotate/revoke keys."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        verify = actions.add_parser("verify", help="recompute and check every event and head")
        verify.add_argument("--chunk-size", type=int, default=10_000)
        verify.add_argument("--progress", action="store_true", help="print progress")
        actions.add_parser("head", help="sign (if needed) and print the current tree head")
        rotate = actions.add_parser("rotate-key", help="switch to a new signing key")
        rotate.add_argument("--actor", default="system:cli")
        revoke = actions.add_parser("revoke-key", help="revoke a signing key")
        revoke.add_argument("key_id")
        revoke.add_argument("--reason", required=True)
        revoke.add_argument("--actor", default="system:cli")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "verify":
                self._verify(chunk_size=options["chunk_size"], progress=options["progress"])
            elif action == "head":
                head = services.tree_head_sign()
                self.stdout.write(json.dumps(head.as_public_dict(), indent=2))
            elif action == "rotate-key":
                key = services.signing_key_rotate(actor=options["actor"])
                self.stdout.write(_("新签名密钥已启用：%(key_id)s") % {"key_id": key.key_id})
            elif action == "revoke-key":
                key = services.signing_key_revoke(
                    key_id=options["key_id"], actor=options["actor"], reason=options["reason"]
                )
                self.stdout.write(_("签名密钥已吊销：%(key_id)s") % {"key_id": key.key_id})
        except DomainError as error:
            raise CommandError(error.message) from error

    def _verify(self, *, chunk_size: int, progress: bool) -> None:
        if chunk_size < 1:
            raise CommandError(_("--chunk-size 至少为 1。"))

        def report_progress(done: int, size: int) -> None:
            self.stderr.write(_("已校验 %(done)s / %(size)s") % {"done": done, "size": size})

        report = ledger_verify(
            chunk_size=chunk_size, progress=report_progress if progress else None
        )
        if report.problem is not None:
            where = (
                _("第一个有问题的事件序号：%(index)s。") % {"index": report.problem.index}
                if report.problem.index is not None
                else ""
            )
            raise CommandError(
                _("账本校验失败：%(problem)s%(where)s")
                % {"problem": report.problem.message, "where": where},
                returncode=1,
            )
        self.stdout.write(
            _(
                "账本校验通过：%(events)s 个事件，%(nodes)s 个节点，%(heads)s 个签名树头"
                "（其中 %(revoked)s 个由已吊销密钥签名）；根哈希 %(root)s。"
            )
            % {
                "events": report.events,
                "nodes": report.nodes,
                "heads": report.heads,
                "revoked": report.heads_by_revoked_keys,
                "root": report.root_hash.hex(),
            }
        )
