"""Reasons, opinions and findings: the free text an action must (or may) carry.

Revoking a licence, refusing an application, rejecting a permit, failing a post-check:
each states why, in words the other side will read. One parser, so that every such field
is trimmed, bounded and refused with the same kind of message.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode


def reason_parse(
    value: object,
    *,
    label: str,
    field: str = "reason",
    required: bool = True,
    max_length: int = 500,
    missing: str | None = None,
) -> str:
    """``value`` trimmed; INVALID_INPUT naming ``label`` if required and blank (``missing``
    says why it is required, when the caller can say it better), or too long."""
    text = value.strip() if isinstance(value, str) else ""
    if required and not text and missing is not None:
        raise DomainError(ErrorCode.INVALID_INPUT, missing, {"field": field})
    if (required and not text) or len(text) > max_length:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("请填写%(label)s（1-%(max)d个字符）。") % {"label": label, "max": max_length}
            if required
            else _("%(label)s不能超过%(max)d个字符。") % {"label": label, "max": max_length},
            {"field": field},
        )
    return text
