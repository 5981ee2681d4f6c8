"""Settings shared by every test: keys in a temporary folder, never in var/."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _ledger_key_dir(settings, tmp_path_factory):
    settings.LEDGER_KEY_DIR = tmp_path_factory.mktemp("ledger-keys")
    settings.LICENCE_KEY_DIR = tmp_path_factory.mktemp("licence-keys")
    settings.MATERIALS_DIR = tmp_path_factory.mktemp("materials")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for attackers, not for the test suite."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
