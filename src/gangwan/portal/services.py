"""Limits of the public portal, kept in the shared cache (database table or Redis), so they hold
across server processes: submissions per network address and per phone, and wrong codes per
submission. The portal asks before acting and records after acting."""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext as _

from gangwan.core import crypto

SUBMISSIONS_PER_IP_PER_HOUR = 5
SUBMISSIONS_PER_PHONE_PER_DAY = 3
WRONG_CODES_PER_SUBMISSION = 5
HOUR, DAY = 3600, 86400


def _ip_key(ip: str) -> str:
    return f"portal:self-registration:ip:{crypto.blind_index(ip or '-')}"


def _phone_key(phone: str) -> str:
    return f"portal:self-registration:phone:{crypto.blind_index(phone)}"


def _count(key: str, window: int) -> None:
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)


def submission_refusal(*, ip: str, phone: str) -> str | None:
    """Why a submission from this address with this phone is refused now, or None."""
    counts = cache.get_many([_ip_key(ip), _phone_key(phone)])
    if counts.get(_ip_key(ip), 0) >= SUBMISSIONS_PER_IP_PER_HOUR:
        return _(
            "Too many registrations were sent from your network in the last hour. Please try "
            "again in an hour, or visit the service station."
        )
    if counts.get(_phone_key(phone), 0) >= SUBMISSIONS_PER_PHONE_PER_DAY:
        return _(
            "This phone number has been used for %(n)s registrations today. Please try again "
            "tomorrow, or visit the service station."
        ) % {"n": SUBMISSIONS_PER_PHONE_PER_DAY}
    return None


def submission_record(*, ip: str, phone: str) -> None:
    _count(_ip_key(ip), HOUR)
    _count(_phone_key(phone), DAY)


def wrong_code_record(*, registration_id: int) -> int:
    """Count a wrong code for a submission; returns how many it has had."""
    key = f"portal:self-registration:wrong:{registration_id}"
    _count(key, DAY)
    return cache.get(key, 0)
