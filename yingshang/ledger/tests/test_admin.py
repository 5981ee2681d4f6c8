"""The admin shows the ledger and never lets anyone add, change or delete its rows."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from yingshang.ledger.admin import LedgerEventAdmin, SignedTreeHeadAdmin, SigningKeyAdmin
from yingshang.ledger.models import LedgerEvent, SignedTreeHead, SigningKey
from yingshang.ledger.services import tree_head_sign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "model_admin"),
    [
        (LedgerEvent, LedgerEventAdmin),
        (SigningKey, SigningKeyAdmin),
        (SignedTreeHead, SignedTreeHeadAdmin),
    ],
)
def test_even_a_superuser_can_only_view(django_user_model, model, model_admin):
    request = RequestFactory().get("/admin/")
    request.user = django_user_model.objects.create_superuser(username="root", password="x")
    registered = admin.site._registry[model]
    assert isinstance(registered, model_admin)
    assert registered.has_view_permission(request)
    assert not registered.has_add_permission(request)
    assert not registered.has_change_permission(request)
    assert not registered.has_delete_permission(request)


def test_hashes_and_keys_are_shown_readably(append):
    append(1)
    head = tree_head_sign()
    event = LedgerEvent.objects.get()
    key = SigningKey.objects.get()
    heads = SignedTreeHeadAdmin(SignedTreeHead, admin.site)
    assert LedgerEventAdmin(LedgerEvent, admin.site).leaf_hash_hex(event) == event.leaf_hash.hex()
    assert SigningKeyAdmin(SigningKey, admin.site).public_key_b64(key) == key.public_key_base64
    assert heads.root_hash_hex(head) == bytes(head.root_hash).hex()
    assert heads.signature_b64(head) == head.as_public_dict()["signature"]
