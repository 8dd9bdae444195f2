"""Login throttling: failures counted per account and per client address in the shared cache."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, ip: str) -> list[str]:
    h = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:user:{h}", f"login-fail:ip:{ip}"]


def client_ip(request) -> str:
    # Behind a proxy, set GANGWAN_TRUST_X_FORWARDED_FOR=1 in the proxy's deployment only.
    import os

    if os.environ.get("GANGWAN_TRUST_X_FORWARDED_FOR") == "1":
        fwd = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if fwd:
            return fwd.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def is_locked(username: str, ip: str) -> bool:
    limit = settings.LOGIN_THROTTLE["failures"]
    user_key, ip_key = _keys(username, ip)
    counts = cache.get_many([user_key, ip_key])
    # An address gets more room than one account: several people may share an office network.
    return counts.get(user_key, 0) >= limit or counts.get(ip_key, 0) >= limit * 4


def record_failure(username: str, ip: str) -> None:
    window = settings.LOGIN_THROTTLE["window_seconds"]
    for key in _keys(username, ip):
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)


def reset(username: str, ip: str) -> None:
    cache.delete(_keys(username, ip)[0])
