"""Demo licences for ``make run``: e-business licences, a trust list, sample files.

* e-business licences for the first ``count`` entities (and the demo enterprise's);
* the 长三角 trust list: demo market regulators of 江苏, 浙江 and 安徽 (keys made here,
  demo only) and our test e-ID issuer (:mod:`.eid_test_issuer`);
* sample files in ``<var>/demo/``: our licence (JSON and QR text), a 江苏 licence, the
  demo enterprise's legal representative's e-ID, and a trust bundle, for the verify page
  and ``yingshang licences verify``.

Idempotent: a second run adds nothing that exists.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.utils import timezone

from yingshang.accounts.models import User
from yingshang.core.licence_id import licence_id_build
from yingshang.core.uscc import uscc_generate
from yingshang.registry.models import EntityStatus, MarketEntity

from .credential import business_licence_credential
from .dataintegrity import EDDSA_RDFC_2022, proof_create
from .eid_test_issuer import TestEidIssuer
from .models import Licence, LicenceKind, TrustedIssuer
from .multibase import multikey_encode_ed25519_public
from .qr import qr_payload_encode
from .services import business_licence_issue_as
from .trust import issuer_entry_parse, trust_bundle, trusted_issuer_save

ACTOR = "system:demo"
REGIONAL = [  # did, name, region
    ("did:web:scjgj.jiangsu.example", "江苏省市场监督管理局（演示）", "320000"),
    ("did:web:scjgj.zhejiang.example", "浙江省市场监督管理局（演示）", "330000"),
    ("did:web:amr.anhui.example", "安徽省市场监督管理局（演示）", "340000"),
]


@dataclass(frozen=True)
class DemoLicences:
    issued: int
    total: int
    folder: Path


def _write(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _regional_document(did: str, key: Ed25519PrivateKey) -> dict[str, object]:
    method = f"{did}#key-1"
    return {
        "id": did,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": multikey_encode_ed25519_public(key.public_key()),
            }
        ],
        "assertionMethod": [method],
    }


def _regional_licence(did: str, region: str, key: Ed25519PrivateKey) -> dict[str, object]:
    """A sample licence as another province's regulator would issue it (no status list)."""
    now = timezone.now().replace(microsecond=0)
    code = uscc_generate(region=region[:2] + "0102").code
    unsigned = business_licence_credential(
        entity={
            "credit_code": code,
            "name": "南京长江示范贸易有限公司",
            "entity_type_label": "有限责任公司（自然人投资或控股）",
            "legal_representative": "周明",
            "address": "江苏省南京市玄武区示范路1号",
            "business_scope": "一般项目：日用百货销售。",
            "registration_authority": "南京市玄武区市场监督管理局",
            "registered_capital": "200",
            "capital_currency": "CNY",
            "established_on": dt.date(2021, 3, 8),
        },
        issuer=did,
        licence_id=licence_id_build(
            type_code="YYZZ",
            issuer_credit_code=uscc_generate(region=region, department="1", category="1").code,
            serial=1,
        ),
        issued_on=now.date(),
        valid_from=now,
        valid_until=None,
        status=None,
    )
    return proof_create(
        document=unsigned,
        key=key,
        verification_method=f"{did}#key-1",
        cryptosuite=EDDSA_RDFC_2022,
        created=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def demo_licences_ensure(
    *, official: User, enterprise_credit_code: str, count: int = 200
) -> DemoLicences:
    folder = Path(settings.VAR_DIR) / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    wanted = list(
        MarketEntity.objects.filter(status=EntityStatus.ACTIVE)
        .exclude(business_term_end__lte=today)
        .order_by("credit_code")
        .values_list("credit_code", flat=True)[:count]
    )
    if enterprise_credit_code not in wanted:
        wanted.append(enterprise_credit_code)
    have = set(
        Licence.objects.filter(kind=LicenceKind.BUSINESS, credit_code__in=wanted).values_list(
            "credit_code", flat=True
        )
    )
    issued = 0
    for code in wanted:
        if code not in have:
            business_licence_issue_as(actor=ACTOR, credit_code=code)
            issued += 1

    own = Licence.objects.filter(credit_code=enterprise_credit_code).order_by("-id").first()
    if own is not None:
        _write(folder / "licence.json", own.credential)
        (folder / "licence-qr.txt").write_text(qr_payload_encode(own.credential) + "\n")

    for did, name, region in REGIONAL:
        if TrustedIssuer.objects.filter(did=did).exists():
            continue
        key = Ed25519PrivateKey.generate()
        trusted_issuer_save(
            by=official,
            entry=issuer_entry_parse(
                {
                    "did": did,
                    "name": name,
                    "region_code": region,
                    "kind": "market_regulator",
                    "did_document": _regional_document(did, key),
                }
            ),
        )
        if region == "320000":
            _write(folder / "jiangsu-licence.json", _regional_licence(did, region, key))

    secret_file = folder / "eid-issuer-secret.txt"
    if not TrustedIssuer.objects.filter(kind="id_card").exists() or not secret_file.exists():
        eid = TestEidIssuer()
        secret_file.write_text(eid.secret + "\n")
        secret_file.chmod(0o600)
        trusted_issuer_save(by=official, entry=issuer_entry_parse(eid.trust_entry()))
    eid = TestEidIssuer(secret=secret_file.read_text().strip())
    entity = MarketEntity.objects.get(credit_code=enterprise_credit_code)
    _write(
        folder / "eid-legal-representative.json",
        eid.issue(
            full_name=entity.legal_representative,
            id_number=entity.legal_representative_id_number,
        ),
    )
    _write(folder / "trust-bundle.json", trust_bundle())
    return DemoLicences(
        issued=issued,
        total=Licence.objects.filter(kind=LicenceKind.BUSINESS).count(),
        folder=folder,
    )
