"""What the module that owns a matter's effects does at the steps of its lifecycle.

The lifecycle (:mod:`yingshang.matters.services`) is the same for every matter; what an
approval *does* is not: approving an establishment creates the market entity and issues its
licence, approving a change updates the register. The owning module (``registration``)
registers a :class:`MatterHandler` per matter code when the app is ready; the lifecycle calls
it inside the transition's transaction, so an effect that fails undoes the transition, and
every channel (pages, API, counter) gets the same checks because there is only one path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from yingshang.accounts.models import User

    from .models import Application


def _nothing(application: Application) -> None:
    del application


def _approve_nothing(application: Application, actor: str) -> None:
    del application, actor


def _anyone(application: Application, officer: User) -> None:
    del application, officer


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MatterHandler:
    """``check`` runs before a submission or resubmission and raises DomainError for input
    that cannot be submitted; ``submitted`` runs after the submission is recorded (it may
    record findings and advance the application on the automatic path); ``approved`` is the
    approval's effect, ``actor`` being who approved; ``may_decide`` raises DomainError when
    an officer (of the matter's department) may not decide this application, e.g. outside
    their jurisdiction."""

    check: Callable[[Application], None] = _nothing
    submitted: Callable[[Application], None] = _nothing
    approved: Callable[[Application, str], None] = _approve_nothing
    may_decide: Callable[[Application, User], None] = _anyone


_HANDLERS: dict[str, MatterHandler] = {}


def handler_register(matter_code: str, handler: MatterHandler) -> None:
    _HANDLERS[matter_code] = handler


def handler_for(matter_code: str) -> MatterHandler:
    return _HANDLERS.get(matter_code, _DEFAULT)


_DEFAULT = MatterHandler()
