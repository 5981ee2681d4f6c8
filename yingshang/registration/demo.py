"""Demo registrations: the demo person (``gongzhong``) has established a company online, and
a second company of theirs is in its 20-day simplified deregistration notice, so every
registration page has something to show. Each step goes through the real services."""

from __future__ import annotations

import dataclasses
import secrets

from django.utils import timezone

from yingshang.accounts.models import User
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.matters.models import Application, State
from yingshang.matters.services import Action, application_act, application_digest, material_add
from yingshang.matters.signatures import application_sign

from .models import Deregistration, NameReservation
from .nameindex import months_add
from .reservations import name_reserve
from .services import MATTER_DEREGISTER, MATTER_ESTABLISH, commitment_sign, registration_start

# A one-page PDF: the demo's domicile proof (a real upload is sniffed the same way).
_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
_REGION = "310115"


@dataclasses.dataclass(frozen=True)
class DemoRegistrations:
    established: str  # credit code
    in_notice: str  # deregistration notice number


def sign_and_submit(
    by: User, application: Application, *, signer: User, password: str
) -> Application:
    """``signer`` (the applicant) signs the application as it is now after re-entering the
    password; ``by`` (the applicant, or the officer at the counter) submits it."""
    application.refresh_from_db()
    application_sign(
        by=signer,
        number=application.number,
        password=password,
        expected_digest=application_digest(application),
    )
    return application_act(
        by=by,
        number=application.number,
        action=Action.SUBMIT,
        idempotency_key=secrets.token_hex(8),
    )


# Trade names for the demo companies, tried in turn until one is free in the seeded register.
_TRADE_NAMES = ("澜翊", "璟骁", "翊澜", "骁璟", "珑钰", "钰珑", "铂昊", "昊铂")


def _reserve(founder: User, industry: str, taken: set[str]) -> NameReservation:
    for trade_name in _TRADE_NAMES:
        if trade_name in taken:
            continue
        try:
            reservation = name_reserve(
                by=founder,
                name=f"上海{trade_name}{industry}有限公司",
                region_code=_REGION,
                industry_code="6513",
                entity_type="limited_np",
            )
        except DomainError as exc:
            if exc.code in (ErrorCode.NAME_CONFLICT, ErrorCode.NAME_SIMILAR):
                continue
            raise
        taken.add(trade_name)
        return reservation
    raise RuntimeError("every demo trade name is taken in this register")


def sole_founder_form(
    founder: User,
    reservation: str,
    *,
    capital: str = "100",
    address: str = "上海市浦东新区张江路88号3幢501室",
    scope: tuple[str, ...] = ("6513", "6511"),
    entity_type: str = "limited_np",
) -> dict[str, object]:
    """A complete one-person company form: the founder is the sole shareholder (paying in
    within four years), the executive director and the legal representative."""
    due = months_add(timezone.localdate(), 48)
    return {
        "reservation": reservation,
        "entity_type": entity_type,
        "region_code": _REGION,
        "address": address,
        "registered_capital": capital,
        "capital_currency": "CNY",
        "scope": list(scope),
        "legal_representative": founder.display_name,
        "legal_representative_id_number": founder.id_number,
        "investors": [
            {
                "name": founder.display_name,
                "kind": "person",
                "identifier": founder.id_number,
                "subscribed_capital": capital,
                "contribution_due_on": due.isoformat(),
            }
        ],
        "officers": [
            {
                "name": founder.display_name,
                "post": "executive_director",
                "id_number": founder.id_number,
            }
        ],
    }


def _establish(founder: User, industry: str, password: str, taken: set[str]) -> str:
    reservation = _reserve(founder, industry, taken)
    application = registration_start(
        by=founder,
        matter_code=MATTER_ESTABLISH,
        situation_code="llc",
        data=sole_founder_form(founder, reservation.number),
    )
    material_add(
        by=founder,
        number=application.number,
        material_code="domicile-proof",
        filename="租赁合同.pdf",
        content=_PDF,
    )
    done = sign_and_submit(founder, application, signer=founder, password=password)
    if done.state != State.COMPLETED:
        raise RuntimeError(
            f"demo establishment {done.number} was not approved at once: {done.state}"
        )
    return done.credit_code


def demo_registrations_ensure(*, founder: User, password: str) -> DemoRegistrations | None:
    """Establish the two demo companies and open the second one's deregistration notice,
    unless the founder has done so already."""
    existing = Deregistration.objects.filter(application__applicant=founder).first()
    if existing is not None:
        first = (
            Application.objects.filter(
                applicant=founder, matter_code=MATTER_ESTABLISH, state=State.COMPLETED
            )
            .order_by("id")
            .values_list("credit_code", flat=True)
            .first()
        )
        return DemoRegistrations(established=first or "", in_notice=existing.number)
    if not founder.id_number:
        return None
    taken: set[str] = set()
    established = _establish(founder, "信息科技", password, taken)
    closing = _establish(founder, "网络科技", password, taken)
    application = registration_start(
        by=founder,
        matter_code=MATTER_DEREGISTER,
        credit_code=closing,
        data={"reason": "股东决定解散，未开展经营活动。"},
    )
    commitment_sign(by=founder, number=application.number, password=password)
    sign_and_submit(founder, application, signer=founder, password=password)
    notice = Deregistration.objects.get(application=application)
    return DemoRegistrations(established=established, in_notice=notice.number)
