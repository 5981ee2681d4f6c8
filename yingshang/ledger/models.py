"""Tables of the tamper-evident ledger (防篡改账本).

- :class:`LedgerEvent` (账本事件): one business action, the leaf at position ``index``
  (gapless, from 0) of an RFC 9162 Merkle tree. Its leaf data is the canonical JSON
  ``{"actor","index","payload_digest","subject","time","type"}`` (UTF-8, sorted keys, no
  whitespace; ``time`` in UTC with microseconds and ``Z``); the payload enters through the
  SHA-256 of its stored canonical text. :mod:`yingshang.ledger.encoding` defines both
  encodings byte for byte.
- :class:`MerkleNode` (默克尔节点): the hash of every completed perfect subtree above the
  leaves, keyed by ``(level, index)``; an audit path is a handful of primary-key lookups.
- :class:`LedgerState` (账本状态): the one row holding the tree size and its frontier (the
  perfect subtree hashes the tree is made of). Appends lock it, which serialises them.
- :class:`SigningKey` (签名密钥) and :class:`SignedTreeHead` (签名树头): Ed25519 keys whose
  private halves live as PEM files in ``settings.LEDGER_KEY_DIR`` and public halves here, so
  heads signed by retired keys keep verifying.

Rows are only ever inserted; nothing in the platform updates or deletes events or nodes.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _

from yingshang.ledger import encoding


class LedgerIndexField(models.BigIntegerField):
    """A 64-bit integer key that is SQLite's rowid itself.

    SQLite stores a table in the order of an ``INTEGER PRIMARY KEY`` and needs no second index
    for it, where a ``bigint`` key gets one: one B-tree less to write on every append.
    Other databases get ``bigint`` as usual.
    """

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        return "integer" if connection.vendor == "sqlite" else super().db_type(connection)


class LedgerEvent(models.Model):
    """账本事件: one appended business action."""

    index = LedgerIndexField(_("序号"), primary_key=True)
    event_type = models.CharField(_("事件类型"), max_length=100)
    actor = models.CharField(_("操作者"), max_length=200)
    subject = models.CharField(_("对象"), max_length=200)
    payload = models.TextField(_("内容（规范 JSON）"))
    payload_digest = models.CharField(_("内容摘要（SHA-256）"), max_length=64)
    created_at = models.DateTimeField(_("时间"))
    leaf_hash = models.BinaryField(_("叶哈希"), max_length=32)

    class Meta:
        verbose_name = _("账本事件")
        verbose_name_plural = _("账本事件")
        ordering = ["index"]
        indexes = [models.Index(fields=["subject", "index"], name="ledger_event_subject")]
        constraints = [
            models.CheckConstraint(condition=models.Q(index__gte=0), name="ledger_event_index")
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.event_type} {self.subject}"

    @property
    def payload_data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.payload)
        return data

    def leaf_data(self) -> bytes:
        """The bytes whose leaf hash this event should have, derived from its fields."""
        return encoding.leaf_data(
            index=self.index,
            event_type=self.event_type,
            actor=self.actor,
            subject=self.subject,
            payload_digest=self.payload_digest,
            created_at=self.created_at,
        )


class MerkleNode(models.Model):
    """默克尔节点: the hash of the perfect subtree of ``2**level`` leaves at ``index``."""

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField(_("层"))
    index = models.BigIntegerField(_("序号"))
    hash = models.BinaryField(_("哈希"), max_length=32)

    class Meta:
        verbose_name = _("默克尔节点")
        verbose_name_plural = _("默克尔节点")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, index__gte=0), name="ledger_node_position"
            )
        ]

    def __str__(self) -> str:
        return f"({self.level}, {self.index})"


class LedgerState(models.Model):
    """账本状态: the single row with the tree size and frontier; appends lock it."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    size = models.BigIntegerField(_("树大小"), default=0)
    frontier = models.BinaryField(_("边界哈希"), default=b"")

    class Meta:
        verbose_name = _("账本状态")
        verbose_name_plural = _("账本状态")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="ledger_state_singleton")
        ]

    def __str__(self) -> str:
        return f"size={self.size}"


class SigningKey(models.Model):
    """签名密钥: an Ed25519 key; the private half is a PEM file in ``LEDGER_KEY_DIR``."""

    key_id = models.CharField(_("密钥标识"), max_length=16, unique=True)
    public_key = models.BinaryField(_("公钥（32字节）"), max_length=32)
    created_at = models.DateTimeField(_("创建时间"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_reason = models.CharField(_("吊销原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.key_id

    @property
    def public_key_base64(self) -> str:
        return base64.b64encode(bytes(self.public_key)).decode("ascii")

    @property
    def is_active(self) -> bool:
        return self.retired_at is None and self.revoked_at is None


class SignedTreeHead(models.Model):
    """签名树头: the root of the tree at ``size`` signed with Ed25519 at ``timestamp``."""

    size = models.BigIntegerField(_("树大小"))
    root_hash = models.BinaryField(_("根哈希"), max_length=32)
    timestamp = models.DateTimeField(_("签名时间"))
    key = models.ForeignKey(
        SigningKey,
        to_field="key_id",
        db_column="key_id",
        on_delete=models.PROTECT,
        related_name="tree_heads",
        verbose_name=_("签名密钥"),
    )
    signature = models.BinaryField(_("签名（64字节）"), max_length=64)

    class Meta:
        verbose_name = _("签名树头")
        verbose_name_plural = _("签名树头")
        ordering = ["size", "id"]
        indexes = [models.Index(fields=["size", "id"], name="ledger_head_size")]

    def __str__(self) -> str:
        return f"size={self.size} key={self.key_id}"

    @property
    def timestamp_ms(self) -> int:
        return encoding.epoch_milliseconds(self.timestamp)

    def as_public_dict(self) -> dict[str, Any]:
        """The head as the API publishes it: hex root, millisecond timestamp, base64 signature."""
        return {
            "size": self.size,
            "root_hash": bytes(self.root_hash).hex(),
            "timestamp": self.timestamp_ms,
            "key_id": self.key_id,
            "signature": base64.b64encode(bytes(self.signature)).decode("ascii"),
        }

    def message(self) -> bytes:
        """The bytes the signature covers (see :mod:`yingshang.ledger.encoding`)."""
        return encoding.tree_head_message(
            size=self.size,
            root_hash=bytes(self.root_hash),
            timestamp=self.timestamp_ms,
            key_id=self.key_id,
        )
