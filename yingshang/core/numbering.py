"""Case numbers (申请编号、办件编号): a prefix, the local date and eight random hex digits.

Random rather than sequential, so that a number says nothing about how many others there
are; the unique column decides, and a collision (rare) is simply drawn again.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode

_ATTEMPTS = 5


def number_new(prefix: str, now: dt.datetime) -> str:
    return f"{prefix}{timezone.localdate(now):%Y%m%d}{secrets.token_hex(4).upper()}"


def numbered_save(instance: models.Model, *, prefix: str, now: dt.datetime) -> None:
    """Insert ``instance`` with a new ``number`` (in a savepoint of the caller's transaction)."""
    for _attempt in range(_ATTEMPTS):
        instance.number = number_new(prefix, now)  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                instance.save()
        except IntegrityError:
            continue
        return
    raise DomainError(ErrorCode.CONFLICT, _("编号冲突，请重新提交。"))
