"""The application lifecycle: transitions, permissions, idempotency, materials, deadlines."""

from __future__ import annotations

import pytest
from django.utils import timezone

from yingshang.core.errors import DomainError, ErrorCode
from yingshang.core.workdays import workdays_add
from yingshang.ledger.models import LedgerEvent
from yingshang.matters.catalogue import matters_load
from yingshang.matters.models import Application, Channel, State, Transition
from yingshang.matters.services import (
    Action,
    application_act,
    application_create,
    application_digest,
    material_add,
    material_path,
)

from .conftest import PDF, PNG, matter_with_materials, sign_application


def test_the_whole_lifecycle_with_a_deadline_in_working_days(draft, applicant, officer):
    sign_application(draft)
    submitted = application_act(
        by=applicant, number=draft.number, action=Action.SUBMIT, idempotency_key="k-0000001"
    )
    assert submitted.state == State.SUBMITTED and len(submitted.digest) == 64
    accepted = application_act(by=officer, number=draft.number, action=Action.ACCEPT)
    matter = matters_load().matter(draft.matter_code)
    assert accepted.deadline == workdays_add(timezone.localdate(), matter.promised_days)
    application_act(by=officer, number=draft.number, action=Action.REVIEW)
    application_act(
        by=officer, number=draft.number, action=Action.REQUEST_CORRECTIONS, reason="请补充住所证明"
    )
    application_act(by=applicant, number=draft.number, action=Action.RESUBMIT)
    application_act(by=officer, number=draft.number, action=Action.APPROVE)
    done = application_act(by=officer, number=draft.number, action=Action.COMPLETE)
    assert done.state == State.COMPLETED and done.version == 8
    steps = list(Transition.objects.filter(application=done).values_list("action", flat=True))
    assert steps == [
        "submit", "accept", "review", "request_corrections", "resubmit", "approve", "complete",
    ]  # fmt: skip
    events = LedgerEvent.objects.filter(event_type="matters.application.transition").count()
    assert events == 7


def test_submission_is_idempotent(draft, applicant):
    sign_application(draft)
    first = application_act(
        by=applicant, number=draft.number, action=Action.SUBMIT, idempotency_key="same-key-1"
    )
    again = application_act(
        by=applicant, number=draft.number, action=Action.SUBMIT, idempotency_key="same-key-1"
    )
    assert again.pk == first.pk and again.version == first.version
    assert Transition.objects.filter(application=first, action="submit").count() == 1
    with pytest.raises(DomainError) as exc:
        application_act(
            by=applicant, number=draft.number, action=Action.SUBMIT, idempotency_key="x"
        )
    assert exc.value.details["field"] == "idempotency_key"


@pytest.mark.parametrize(
    ("action", "needs"),
    [(Action.ACCEPT, "officer"), (Action.APPROVE, "officer"), (Action.RESUBMIT, "applicant")],
)
def test_wrong_state_or_wrong_person_is_refused(draft, applicant, officer, action, needs):
    with pytest.raises(DomainError) as exc:
        application_act(
            by=officer if needs == "officer" else applicant, number=draft.number, action=action
        )
    assert exc.value.code == ErrorCode.INVALID_STATE
    other = applicant if needs == "officer" else officer
    with pytest.raises(DomainError) as exc:
        application_act(by=other, number=draft.number, action=action, reason="x")
    assert exc.value.code in (ErrorCode.PERMISSION_DENIED, ErrorCode.INVALID_STATE)


def test_refusal_needs_a_reason_and_stale_versions_conflict(draft, applicant, officer):
    sign_application(draft)
    application_act(
        by=applicant, number=draft.number, action=Action.SUBMIT, idempotency_key="key-000002"
    )
    with pytest.raises(DomainError) as exc:
        application_act(by=officer, number=draft.number, action=Action.REFUSE, reason=" ")
    assert exc.value.details["field"] == "reason"
    with pytest.raises(DomainError) as exc:
        application_act(by=officer, number=draft.number, action=Action.ACCEPT, expected_version=1)
    assert exc.value.code == ErrorCode.STALE_VERSION
    application_act(by=officer, number=draft.number, action=Action.REFUSE, reason="材料不齐")
    assert Application.objects.get(pk=draft.pk).state == State.REFUSED


def test_materials_are_sniffed_limited_and_stored_by_digest(draft, applicant):
    _matter, situation = matter_with_materials()
    code = situation.materials[0].code
    material = material_add(
        by=applicant, number=draft.number, material_code=code, filename="a.pdf", content=PDF
    )
    assert material.content_type == "application/pdf"
    assert material_path(material.sha256).read_bytes() == PDF
    digest_before = application_digest(draft)
    material_add(
        by=applicant, number=draft.number, material_code=code, filename="b.png", content=PNG
    )
    assert application_digest(draft) != digest_before
    for content in (b"MZ\x90\x00 not a document", b""):
        with pytest.raises(DomainError) as exc:
            material_add(
                by=applicant,
                number=draft.number,
                material_code=code,
                filename="x.pdf",
                content=content,
            )
        assert exc.value.details["field"] == "file"
    with pytest.raises(DomainError):
        material_add(
            by=applicant,
            number=draft.number,
            material_code="no-such",
            filename="a.pdf",
            content=PDF,
        )


def test_counter_channel_files_for_an_applicant(applicant, officer):
    matter, situation = matter_with_materials()
    application = application_create(
        by=officer, matter_code=matter.code, situation_code=situation.code, applicant=applicant
    )
    assert application.channel == Channel.COUNTER and application.applicant_id == applicant.pk
    sign_application(application)  # the applicant signs at the counter, not the officer
    submitted = application_act(
        by=officer, number=application.number, action=Action.SUBMIT, idempotency_key="counter-01"
    )
    assert submitted.state == State.SUBMITTED


def test_a_retried_submission_returns_the_same_application_even_at_the_counter(
    applicant, officer, sign
):
    matter, situation = matter_with_materials()
    application = application_create(
        by=officer, matter_code=matter.code, situation_code=situation.code, applicant=applicant
    )
    sign(application)
    first = application_act(
        by=officer, number=application.number, action=Action.SUBMIT, idempotency_key="counter-1"
    )
    again = application_act(
        by=officer, number=application.number, action=Action.SUBMIT, idempotency_key="counter-1"
    )
    assert again.pk == first.pk and again.version == first.version
    other = application_create(by=applicant, matter_code=matter.code, situation_code=situation.code)
    sign(other)
    with pytest.raises(DomainError) as exc:
        application_act(
            by=applicant, number=other.number, action=Action.SUBMIT, idempotency_key="counter-1"
        )
    assert exc.value.details["field"] == "idempotency_key"


def test_submitting_again_under_another_key_is_already_submitted(applicant, sign):
    matter, situation = matter_with_materials()
    application = application_create(
        by=applicant, matter_code=matter.code, situation_code=situation.code
    )
    sign(application)
    application_act(
        by=applicant, number=application.number, action=Action.SUBMIT, idempotency_key="first-key"
    )
    with pytest.raises(DomainError) as exc:
        application_act(
            by=applicant,
            number=application.number,
            action=Action.SUBMIT,
            idempotency_key="other-key",
        )
    assert exc.value.code == ErrorCode.ALREADY_SUBMITTED
