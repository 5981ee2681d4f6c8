"""Read-only admin for the ledger.

Events, signing keys and signed tree heads can be viewed, never added, changed or deleted
here; keys change through ``yingshang ledger rotate-key`` and ``revoke-key``.
"""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yingshang.ledger.models import LedgerEvent, SignedTreeHead, SigningKey


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerEvent)
class LedgerEventAdmin(ReadOnlyAdmin):
    list_display = ["index", "event_type", "actor", "subject", "created_at"]
    list_filter = ["event_type"]
    search_fields = ["=index", "subject", "actor", "event_type"]
    fields = readonly_fields = (
        "index",
        "event_type",
        "actor",
        "subject",
        "payload",
        "payload_digest",
        "created_at",
        "leaf_hash_hex",
    )
    show_full_result_count = False  # COUNT(*) over millions of events on every page is slow

    @admin.display(description=_("叶哈希"))
    def leaf_hash_hex(self, event: LedgerEvent) -> str:
        return bytes(event.leaf_hash).hex()


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["key_id", "created_at", "retired_at", "revoked_at"]
    fields = readonly_fields = (
        "key_id",
        "public_key_b64",
        "created_at",
        "retired_at",
        "revoked_at",
        "revoked_reason",
    )

    @admin.display(description=_("公钥（base64）"))
    def public_key_b64(self, key: SigningKey) -> str:
        return key.public_key_base64


@admin.register(SignedTreeHead)
class SignedTreeHeadAdmin(ReadOnlyAdmin):
    list_display = ["id", "size", "root_hash_hex", "timestamp", "key"]
    list_select_related = ["key"]
    fields = readonly_fields = ("size", "root_hash_hex", "timestamp", "key", "signature_b64")

    @admin.display(description=_("根哈希"))
    def root_hash_hex(self, head: SignedTreeHead) -> str:
        return bytes(head.root_hash).hex()

    @admin.display(description=_("签名（base64）"))
    def signature_b64(self, head: SignedTreeHead) -> str:
        return base64.b64encode(bytes(head.signature)).decode("ascii")
