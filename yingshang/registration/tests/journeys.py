"""The registration journeys as the services see them: people, a name, a complete
establishment form, the steps to establish, change and deregister. Used by the service, API
and counter-channel tests, the browser tests and ``bench/registration.py``."""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal
from typing import Any

from yingshang.accounts.models import Role, User
from yingshang.accounts.services import NewUser, department_create, totp_enrol, user_create
from yingshang.core.idcard import id_number_check_character
from yingshang.matters.models import Application
from yingshang.matters.services import Action, application_act, material_add
from yingshang.registration import demo
from yingshang.registration.models import Deregistration
from yingshang.registration.reservations import name_reserve
from yingshang.registration.services import (
    MATTER_CHANGE,
    MATTER_DEREGISTER,
    MATTER_ESTABLISH,
    commitment_sign,
    registration_start,
)

PASSWORD = "Correct-horse-42"
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
REGION = "310115"  # 浦东新区


def id_number(serial: int, born: datetime.date = datetime.date(1985, 6, 1)) -> str:
    """A valid resident ID number of a person from 浦东新区 born on ``born``."""
    first17 = f"{REGION}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_number_check_character(first17)


def person(username: str, serial: int, *, name: str = "张伟") -> User:
    return user_create(
        actor="test",
        new=NewUser(
            username=username,
            password=PASSWORD,
            role=Role.PUBLIC,
            display_name=name,
            id_number=id_number(serial),
        ),
    )


def official(username: str, *, role: str, department: str = "PD-OFFICIALS") -> User:
    """An official of ``role`` in 浦东新区 (the department is created once)."""
    from yingshang.accounts.models import Department

    if not Department.objects.filter(code=department).exists():
        department_create(
            actor="test", code=department, name="浦东新区监管部门", region_code=REGION
        )
    user = user_create(
        actor="test",
        new=NewUser(
            username=username,
            password=PASSWORD,
            role=Role(role),
            department_code=department,
            jurisdiction=REGION,
        ),
    )
    totp_enrol(actor="test", user=user)
    return user


def registration_officer(username: str = "registrar", *, department: str = "PD-SAMR") -> User:
    department_create(
        actor="test",
        code=department,
        name="浦东新区市场监督管理局",
        region_code=REGION,
        function="SCJG",
    )
    user = user_create(
        actor="test",
        new=NewUser(
            username=username,
            password=PASSWORD,
            role=Role.REGISTRATION_OFFICER,
            department_code=department,
            jurisdiction=REGION,
        ),
    )
    totp_enrol(actor="test", user=user)
    return user


def unique_trade_name() -> str:
    """A two-character 字号 that the synthetic register is unlikely to hold."""
    pool = "鑫瑞祥泰丰源昊晟琪珑璟翊钰骁铂澜"
    return "".join(secrets.choice(pool) for _ in range(3))


def reserve(user: User, trade_name: str, *, industry: str = "科技", form: str = "有限公司") -> str:
    reservation = name_reserve(
        by=user,
        name=f"上海{trade_name}{industry}{form}",
        region_code=REGION,
        industry_code="6513",
        entity_type="limited_np",
    )
    return reservation.number


def establishment_data(
    founder: User, reservation: str, *, capital: str = "100", entity_type: str = "limited_np"
) -> dict[str, Any]:
    """A complete LLC form: the founder is sole shareholder, executive director and legal
    representative; a second person is the supervisor."""
    form: dict[str, Any] = demo.sole_founder_form(
        founder,
        reservation,
        capital=capital,
        address="上海市浦东新区张江路100号1幢201室",
        scope=("6513", "6519"),
        entity_type=entity_type,
    )
    form["officers"].append({"name": "李娜", "post": "supervisor", "id_number": id_number(902)})
    return form


def registration_start_establishment(
    founder: User, data: dict[str, Any], *, by: User | None = None
) -> Application:
    return registration_start(
        by=by or founder,
        matter_code=MATTER_ESTABLISH,
        situation_code="llc",
        data=data,
        applicant=founder if by is not None else None,
    )


def upload_domicile_proof(by: User, application: Application) -> None:
    material_add(
        by=by,
        number=application.number,
        material_code="domicile-proof",
        filename="住所使用证明.pdf",
        content=PDF,
    )


def sign_and_submit(
    by: User, application: Application, *, signer: User | None = None
) -> Application:
    """The applicant signs the current digest after a fresh login, then it is submitted."""
    return demo.sign_and_submit(
        by, application, signer=signer or application.applicant, password=PASSWORD
    )


def establish(
    founder: User, *, by: User | None = None, capital: str = "100", trade_name: str | None = None
) -> Application:
    """The whole online (or, with ``by`` an officer, counter) establishment."""
    filer = by or founder
    if by is None:
        number = reserve(founder, trade_name or unique_trade_name())
    else:
        number = counter_reserve(by, founder, trade_name)
    application = registration_start_establishment(
        founder, establishment_data(founder, number, capital=capital), by=by
    )
    upload_domicile_proof(filer, application)
    return sign_and_submit(filer, application, signer=founder)


def counter_reserve(officer: User, founder: User, trade_name: str | None = None) -> str:
    reservation = name_reserve(
        by=officer,
        name=f"上海{trade_name or unique_trade_name()}科技有限公司",
        region_code=REGION,
        industry_code="6513",
        entity_type="limited_np",
        for_user=founder,
    )
    return reservation.number


def change_draft(
    applicant: User,
    credit_code: str,
    changes: dict[str, Any],
    *,
    by: User | None = None,
    members_capital: str | None = None,
) -> Application:
    """A change draft; ``members_capital`` re-states the sole shareholder's subscription
    (a capital change of a company changes the contributions with it)."""
    filer = by or applicant
    data: dict[str, Any] = {"changes": changes}
    if members_capital is not None:
        form = establishment_data(applicant, "", capital=members_capital)
        data["investors"], data["officers"] = form["investors"], form["officers"]
    application = registration_start(
        by=filer,
        matter_code=MATTER_CHANGE,
        credit_code=credit_code,
        data=data,
        applicant=applicant if by is not None else None,
    )
    if "region_code" in changes or "address" in changes:
        upload_domicile_proof(filer, application)
    return application


def change(
    applicant: User,
    credit_code: str,
    changes: dict[str, Any],
    *,
    by: User | None = None,
    members_capital: str | None = None,
) -> Application:
    application = change_draft(
        applicant, credit_code, changes, by=by, members_capital=members_capital
    )
    return sign_and_submit(by or applicant, application, signer=applicant)


def deregistration_start(
    applicant: User, credit_code: str, *, by: User | None = None
) -> Application:
    return registration_start(
        by=by or applicant,
        matter_code=MATTER_DEREGISTER,
        credit_code=credit_code,
        data={"reason": "经营期满，股东决定解散。"},
        applicant=applicant if by is not None else None,
    )


def deregister(applicant: User, credit_code: str) -> Deregistration:
    """A simplified deregistration through submission: the investor's commitment, the
    applicant's signature; the notice (or, for an individual business, the decision)."""
    application = deregistration_start(applicant, credit_code)
    commitment_sign(by=applicant, number=application.number, password=PASSWORD)
    sign_and_submit(applicant, application)
    return Deregistration.objects.select_related("application").get(application=application)


def money(value: str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.0001"))


def send_back(officer: User, application: Application, reason: str) -> None:
    """The officer accepts, reviews and asks for corrections (补正)."""
    for action in (Action.ACCEPT, Action.REVIEW):
        application_act(by=officer, number=application.number, action=action)
    application_act(
        by=officer, number=application.number, action=Action.REQUEST_CORRECTIONS, reason=reason
    )


def with_capital(application: Application, capital: str) -> dict[str, Any]:
    """The application's form with the registered capital and the sole shareholder's
    subscription both set to ``capital``."""
    application.refresh_from_db()
    data = dict(application.data)
    data["registered_capital"] = capital
    data["investors"] = [{**data["investors"][0], "subscribed_capital": capital}]
    return data
