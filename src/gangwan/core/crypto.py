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
    keys = [data_key] + [k.strip() for k in old_keys.split(",") if k.strip()]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(_derive(k, b"encrypt"))) for k in keys])


def _old_keys() -> str:
    return os.environ.get("GANGWAN_DATA_KEYS_OLD", "")


def _current() -> MultiFernet:
    return _fernet(settings.DATA_KEY, _old_keys())


def encrypt(value: str) -> str:
    return _current().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("personal data cannot be decrypted with the configured keys") from exc


def blind_index(value: str, key: str | None = None) -> str:
    """Keyed hash used to find a record by its exact ID number or phone (current key by default)."""
    secret = settings.DATA_KEY if key is None else key
    return hmac.new(_derive(secret, b"index"), value.encode(), hashlib.sha256).hexdigest()


def blind_indexes(value: str) -> list[str]:
    """The hashes of `value` under the current and the old keys. Rows saved before a key rotation
    keep their old hash until they are re-keyed, so lookups must try every key still configured."""
    keys = [settings.DATA_KEY] + [k.strip() for k in _old_keys().split(",") if k.strip()]
    return list(dict.fromkeys(blind_index(value, k) for k in keys))


def mask_id_number(v: str) -> str:
    return v[:4] + "*" * (len(v) - 8) + v[-4:] if len(v) > 8 else "*" * len(v)


def mask_phone(v: str) -> str:
    return v[:3] + "****" + v[-4:] if len(v) >= 11 else "*" * len(v)
