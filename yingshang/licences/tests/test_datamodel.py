"""VCDM 2.0 conformance against the W3C test-suite inputs (read in place from shared data).

The fixtures are the inputs of the W3C *vc-data-model-2.0-test-suite*, which are not complete
credentials: the suite's harness completes each one before issuing it. :func:`_as_issued`
does what the harness does, and nothing more:

* ``issuer`` is added where absent (to an issuer object, ``id`` where that key is absent),
  as ``createRequestBody`` in the suite's ``tests/mock.data.js`` does;
* the ``"PAST DATE"`` / ``"FUTURE DATE"`` placeholders become real timestamps, as the
  suite's validity-period tests do.

``*-ok`` fixtures must then give no problem, ``*-fail`` and ``*-fail-or-inject`` fixtures
(an implementation may inject the missing base context; we refuse instead) at least one,
of the kind the fixture's name says.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from yingshang.licences.datamodel import Problem, ProblemCode, credential_validate, is_url
from yingshang.licences.documents import CREDENTIALS_V2, offline_loader

W3C = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "w3c-vc"
FIXTURES = W3C / "conformance-fixtures"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
HARNESS_ISSUER = "did:example:issuer"
PLACEHOLDERS = {"PAST DATE": "2020-01-01T00:00:00Z", "FUTURE DATE": "2099-01-01T00:00:00Z"}
FIXTURE_FILES = sorted(path.name for path in FIXTURES.glob("*.json"))

#: The code each failing fixture must produce (by fixture-name prefix; the longest wins).
EXPECTED_CODE: dict[str, ProblemCode] = {
    "credential-context-": ProblemCode.CONTEXT,
    "credential-missing-base-context-": ProblemCode.CONTEXT,
    "credential-no-context-": ProblemCode.CONTEXT,
    "credential-description-": ProblemCode.LANGUAGE_VALUE,
    "credential-name-": ProblemCode.LANGUAGE_VALUE,
    "issuer-description-": ProblemCode.LANGUAGE_VALUE,
    "issuer-name-": ProblemCode.LANGUAGE_VALUE,
    "credential-evidence-": ProblemCode.MISSING_TYPE,
    "credential-proof-": ProblemCode.MISSING_TYPE,
    "credential-refresh-": ProblemCode.MISSING_TYPE,
    "credential-termsofuse-": ProblemCode.MISSING_TYPE,
    "credential-schema-no-type-": ProblemCode.MISSING_TYPE,
    "credential-status-missing-type-": ProblemCode.MISSING_TYPE,
    "credential-schema-no-id-": ProblemCode.ID,
    "credential-schema-non-url-id-": ProblemCode.ID,
    "credential-status-multiple-id-": ProblemCode.ID,
    "credential-status-nonurl-id-": ProblemCode.ID,
    "credential-status-type-nonurl-": ProblemCode.TYPE,
    "credential-id-": ProblemCode.ID,
    "credential-issuer-": ProblemCode.ISSUER,
    "credential-missing-required-type-": ProblemCode.TYPE,
    "credential-no-type-": ProblemCode.TYPE,
    "credential-type-": ProblemCode.TYPE,
    "credential-redef-type": ProblemCode.CONTEXT,
    "credential-type-mapped-nonurl-": ProblemCode.CONTEXT,
    "credential-no-issuer-": ProblemCode.SUBJECT,  # its subject is empty; see _as_issued
    "credential-no-subject-": ProblemCode.SUBJECT,
    "credential-subject-": ProblemCode.SUBJECT,
    "credential-validUntil-validFrom-": ProblemCode.VALIDITY,
    "credential-validfrom-": ProblemCode.VALIDITY,
    "credential-validuntil-": ProblemCode.VALIDITY,
}


@pytest.fixture
def loader():
    """The offline loader extended with the W3C examples context (tests only)."""
    examples = json.loads((W3C / "contexts" / "examples-v2.jsonld").read_text(encoding="utf-8"))
    return offline_loader({EXAMPLES_V2: examples})


def _as_issued(fixture: dict[str, Any]) -> dict[str, Any]:
    """The fixture completed as the W3C harness completes it before issuing (see above)."""
    credential = copy.deepcopy(fixture)
    issuer = credential.get("issuer")
    if "issuer" not in credential:
        credential["issuer"] = HARNESS_ISSUER
    elif isinstance(issuer, dict) and "id" not in issuer:
        issuer["id"] = HARNESS_ISSUER
    for key in ("validFrom", "validUntil"):
        if credential.get(key) in PLACEHOLDERS:
            credential[key] = PLACEHOLDERS[credential[key]]
    return credential


def _expected_code(name: str) -> ProblemCode:
    prefix = max((p for p in EXPECTED_CODE if name.startswith(p)), key=len)
    return EXPECTED_CODE[prefix]


def _codes(problems: list[Problem]) -> set[ProblemCode]:
    return {problem.code for problem in problems}


def _minimal(**changes: Any) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject"},
    }
    credential.update(changes)
    return credential


def test_every_fixture_is_present():
    assert len(FIXTURE_FILES) == 95


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_fixture(name, loader):
    fixture = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    problems = credential_validate(_as_issued(fixture), document_loader=loader)
    if name.endswith("-ok.json"):
        assert problems == []
    else:
        assert name.endswith(("-fail.json", "-fail-or-inject.json"))
        assert _expected_code(name) in _codes(problems), problems
        assert all(problem.message for problem in problems)


# --- the rules, directly ---------------------------------------------------------------------


def test_minimal_credential_conforms():
    assert credential_validate(_minimal()) == []


def test_issuer_is_required():
    credential = _minimal()
    del credential["issuer"]
    (problem,) = credential_validate(credential)
    assert problem.code == ProblemCode.ISSUER
    assert "issuer" in problem.message


def test_context_must_start_with_v2():
    problems = credential_validate(_minimal(**{"@context": [EXAMPLES_V2, CREDENTIALS_V2]}))
    assert [p.code for p in problems] == [ProblemCode.CONTEXT]


def test_unknown_context_is_refused_not_fetched():
    problems = credential_validate(_minimal(**{"@context": [CREDENTIALS_V2, EXAMPLES_V2]}))
    assert [p.code for p in problems] == [ProblemCode.CONTEXT]
    assert EXAMPLES_V2 in problems[0].message


def test_undefined_type_is_reported_with_its_name():
    problems = credential_validate(_minimal(type=["VerifiableCredential", "LicenceCredential"]))
    assert [(p.code, p.property) for p in problems] == [(ProblemCode.TYPE, "type")]
    assert "LicenceCredential" in problems[0].message


def test_vocab_reset_does_not_crash_pyld():
    credential = _minimal(**{"@context": [CREDENTIALS_V2, {"@vocab": None}]})
    assert credential_validate(credential) == []


def test_validity_order_compares_instants_across_time_zones():
    ok = _minimal(validFrom="2026-01-01T08:00:00+08:00", validUntil="2026-01-01T00:00:01Z")
    bad = _minimal(validFrom="2026-01-01T08:00:00+08:00", validUntil="2025-12-31T23:59:59Z")
    assert credential_validate(ok) == []
    assert [p.code for p in credential_validate(bad)] == [ProblemCode.VALIDITY]


def test_datetime_without_time_zone_is_refused():
    problems = credential_validate(_minimal(validFrom="2026-01-01T00:00:00"))
    assert [(p.code, p.property) for p in problems] == [(ProblemCode.VALIDITY, "validFrom")]


def test_language_value_names_the_extra_property():
    name = {"@value": "营业执照", "@language": "zh", "url": "https://example.org/"}
    (problem,) = credential_validate(_minimal(name=name))
    assert problem.code == ProblemCode.LANGUAGE_VALUE
    assert "url" in problem.message


def test_typed_resources_list_every_missing_type():
    problems = credential_validate(
        _minimal(evidence=[{"type": "https://example.org/#Evidence"}, {"id": "urn:uuid:1"}])
    )
    assert [(p.code, p.property) for p in problems] == [
        (ProblemCode.MISSING_TYPE, "evidence[1].type")
    ]


def test_not_an_object():
    assert [p.code for p in credential_validate([])] == [ProblemCode.DOCUMENT]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org/a", True),
        ("did:example:123", True),
        ("urn:uuid:0b0a7f4e-1b7b-4a48-9a25-6d5c2d7d0d11", True),
        ("https ://not-a-url/x", False),
        ("fake-issuer", False),
        ("", False),
        (None, False),
    ],
)
def test_is_url(value, expected):
    assert is_url(value) is expected


def test_remembered_findings_follow_types_not_other_values() -> None:
    """The expansion check is remembered by shape: other names or dates reuse it, another
    type does not (an undefined type is still reported after a valid twin was checked)."""

    def credential(subject_type: str, name: str) -> dict:
        return {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://yingshang.example/ns/licence/v1",
            ],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"type": subject_type, "entityName": name},
        }

    first = credential_validate(credential("BusinessLicence", "甲"))
    assert first == []
    assert credential_validate(credential("BusinessLicence", "乙")) == first
    undefined = credential_validate(credential("NoSuchTypeAnywhere", "乙"))
    assert any(problem.code == ProblemCode.TYPE for problem in undefined)
    assert not any(problem.code == ProblemCode.TYPE for problem in first)
