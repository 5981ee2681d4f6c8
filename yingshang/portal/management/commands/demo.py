"""``yingshang demo``: seed demo entities once, ensure one account per role, print them."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from yingshang.portal.demo import DEMO_PASSWORD, demo_accounts_ensure
from yingshang.registry.models import MarketEntity


class Command(BaseCommand):
    help = "Seed demo entities (once) and create one demo account per role; print them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entities", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, entities: int, seed: int, **options: Any) -> None:
        if not MarketEntity.objects.exists():
            self.stdout.write(f"正在生成 {entities} 个演示市场主体……")
            call_command("seed", entities=entities, seed=seed)
        first = MarketEntity.objects.order_by("credit_code").values_list("credit_code", flat=True)
        accounts = demo_accounts_ensure(enterprise_credit_code=first[0])
        self.stdout.write("")
        self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for account in accounts:
            line = f"  {account.username:<10} {account.role_label:<8} {account.note}"
            if account.totp_secret:
                line += f"  动态口令密钥 {account.totp_secret}"
            self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(
            "工作人员登录需动态口令：在验证器中添加上面的密钥，"
            "或运行 `.venv/bin/yingshang totp 用户名`。"
        )
        self.stdout.write(f"平台地址：http://127.0.0.1:{os.environ.get('PORT', '8000')}/")
