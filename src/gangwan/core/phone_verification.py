"""One-time codes sent to a phone: proof that a person holds the number (public actions that must
count once). Codes expire, attempts are limited, and a phone that keeps failing is locked out for a
growing time. Only keyed hashes of the phone and the code are stored."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import crypto
from .models import PhoneChallenge
from .notifications import send_sms
from .validators import validate_phone

CODE_TTL = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_AFTER = dt.timedelta(seconds=60)
MAX_SENDS_PER_HOUR = 5


def _code_hash(challenge_phone_hash: str, code: str) -> str:
    return crypto.blind_index(f"{challenge_phone_hash}:{code}")


def _lock_key(phone_hash: str, purpose: str) -> str:
    return f"phone-lock:{purpose}:{phone_hash}"


def lockout_remaining(phone: str, purpose: str) -> int:
    """Seconds until this phone may try again (0 when not locked)."""
    until = cache.get(_lock_key(crypto.blind_index(validate_phone(phone)), purpose))
    if not until:
        return 0
    return max(0, int((until - timezone.now()).total_seconds()))


@transaction.atomic
def code_send(*, phone: str, purpose: str, message: str | None = None) -> PhoneChallenge:
    """Send a fresh 6-digit code. Refused while locked out, within a minute of the last code, or
    after 5 codes in an hour."""
    phone = validate_phone(phone)
    ph = crypto.blind_index(phone)
    if lockout_remaining(phone, purpose):
        raise ValidationError(_("Too many wrong codes. Try again later."), code="locked")
    now = timezone.now()
    recent = PhoneChallenge.objects.filter(
        phone_hash=ph, purpose=purpose, created_at__gte=now - dt.timedelta(hours=1)
    )
    last = recent.order_by("-created_at").first()
    if last and now - last.created_at < RESEND_AFTER:
        raise ValidationError(
            _("A code was sent less than a minute ago; please wait before asking again."),
            code="too_soon",
        )
    if recent.count() >= MAX_SENDS_PER_HOUR:
        raise ValidationError(
            _("Too many codes were sent to this phone; try again in an hour."), code="too_many"
        )
    code = f"{secrets.randbelow(10**6):06d}"
    challenge = PhoneChallenge.objects.create(
        phone_hash=ph, purpose=purpose, code_hash=_code_hash(ph, code), expires_at=now + CODE_TTL
    )
    text = (message or _("Your Gangwan verification code is %(code)s (valid for 10 minutes).")) % {
        "code": code
    }
    transaction.on_commit(lambda: send_sms(phone, text))
    return challenge


def code_check(*, phone: str, purpose: str, code: str) -> PhoneChallenge:
    """Check a code; return the verified challenge. Wrong codes count; after 5 the challenge is spent
    and the phone is locked out for 1, 2, 4 … minutes (doubling each time, at most a day).

    The count is saved before the refusal is raised, so call this outside a transaction that the
    refusal would roll back (views and endpoints do)."""
    phone = validate_phone(phone)
    ph = crypto.blind_index(phone)
    if lockout_remaining(phone, purpose):
        raise ValidationError(_("Too many wrong codes. Try again later."), code="locked")
    now = timezone.now()
    with transaction.atomic():
        challenge = (
            PhoneChallenge.objects.select_for_update()
            .filter(phone_hash=ph, purpose=purpose, verified_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if challenge is None or challenge.expires_at < now or challenge.attempts >= MAX_ATTEMPTS:
            expired = True
        else:
            expired = False
            right = hmac.compare_digest(challenge.code_hash, _code_hash(ph, (code or "").strip()))
            if right:
                challenge.verified_at = now
                challenge.save(update_fields=["verified_at"])
            else:
                challenge.attempts += 1
                challenge.save(update_fields=["attempts"])
                if challenge.attempts >= MAX_ATTEMPTS:
                    _lock_out(ph, purpose, now)
    if expired:
        raise ValidationError(_("The code has expired; ask for a new one."), code="expired")
    if not right:
        raise ValidationError(_("The code is wrong."), code="wrong")
    return challenge


def _lock_out(ph: str, purpose: str, now) -> None:
    strikes_key = f"phone-strikes:{purpose}:{ph}"
    strikes = (cache.get(strikes_key) or 0) + 1
    cache.set(strikes_key, strikes, 86400 * 7)
    minutes = min(2 ** (strikes - 1), 24 * 60)
    cache.set(_lock_key(ph, purpose), now + dt.timedelta(minutes=minutes), minutes * 60)
