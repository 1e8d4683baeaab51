"""Encryption at rest and keyed hashing of personal identifiers (identity numbers).

The key comes from `DANGJIAN_DATA_KEY` or, on a single machine, from `var/data.key`
(generated on first use, mode 0600). Losing the key loses the identity numbers: back it up
apart from the database (docs/security.md).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@functools.cache
def _key() -> bytes:
    key = settings.DATA_KEY
    if not key:
        path = settings.DATA_KEY_FILE
        if path.exists():
            key = path.read_text().strip()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            key = Fernet.generate_key().decode()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(key + "\n")
    try:
        raw = base64.urlsafe_b64decode(key)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            "DANGJIAN_DATA_KEY must be 32 bytes in urlsafe base64 (Fernet.generate_key())"
        )
    return key.encode() if isinstance(key, str) else key


@functools.cache
def _fernet() -> Fernet:
    return Fernet(_key())


@functools.cache
def _hash_key() -> bytes:
    # A separate key for lookups, derived so that one secret is all there is to keep.
    return hmac.new(_key(), b"dangjian lookup hash v1", hashlib.sha256).digest()


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "无法解密身份证号：数据密钥与加密时使用的不一致 (DANGJIAN_DATA_KEY / var/data.key)"
        ) from None


def lookup_hash(plain: str) -> str:
    """A keyed hash: equal for equal values, useless without the key (no rainbow tables)."""
    return hmac.new(_hash_key(), plain.encode(), hashlib.sha256).hexdigest()
