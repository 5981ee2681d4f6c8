"""Business actions of the ledger: append events, sign tree heads, rotate and revoke keys.

Every other module records its actions with :func:`event_append`, inside its own
``transaction.atomic()`` block, so the event commits or rolls back with the change it
records. Appends lock the single :class:`~yingshang.ledger.models.LedgerState` row until the
caller's transaction ends (on PostgreSQL; SQLite serialises writers anyway), which keeps the
log gapless: call ``event_append`` as the last write of a transaction to hold that lock
briefly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from itertools import islice
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingshang.core import keyfiles
from yingshang.core.errors import DomainError, ErrorCode
from yingshang.ledger import encoding, merkle, store
from yingshang.ledger.models import (
    LedgerEvent,
    LedgerState,
    SignedTreeHead,
    SigningKey,
)


@dataclass(frozen=True)
class EventDraft:
    """An event to append: what happened (``event_type``), who did it, to what, and details."""

    event_type: str
    actor: str
    subject: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class _CleanEvent:
    event_type: str
    actor: str
    subject: str
    payload: str
    payload_digest: str


def event_append(
    *, event_type: str, actor: str, subject: str, payload: Mapping[str, Any]
) -> LedgerEvent:
    """Append one event (账本事件) as the next leaf of the tree.

    Joins the caller's transaction if there is one (nothing is committed here then), so the
    event and the change it records are written together or not at all.

    ``event_type`` is a dotted name (``registry.entity.registered``); ``actor`` and
    ``subject`` are ``kind:id`` strings (``user:12``, ``entity:91310115MA1FL5XK0Q``);
    ``payload`` is a JSON object, stored in canonical form.
    """
    clean = _clean(EventDraft(event_type=event_type, actor=actor, subject=subject, payload=payload))
    with transaction.atomic():
        return _append(_state_lock(), [clean])[0]


def event_bulk_append(*, drafts: Iterable[EventDraft], chunk_size: int = 10_000) -> int:
    """Append many events, one transaction per ``chunk_size`` events; return how many.

    For imports and benchmarks: the events are the same as ``event_append`` would write.
    """
    if chunk_size < 1:
        raise DomainError(
            ErrorCode.INVALID_INPUT, _("每批事件数至少为 1。"), {"chunk_size": chunk_size}
        )
    iterator = iter(drafts)
    count = 0
    while chunk := [_clean(draft) for draft in islice(iterator, chunk_size)]:
        with transaction.atomic():
            count += len(_append(_state_lock(), chunk))
    return count


def tree_head_sign() -> SignedTreeHead:
    """Sign the current tree head (签名树头) with the active key, creating a key on first use.

    While neither the size nor the active key changed, the latest head is returned as it is,
    without taking the append lock (so a busy ``/head`` endpoint does not stall appends).
    """
    state = store.state_read(lock=False)
    if reusable := _reusable_head(state[0] if state else 0):
        return reusable
    with transaction.atomic():
        tree = _state_lock()
        if reusable := _reusable_head(tree.size):
            return reusable
        key = _active_key() or _key_create(timezone.now())
        now = timezone.now()
        head = SignedTreeHead(
            size=tree.size,
            root_hash=tree.root(),
            timestamp=now.replace(microsecond=now.microsecond // 1000 * 1000),
            key=key,
        )
        head.signature = _private_key(key).sign(head.message())
        head.save(force_insert=True)
        return head


def statement_sign(message: bytes) -> tuple[str, bytes]:
    """Sign ``message`` (a statement another module records, e.g. a signature's canonical
    JSON) with the active tree-head key, creating a key on first use.

    Returns the key id and the raw 64-byte Ed25519 signature. Anyone verifies it with the
    public key that ``/api/v1/ledger/keys`` lists under that id.
    """
    key = _active_key()
    if key is None:
        with transaction.atomic():
            _state_lock()  # the lock that tree_head_sign creates keys under: one new key
            key = _active_key() or _key_create(timezone.now())
    return key.key_id, _private_key(key).sign(bytes(message))


def signing_key_rotate(*, actor: str) -> SigningKey:
    """Make a new signing key the active one; the old one is retired but keeps verifying.

    The rotation is itself recorded in the ledger (``ledger.key.rotated``).
    """
    actor = _clean_label(actor, field="actor", max_length=_max_length("actor"))
    with transaction.atomic():
        _state_lock()
        now = timezone.now()
        active = SigningKey.objects.filter(retired_at__isnull=True, revoked_at__isnull=True)
        retired = list(active.values_list("key_id", flat=True))
        active.update(retired_at=now)
        key = _key_create(now)
        event_append(
            event_type="ledger.key.rotated",
            actor=actor,
            subject=f"ledger-key:{key.key_id}",
            payload={
                "key_id": key.key_id,
                "public_key": key.public_key_base64,
                "retired": retired,
            },
        )
    return key


def signing_key_revoke(*, key_id: str, actor: str, reason: str) -> SigningKey:
    """Revoke a key (it will sign nothing more; the next head gets a new key).

    Heads it signed stay verifiable, and the key list shows when and why it was revoked.
    """
    actor = _clean_label(actor, field="actor", max_length=_max_length("actor"))
    reason = _clean_label(
        reason, field="reason", max_length=_max_length("revoked_reason", SigningKey)
    )
    with transaction.atomic():
        _state_lock()
        key = SigningKey.objects.select_for_update().filter(key_id=key_id).first()
        if key is None:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                _("签名密钥“%(key_id)s”不存在。") % {"key_id": key_id},
                {"key_id": key_id},
            )
        if key.revoked_at is not None:
            raise DomainError(
                ErrorCode.INVALID_STATE,
                _("签名密钥“%(key_id)s”已于 %(time)s 吊销。")
                % {"key_id": key_id, "time": encoding.utc_time(key.revoked_at)},
                {"key_id": key_id},
            )
        now = timezone.now()
        key.revoked_at = now
        key.retired_at = key.retired_at or now
        key.revoked_reason = reason
        key.save(update_fields=["revoked_at", "retired_at", "revoked_reason"])
        event_append(
            event_type="ledger.key.revoked",
            actor=actor,
            subject=f"ledger-key:{key_id}",
            payload={"key_id": key_id, "reason": reason},
        )
    return key


# Appending -----------------------------------------------------------------------------


# Control characters (Unicode category Cc) and lone surrogates (Cs, not encodable as UTF-8).
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@cache
def _max_length(field: str, model: type[models.Model] = LedgerEvent) -> int | None:
    max_length: int | None = getattr(model._meta.get_field(field), "max_length", None)
    return max_length


def _clean_label(value: object, *, field: str, max_length: int | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("账本事件的“%(field)s”不能为空。") % {"field": field},
            {"field": field},
        )
    if max_length is not None and len(value) > max_length:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("账本事件的“%(field)s”不能超过 %(max)s 个字符。")
            % {"field": field, "max": max_length},
            {"field": field, "max_length": max_length},
        )
    if _FORBIDDEN.search(value):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("账本事件的“%(field)s”含有控制字符或无效字符。") % {"field": field},
            {"field": field},
        )
    return value


def _clean(draft: EventDraft) -> _CleanEvent:
    labels = {
        field: _clean_label(getattr(draft, field), field=field, max_length=_max_length(field))
        for field in ("event_type", "actor", "subject")
    }
    if not isinstance(draft.payload, Mapping):
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("账本事件的 payload 必须是 JSON 对象（键值映射）。"),
            {"field": "payload"},
        )
    try:
        text = encoding.payload_text(draft.payload)
        digest = encoding.sha256_hex(text)
    except (TypeError, ValueError, RecursionError) as exc:
        raise DomainError(
            ErrorCode.INVALID_INPUT,
            _("账本事件的 payload 无法表示为 JSON：%(reason)s") % {"reason": exc},
            {"field": "payload"},
        ) from exc
    return _CleanEvent(payload=text, payload_digest=digest, **labels)


def _state_lock() -> merkle.Frontier:
    """Lock the state row (creating it for an empty ledger) and return the tree it describes."""
    state = store.state_read(lock=True)
    if state is None:
        try:
            with transaction.atomic():
                LedgerState.objects.create(pk=LedgerState.SINGLETON)
        except IntegrityError:
            pass  # another transaction created it first; reading it below waits for its lock
        else:  # the row is new and ours: any event already there lost its state row
            if LedgerEvent.objects.exists():
                raise DomainError(
                    ErrorCode.LEDGER_TAMPERED,
                    _("账本状态记录缺失，但账本中已有事件；请运行“yingshang ledger verify”检查。"),
                )
        state = store.state_read(lock=True) or (0, b"")
    try:
        return merkle.Frontier.from_bytes(*state)
    except merkle.ProofError as exc:
        raise DomainError(
            ErrorCode.LEDGER_TAMPERED,
            _("账本状态记录已损坏；请运行“yingshang ledger verify”检查。"),
        ) from exc


def _append(frontier: merkle.Frontier, batch: list[_CleanEvent]) -> list[LedgerEvent]:
    """Write ``batch`` as the next leaves, the nodes they complete, and the new state."""
    events: list[LedgerEvent] = []
    nodes: list[tuple[int, int, bytes]] = []
    for item in batch:
        event = LedgerEvent(
            index=frontier.size,
            event_type=item.event_type,
            actor=item.actor,
            subject=item.subject,
            payload=item.payload,
            payload_digest=item.payload_digest,
            created_at=timezone.now(),
        )
        event.leaf_hash = merkle.leaf_hash(event.leaf_data())
        nodes.extend(frontier.append(event.leaf_hash))
        events.append(event)
    store.write(events=events, nodes=nodes, size=frontier.size, frontier=frontier.to_bytes())
    return events


# Keys ----------------------------------------------------------------------------------


def _reusable_head(size: int) -> SignedTreeHead | None:
    latest = SignedTreeHead.objects.select_related("key").order_by("-id").first()
    if latest is not None and latest.size == size and latest.key.is_active:
        return latest
    return None


def _active_key() -> SigningKey | None:
    return (
        SigningKey.objects.filter(retired_at__isnull=True, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


def _raw_public(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _remedy() -> str:
    return _("运行“yingshang ledger rotate-key”换用新密钥")


def _key_create(now: datetime) -> SigningKey:
    """Generate a key: the private half to a new 0600 PEM file, the public half to the DB."""
    private = Ed25519PrivateKey.generate()
    public = _raw_public(private)
    key_id = encoding.key_id_for(public)
    pem = private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    keyfiles.private_pem_write(settings.LEDGER_KEY_DIR, key_id, pem)
    return SigningKey.objects.create(key_id=key_id, public_key=public, created_at=now)


def _private_key(key: SigningKey) -> Ed25519PrivateKey:
    pem = keyfiles.private_pem_read(settings.LEDGER_KEY_DIR, key.key_id, remedy=_remedy())
    try:
        private = load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise keyfiles.key_file_unusable(key.key_id, remedy=_remedy()) from exc
    if not isinstance(private, Ed25519PrivateKey) or _raw_public(private) != bytes(key.public_key):
        raise DomainError(
            ErrorCode.INVALID_STATE,
            _("签名密钥 %(key_id)s 的私钥文件与登记的公钥不符。") % {"key_id": key.key_id},
            {"key_id": key.key_id},
        )
    return private
