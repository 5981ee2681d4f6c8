"""Demo accounts: one per role, bound to real departments, jurisdictions and entities."""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from yingshang.accounts.models import Department, Role, User
from yingshang.accounts.services import NewUser, department_create, totp_enrol, user_create

DEMO_PASSWORD = "Yingshang-demo-2026"  # noqa: S105 - printed on purpose: demo data only
ACTOR = "system:demo"

# code, name, region, approving function in the 一业一证 catalogue
DEPARTMENTS = [
    ("SH-SAMR", "上海市市场监督管理局", "310000", "SCJG"),
    ("PD-SAMR", "浦东新区市场监督管理局", "310115", "SCJG"),
    ("SH-DRC", "上海市发展和改革委员会", "310000", ""),
    ("SH-ZWB", "上海市人民政府办公厅（一网通办）", "310000", ""),
    ("PD-ZHZF", "浦东新区城市管理行政执法局", "310115", ""),
    ("PD-YCZM", "上海市烟草专卖局浦东新区分局", "310115", "YCZM"),
    ("PD-XFJY", "上海市浦东新区消防救援支队", "310115", "XFJY"),
    ("PD-WJW", "浦东新区卫生健康委员会", "310115", "WJW"),
    ("PD-GAJ", "上海市公安局浦东分局", "310115", "GAJ"),
    ("PD-WLJ", "浦东新区文化体育和旅游局", "310115", "WLJ"),
    ("PD-TYJ", "浦东新区文化体育和旅游局（体育）", "310115", "TYJ"),
    ("PD-YJJ", "上海市药品监督管理局浦东分局", "310115", "YJJ"),
    ("PD-SWJ", "浦东新区水务局", "310115", "SWJ"),
    # The departments that pull registration facts (信息共享): tax, social insurance, fund.
    ("PD-SW", "国家税务总局上海市浦东新区税务局", "310115", "SW"),
    ("PD-RSJ", "浦东新区人力资源和社会保障局", "310115", "RSJ"),
    ("PD-GJJ", "上海市公积金管理中心浦东新区分中心", "310115", "GJJ"),
]

# username, role, display name, department, jurisdiction
ACCOUNTS: list[tuple[str, Role, str, str, str]] = [
    ("gongzhong", Role.PUBLIC, "王小明", "", ""),
    ("qiye", Role.ENTERPRISE, "李经理", "", ""),
    ("dengji", Role.REGISTRATION_OFFICER, "张登记", "PD-SAMR", "310115"),
    ("xuke", Role.LICENSING_OFFICER, "赵许可", "PD-SAMR", "310115"),
    ("zhengce", Role.POLICY_OFFICER, "钱政策", "SH-DRC", "310000"),
    ("zhishi", Role.KNOWLEDGE_EDITOR, "孙知识", "SH-ZWB", "310000"),
    ("kefu", Role.SERVICE_AGENT, "周客服", "SH-ZWB", "310000"),
    ("jiancha", Role.INSPECTOR, "吴检查", "PD-SAMR", "310115"),
    ("zhifa", Role.ENFORCEMENT_OFFICER, "郑执法", "PD-ZHZF", "310115"),
    ("fazhi", Role.LEGAL_REVIEWER, "冯法制", "PD-ZHZF", "310115"),
    ("lingdao", Role.LEADER, "陈局长", "SH-SAMR", "310000"),
    ("shenji", Role.AUDITOR, "褚审计", "SH-SAMR", "310000"),
    ("yancao", Role.LICENSING_OFFICER, "卫烟草", "PD-YCZM", "310115"),
    ("xiaofang", Role.LICENSING_OFFICER, "蒋消防", "PD-XFJY", "310115"),
    ("weijian", Role.LICENSING_OFFICER, "沈卫健", "PD-WJW", "310115"),
    ("shuiwu", Role.LICENSING_OFFICER, "韩税务", "PD-SW", "310115"),
]
# The demo person's ID number from real-name verification: they found the demo companies.
ID_NUMBERS = {"gongzhong": "31011519850601002X"}
ADMIN_USERNAME = "lingdao"  # the leader doubles as the platform administrator (Django admin)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role_label: str
    totp_secret: str | None
    note: str


def demo_accounts_ensure(*, enterprise_credit_code: str) -> list[DemoAccount]:
    """Create the demo departments and accounts that are missing; return all of them."""
    with transaction.atomic():
        for code, name, region, function in DEPARTMENTS:
            if not Department.objects.filter(code=code).exists():
                department_create(
                    actor=ACTOR, code=code, name=name, region_code=region, function=function
                )
        for username, role, display, department, jurisdiction in ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            user = user_create(
                actor=ACTOR,
                new=NewUser(
                    username=username,
                    password=DEMO_PASSWORD,
                    role=role,
                    display_name=display,
                    department_code=department,
                    jurisdiction=jurisdiction,
                    entity_credit_code=enterprise_credit_code if role is Role.ENTERPRISE else "",
                    id_number=ID_NUMBERS.get(username, ""),
                ),
            )
            if role.is_official:
                totp_enrol(actor=ACTOR, user=user)
            if username == ADMIN_USERNAME:
                User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    accounts = []
    for username, role, _display, _department, _jurisdiction in ACCOUNTS:
        user = User.objects.get(username=username)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        secret = b32encode(device.bin_key).decode() if device else None
        note = user.entity_credit_code or user.jurisdiction
        if user.is_superuser:
            note += " · 管理后台 /admin/"
        accounts.append(DemoAccount(username, str(role.label), secret, note))
    return accounts
