"""Personal data at rest (PIPL): encryption, keyed lookup hashes and masking.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from
settings.DATA_KEY; older keys listed in GANGWAN_DATA_KEYS_OLD still decrypt, so keys can rotate.
Lookups use an HMAC-SHA256 of the normalized value under a second derived key, so equal values
can be found without storing them in the clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _derive(secret: str, purpose: bytes) -> bytes:
    return hashlib.sha256(purpose + b":" + secret.encode()).digest()


@lru_cache(maxsize=4)
def _fernet(data_key: str, old_keys: str) -> MultiFernet:
    keys = [data_key] + [k for k in old_keys.split(",") if k]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(k, b"encrypt"))) for k in keys])


def _current() -> MultiFernet:
    return _fernet(settings.DATA_KEY, os.environ.get("GANGWAN_DATA_KEYS_OLD", ""))


def encrypt(value: str) -> str:
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("personal data cannot be decrypted with the configured keys") from exc


def blind_index(value: str) -> str:
    """Keyed hash used to find a record by its exact ID number or phone."""
    return hmac.new(_derive(settings.DATA_KEY, b"index"), value.encode(), hashlib.sha256).hexdigest()


def mask_id_number(v: str) -> str:
    return v[:4] + "*" * (len(v) - 8) + v[-4:] if len(v) > 8 else "*" * len(v)


def mask_phone(v: str) -> str:
    return v[:3] + "****" + v[-4:] if len(v) >= 11 else "*" * len(v)
