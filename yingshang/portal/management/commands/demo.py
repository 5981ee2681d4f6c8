"""``yingshang demo``: seed demo entities once, ensure one account per role, print them."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from yingshang.accounts.models import User
from yingshang.licences.demo import demo_licences_ensure
from yingshang.portal.demo import ADMIN_USERNAME, DEMO_PASSWORD, demo_accounts_ensure
from yingshang.registration.demo import demo_registrations_ensure
from yingshang.registry.models import EntityStatus, MarketEntity


class Command(BaseCommand):
    help = "Seed demo entities (once) and create one demo account per role; print them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entities", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--licences", type=int, default=200, help="e-business licences to issue"
        )

    def handle(self, *args: Any, entities: int, seed: int, licences: int, **options: Any) -> None:
        if not MarketEntity.objects.exists():
            self.stdout.write(f"正在生成 {entities} 个演示市场主体……")
            call_command("seed", entities=entities, seed=seed)
            self.stdout.write("正在建立企业名称比对库……")
            call_command("names", "reindex", "--no-progress")
        # The demo enterprise is in 浦东新区, where the demo officials work.
        pudong = MarketEntity.objects.filter(region_code="310115", status=EntityStatus.ACTIVE)
        candidates = pudong if pudong.exists() else MarketEntity.objects.all()
        credit_code = candidates.order_by("credit_code").values_list("credit_code", flat=True)[0]
        accounts = demo_accounts_ensure(enterprise_credit_code=credit_code)
        self.stdout.write("正在签发演示电子营业执照……")
        issued = demo_licences_ensure(
            official=User.objects.get(username=ADMIN_USERNAME),
            enterprise_credit_code=credit_code,
            count=licences,
        )
        registrations = demo_registrations_ensure(
            founder=User.objects.get(username="gongzhong"), password=DEMO_PASSWORD
        )
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
        self.stdout.write(
            f"电子营业执照：已签发 {issued.total} 张；样例文件（执照、二维码内容、江苏执照、"
            f"电子身份证、信任包）在 {issued.folder}/，"
            f"可用 `.venv/bin/yingshang licences verify {issued.folder}/licence.json` 核验。"
        )
        if registrations is not None:
            self.stdout.write(
                f"企业开办：gongzhong 已在线设立 {registrations.established}；"
                f"另一家企业的简易注销公告 {registrations.in_notice} 公示中"
                "（/registration/notices/）。"
            )
        self.stdout.write(f"平台地址：http://127.0.0.1:{os.environ.get('PORT', '8000')}/")
