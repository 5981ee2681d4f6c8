"""Private keys as PEM files (私钥文件): one file per key, mode 0600, never in the database.

The ledger (tree-head keys) and the licences module (issuer keys) keep public halves in
their tables and private halves here, each in its own folder from settings. A missing or
unreadable file is a clear ``INVALID_STATE`` error that tells the operator what to do.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext as _

from yingshang.core.errors import DomainError, ErrorCode


def key_path(folder: Path | str, key_id: str) -> Path:
    return Path(folder) / f"{key_id}.pem"


def private_pem_write(folder: Path | str, key_id: str, pem: bytes) -> Path:
    """Write a new key file (0600, in a 0700 folder); never overwrites an existing one."""
    path = key_path(folder, key_id)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as file:
        file.write(pem)
    return path


def private_pem_read(folder: Path | str, key_id: str, *, remedy: str) -> bytes:
    """The key file's bytes, or INVALID_STATE naming the key and ``remedy`` (what to run)."""
    try:
        return key_path(folder, key_id).read_bytes()
    except OSError as exc:
        raise key_file_unusable(key_id, remedy=remedy) from exc


def key_file_unusable(key_id: str, *, remedy: str) -> DomainError:
    return DomainError(
        ErrorCode.INVALID_STATE,
        _("签名密钥 %(key_id)s 的私钥文件缺失或无法读取；请恢复该文件，或%(remedy)s。")
        % {"key_id": key_id, "remedy": remedy},
        {"key_id": key_id},
    )
