"""Login throttling: failures counted per account and per client address in the shared cache."""

from __future__ import annotations

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, ip: str) -> list[str]:
    h = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:user:{h}", f"login-fail:ip:{ip}"]


def client_ip(request) -> str:
    """The client's address. Behind proxies, set GANGWAN_TRUST_X_FORWARDED_FOR=1 (in the proxy's
    deployment only) and GANGWAN_TRUSTED_PROXIES to the number of proxies in front of the app
    (1 by default). Each proxy appends the address it received the request from to
    X-Forwarded-For, so only the entries added by our own proxies — counted from the right — can
    be trusted; anything to their left is whatever the client chose to send."""
    import os

    remote = request.META.get("REMOTE_ADDR", "")
    if os.environ.get("GANGWAN_TRUST_X_FORWARDED_FOR") != "1":
        return remote
    entries = [e.strip() for e in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    entries = [e for e in entries if e]
    if not entries:
        return remote
    try:
        proxies = max(1, int(os.environ.get("GANGWAN_TRUSTED_PROXIES", "1")))
    except ValueError:
        proxies = 1
    # Fewer entries than proxies: the request skipped an outer proxy; take the oldest entry.
    candidate = entries[-proxies] if len(entries) >= proxies else entries[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


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
