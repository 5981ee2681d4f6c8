"""Load, once and before any request, what the first requests would otherwise load: the
shipped catalogues, the name word lists and pinyin dictionary, the SM2 tables, the JSON-LD
contexts of a licence and both cryptosuites' code paths.

``deploy/gunicorn.conf.py`` calls :func:`warm_up` in the master after the application is
preloaded, so every forked worker starts with it in (copy-on-write) memory. Nothing here
touches the database: a connection opened before the fork would be shared by the workers.
"""

from __future__ import annotations

import datetime as dt

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from yingshang.core import sm2
from yingshang.core.licence_id import licence_id_build
from yingshang.licences.catalogue import catalogue_load
from yingshang.licences.credential import business_licence_credential
from yingshang.licences.dataintegrity import EDDSA_JCS_2022, EDDSA_RDFC_2022, proof_create
from yingshang.matters.catalogue import matters_load
from yingshang.registration.names import name_keys, name_parse

# A made-up entity: only the shape of a real licence matters here.
_SAMPLE = {
    "credit_code": "91310000MA1FL8XQ11",
    "name": "上海鑫达贸易有限公司",
    "entity_type_label": "有限责任公司（自然人投资或控股）",
    "legal_representative": "张伟",
    "address": "上海市浦东新区张江路100号",
    "business_scope": "一般项目：软件开发。",
    "registration_authority": "浦东新区市场监督管理局",
    "registered_capital": "100",
    "capital_currency": "CNY",
    "established_on": dt.date(2024, 1, 2),
}


def warm_up() -> None:
    matters_load()
    catalogue_load()
    name_keys(name_parse("上海鑫达贸易有限公司", region_code="310115"))
    private, _public = sm2.sm2_keypair()
    sm2.sm2_sign(private_key=private, message=b"warm-up")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    credential = business_licence_credential(
        entity=_SAMPLE,
        issuer="did:web:warm-up.example",
        licence_id=licence_id_build(
            type_code="YYZZ", issuer_credit_code="11310000MB2F36019U", serial=1
        ),
        issued_on=now.date(),
        valid_from=now,
        valid_until=None,
        status=None,
    )
    key = Ed25519PrivateKey.generate()
    for suite in (EDDSA_RDFC_2022, EDDSA_JCS_2022):
        proof_create(
            document=credential,
            key=key,
            verification_method="did:web:warm-up.example#key-1",
            cryptosuite=suite,
            created=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
