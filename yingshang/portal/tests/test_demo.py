"""``yingshang demo``: accounts, e-licences, the trust list and sample files, idempotently."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from yingshang.accounts.models import User
from yingshang.licences.identity import identity_verify
from yingshang.licences.models import IssuerKind, Licence, TrustedIssuer
from yingshang.licences.verification import credential_verify, credential_verify_text
from yingshang.matters.models import Application
from yingshang.registration.models import Deregistration, NameIndexEntry
from yingshang.registry.models import MarketEntity


@pytest.mark.django_db(transaction=True)
def test_demo_issues_licences_and_writes_verifiable_samples(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", entities=300, licences=5, stdout=out)
    assert "qiye" in out.getvalue() and "电子营业执照：已签发" in out.getvalue()
    enterprise = User.objects.get(username="qiye")
    assert Licence.objects.filter(credit_code=enterprise.entity_credit_code).exists()
    # five demo licences (the enterprise's may be among them) and the two demo registrations
    assert Licence.objects.count() in (7, 8)
    folder = tmp_path / "demo"
    licence = json.loads((folder / "licence.json").read_text())
    assert credential_verify(licence).valid
    assert credential_verify_text((folder / "licence-qr.txt").read_text()).valid
    jiangsu = credential_verify(json.loads((folder / "jiangsu-licence.json").read_text()))
    assert jiangsu.valid and jiangsu.issuer is not None and jiangsu.issuer.region_code == "320000"
    assert TrustedIssuer.objects.filter(kind=IssuerKind.MARKET_REGULATOR).count() == 3
    entity = MarketEntity.objects.get(credit_code=enterprise.entity_credit_code)
    identity = identity_verify(
        credential=json.loads((folder / "eid-legal-representative.json").read_text()),
        full_name=entity.legal_representative,
        id_number=entity.legal_representative_id_number,
    )
    assert identity.issuer.kind == IssuerKind.ID_CARD

    founder = User.objects.get(username="gongzhong")
    established = (
        Application.objects.filter(applicant=founder, state="completed").order_by("id").first()
    )
    assert established is not None and established.credit_code in out.getvalue()
    notice = Deregistration.objects.get(state="notice")
    assert notice.number in out.getvalue()
    # the seeded enterprise names that block others are in the name index (branches and
    # individual businesses are named under other rules)
    active = (
        MarketEntity.objects.filter(status="active")
        .exclude(entity_type__in=["branch", "individual_business"])
        .count()
    )
    assert NameIndexEntry.objects.filter(source="entity").count() >= active

    count = Licence.objects.count()
    call_command("demo", entities=300, licences=5, stdout=StringIO())  # a second run adds nothing
    assert Licence.objects.count() == count
    assert Deregistration.objects.count() == 1
    assert TrustedIssuer.objects.count() == 4
