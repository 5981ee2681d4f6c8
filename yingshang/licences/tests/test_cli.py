"""``yingshang licences``: verify files (online and offline), issue, keys, DID document."""

from __future__ import annotations

import copy
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from yingshang.licences import keys
from yingshang.licences.models import IssuerKey, KeyAlgorithm, Licence, LicenceState
from yingshang.licences.qr import qr_payload_encode
from yingshang.licences.services import licence_state_set

from .conftest import events

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("licences", *args, stdout=out)
    return out.getvalue()


def _fail(*args: str) -> tuple[CommandError, str]:
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("licences", *args, stdout=out)
    return caught.value, out.getvalue()


def _write(path: Path, data: Any) -> str:
    path.write_text(
        data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8"
    )
    return str(path)


def test_verify_a_valid_licence_file(licence, tmp_path):
    out = _run("verify", _write(tmp_path / "licence.json", licence.credential))
    lines = out.splitlines()
    assert sum(line.startswith("✓ ") for line in lines) == 5
    assert not any(line.startswith("✗ ") for line in lines)
    assert "上海鑫达贸易有限公司" in out and licence.credit_code in out
    assert "上海市市场监督管理局" in out
    assert lines[-1] == "结论：有效"


def test_verify_a_qr_payload_file(licence, tmp_path):
    out = _run("verify", _write(tmp_path / "qr.txt", qr_payload_encode(licence.credential) + "\n"))
    assert out.splitlines()[-1] == "结论：有效"


def test_verify_a_tampered_file_exits_1(licence, tmp_path):
    tampered = copy.deepcopy(licence.credential)
    tampered["credentialSubject"]["entityName"] = "上海假冒贸易有限公司"
    error, out = _fail("verify", _write(tmp_path / "tampered.json", tampered))
    assert error.returncode == 1
    assert "TAMPERED" in str(error)
    assert "✗ signature" in out and "[TAMPERED]" in out
    assert out.splitlines()[-1] == "结论：无效"


def test_verify_garbage_exits_1(db, tmp_path):
    error, out = _fail("verify", _write(tmp_path / "garbage.txt", "YSVC1:???"))
    assert error.returncode == 1 and "MALFORMED" in str(error)
    assert "– issuer" in out  # not run


def test_verify_a_missing_file_is_a_clear_error(db, tmp_path):
    error, _out = _fail("verify", str(tmp_path / "nowhere.json"))
    assert "nowhere.json" in str(error)


def test_verify_json_output_parses(licence, tmp_path):
    out = _run("verify", "--json", _write(tmp_path / "licence.json", licence.credential))
    verdict = json.loads(out)
    assert verdict["valid"] is True and verdict["reasons"] == []
    assert verdict["credential"]["subject"]["creditCode"] == licence.credit_code


def test_verify_json_output_of_an_invalid_file_parses_and_exits_1(licence, tmp_path):
    credential = {k: v for k, v in licence.credential.items() if k != "proof"}
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "licences", "verify", "--json", _write(tmp_path / "c.json", credential), stdout=out
        )
    assert caught.value.returncode == 1
    assert json.loads(out.getvalue())["reasons"] == ["NO_PROOF"]


def test_offline_verification_with_a_bundle(licence, officer, tmp_path, django_assert_num_queries):
    bundle = tmp_path / "bundle.json"
    assert str(bundle) in _run("trust-bundle", "--out", str(bundle))
    assert json.loads(bundle.read_text(encoding="utf-8"))["format"] == "yingshang-trust-bundle/1"
    licence_file = _write(tmp_path / "licence.json", licence.credential)
    with django_assert_num_queries(0):
        out = _run("verify", "--bundle", str(bundle), licence_file)
    assert out.splitlines()[-1] == "结论：有效"

    licence_state_set(
        by=officer, licence_id=licence.licence_id, state=LicenceState.REVOKED, reason="吊销"
    )
    # the old bundle does not know yet; a new one does
    _run("verify", "--bundle", str(bundle), licence_file)
    _run("trust-bundle", "--out", str(bundle))
    error, out = _fail("verify", "--bundle", str(bundle), licence_file)
    assert error.returncode == 1 and "REVOKED" in str(error)


def test_offline_verification_refuses_an_unknown_issuer(licence, tmp_path, settings):
    bundle = tmp_path / "bundle.json"
    _run("trust-bundle", "--out", str(bundle))
    data = json.loads(bundle.read_text(encoding="utf-8"))
    data["issuers"] = []
    _write(bundle, data)
    error, _out = _fail(
        "verify", "--bundle", str(bundle), _write(tmp_path / "l.json", licence.credential)
    )
    assert "UNKNOWN_ISSUER" in str(error)


def test_a_bad_bundle_file_is_a_clear_error(licence, tmp_path):
    bundle = _write(tmp_path / "bundle.json", {"format": "something else"})
    error, _out = _fail(
        "verify", "--bundle", bundle, _write(tmp_path / "l.json", licence.credential)
    )
    assert "yingshang-trust-bundle/1" in str(error)
    assert getattr(error, "returncode", 1) == 1


def test_trust_bundle_to_stdout(licence):
    bundle = json.loads(_run("trust-bundle"))
    assert bundle["issuers"][0]["did"] == settings.LICENCE_ISSUER_DID


def test_issue(entity):
    out = _run("issue", entity.credit_code, "--cryptosuite", "eddsa-jcs-2022")
    licence = Licence.objects.get(credit_code=entity.credit_code)
    assert licence.licence_id in out
    assert licence.cryptosuite == "eddsa-jcs-2022" and licence.issued_by == "system:cli"


def test_issue_an_unknown_entity_is_a_command_error(db):
    error, _out = _fail("issue", "91310115MA1FL5XK0Q")
    assert "91310115MA1FL5XK0Q" in str(error)
    assert not Licence.objects.exists()


def test_rotate_key(licence):
    out = _run("rotate-key", "--actor", "user:ops")
    new = IssuerKey.objects.get(
        algorithm=KeyAlgorithm.ED25519, retired_at__isnull=True, revoked_at__isnull=True
    )
    assert new.key_id in out and new != licence.key
    assert events(keys.EVENT_KEY_ROTATED)[-1].actor == "user:ops"
    sm2_out = _run("rotate-key", "--algorithm", "sm2")
    assert "sm2-" in sm2_out


def test_revoke_key(licence, tmp_path):
    out = _run("revoke-key", licence.key.key_id, "--reason", "私钥泄露")
    assert licence.key.key_id in out
    licence.key.refresh_from_db()
    assert licence.key.revoked_reason == "私钥泄露"
    error, _out = _fail("verify", _write(tmp_path / "l.json", licence.credential))
    assert "KEY_REVOKED" in str(error)
    again, _out = _fail("revoke-key", licence.key.key_id, "--reason", "again")
    assert licence.key.key_id in str(again)


def test_revoke_key_needs_a_reason(licence):
    with pytest.raises(CommandError):
        call_command("licences", "revoke-key", licence.key.key_id, stdout=StringIO())


def test_did(licence):
    document = json.loads(_run("did"))
    assert document["id"] == settings.LICENCE_ISSUER_DID
    assert keys.verification_method_id(licence.key) in document["assertionMethod"]
