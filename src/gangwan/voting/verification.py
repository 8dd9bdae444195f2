"""Who may vote: voter verification behind a pluggable interface, voter tokens, rate limits and
the CAPTCHA.

A verifier proves a person holds an identity (by default a phone, with a one-time code sent
through core.notifications' SMS gateway — core.phone_verification: expiry, limited attempts and a
growing lockout) and turns it into a `voter_key`: a keyed hash (core.crypto.blind_index) of the
identity, under a voting-only label so it cannot be joined with other tables. The key travels to
the cast step inside a signed, short-lived voter token; no phone is stored by this app.

settings.GANGWAN_VOTING_VERIFIER may name another class with the same two methods."""

from __future__ import annotations

import hashlib
import secrets
from typing import Protocol

from django.conf import settings
from django.core import signing
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from gangwan.core import crypto, phone_verification
from gangwan.core.rules import rule_value
from gangwan.core.validators import validate_phone

from .models import Ballot, Poll

PURPOSE = "vote"
TOKEN_SALT = "gangwan.voting.voter"


class Verifier(Protocol):
    def start(self, *, poll: Poll, identity: str) -> None:
        """Send the challenge (e.g. a code by SMS). Raises ValidationError when refused."""

    def confirm(self, *, poll: Poll, identity: str, code: str) -> str:
        """Check the answer; return the voter key. Raises ValidationError when wrong."""


class PhoneCodeVerifier:
    def normalize(self, identity: str) -> str:
        return validate_phone(identity)

    def start(self, *, poll: Poll, identity: str) -> None:
        phone_verification.code_send(
            phone=self.normalize(identity),
            purpose=purpose_of(poll),
            message=_("Your voting code for “%(poll)s” is %%(code)s (valid for 10 minutes).")
            % {"poll": poll.title[:40]},
        )

    def confirm(self, *, poll: Poll, identity: str, code: str) -> str:
        phone = self.normalize(identity)
        phone_verification.code_check(phone=phone, purpose=purpose_of(poll), code=code)
        return voter_key_for(poll, phone)


def purpose_of(poll: Poll) -> str:
    """A code is sent for one poll and is checked for that poll only."""
    return f"{PURPOSE}:{poll.pk}"


def voter_key_of(phone: str) -> str:
    """The keyed hash that stands for a voter in the ballot table (current data key)."""
    return crypto.blind_index(f"voting:{phone}")


def voter_key_for(poll: Poll, phone: str) -> str:
    """The voter key to cast with in `poll`: the key of the voter's earlier ballot in the poll if
    one was cast under a data key that has since rotated (so the database's one-ballot rule still
    refuses a second one), the current key otherwise."""
    keys = crypto.blind_indexes(f"voting:{phone}")
    if len(keys) > 1:
        used = (
            Ballot.objects.filter(poll=poll, voter_key__in=keys[1:])
            .values_list("voter_key", flat=True)
            .first()
        )
        if used:
            return used
    return keys[0]


def _data_key_tag() -> str:
    """A short fingerprint of the current data key: a voter token holds the voter key derived
    under one data key, and is refused once that key has rotated (verify again)."""
    return crypto.blind_index("gangwan.voting.token")[:12]


def verifier() -> Verifier:
    path = getattr(
        settings, "GANGWAN_VOTING_VERIFIER", "gangwan.voting.verification.PhoneCodeVerifier"
    )
    return import_string(path)()


# --- voter tokens ------------------------------------------------------------------------------


def voter_token(*, poll: Poll, voter_key: str) -> str:
    return signing.dumps(
        {"p": poll.pk, "v": voter_key, "k": _data_key_tag()}, salt=TOKEN_SALT, compress=False
    )


def voter_from_token(*, poll: Poll, token: str) -> str:
    """The voter key a token carries for this poll; refused when missing, forged, for another
    poll, older than the verification lifetime or issued before the data key rotated."""
    max_age = int(rule_value("voting.verification_minutes")) * 60
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationError(
            _("Your verification has expired; verify your phone again."), code="unverified"
        ) from None
    except signing.BadSignature:
        raise ValidationError(_("Verify your phone before voting."), code="unverified") from None
    if data.get("p") != poll.pk or not data.get("v"):
        raise ValidationError(_("Verify your phone before voting."), code="unverified")
    if data.get("k") != _data_key_tag():  # issued under a data key that has rotated since
        raise ValidationError(
            _("Your verification has expired; verify your phone again."), code="unverified"
        )
    return data["v"]


# --- rate limits ---------------------------------------------------------------------------------


def hit(key: str, limit: int, window: int, counter=None) -> bool:
    """Count one event under `key` in the shared cache; False when over `limit` in `window` s.
    (Redis when REDIS_URL is set, the database cache otherwise.) `counter(cache_key, window)`,
    when given and the cache is Redis, does the counting on a connection of the caller's (the
    WSGI fast path's) and returns the count; the key is the cache's own, so both count together."""
    key = f"voting-rl:{key}"
    backend = caches["default"]
    if counter is not None and isinstance(backend, RedisCache):
        return counter(backend.make_and_validate_key(key), window) <= limit
    if isinstance(backend, RedisCache):  # one round trip (two when the window starts)
        full = backend.make_and_validate_key(key)
        # Django builds a new redis client object per call (costly); keep one per cache object
        # (cache objects are per thread; the client shares the backend's connection pool).
        client = getattr(backend, "_gangwan_client", None)
        if client is None:
            client = backend._gangwan_client = backend._cache.get_client(full, write=True)
        n = client.incr(full)
        if n == 1 or (n > limit and client.ttl(full) == -1):
            client.expire(full, window)
        return n <= limit
    if cache.add(key, 1, window):
        return limit >= 1
    try:
        n = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        n = 1
    return n <= limit


def _h(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def _phone_key(identity: str) -> str:
    """The rate-limit key of a phone: a keyed hash (the cache never holds a phone in a form that
    could be reversed by hashing every number) of the normalized number, so spaces or a +86 prefix
    do not start a fresh count."""
    try:
        phone = validate_phone(identity or "")
    except ValidationError:
        phone = "".join((identity or "").split())
    return crypto.blind_index(f"voting-rl:{phone}")[:32]


def limit_code_requests(*, ip: str, identity: str, region=None) -> None:
    if not hit(f"codes-ip:{ip}", int(rule_value("voting.codes_per_ip_per_hour", region)), 3600):
        raise ValidationError(
            _("Too many requests from your network; try again later."), code="rate_limited"
        )
    if not hit(
        f"phone:{_phone_key(identity)}",
        int(rule_value("voting.verify_per_phone_per_hour", region)),
        3600,
    ):
        raise ValidationError(
            _("Too many attempts for this phone; try again later."), code="rate_limited"
        )


def limit_code_checks(*, identity: str, region=None) -> None:
    if not hit(
        f"phone:{_phone_key(identity)}",
        int(rule_value("voting.verify_per_phone_per_hour", region)),
        3600,
    ):
        raise ValidationError(
            _("Too many attempts for this phone; try again later."), code="rate_limited"
        )


def limit_casts(*, ip: str, counter=None) -> None:
    limit = int(rule_value("voting.cast_per_ip_per_minute"))
    if not hit(f"cast-ip:{ip}", limit, 60, counter):
        raise ValidationError(
            _("Too many ballots from your network; try again in a minute."), code="rate_limited"
        )


# --- CAPTCHA (self-hosted arithmetic) ----------------------------------------------------------

CAPTCHA_SALT = "gangwan.voting.captcha"


def captcha_new() -> tuple[str, str]:
    """(question, token): a small sum to solve; the token carries a hash of the answer."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_hex(8)
    token = signing.dumps(
        {"n": nonce, "h": _h(f"{nonce}:{a + b}")}, salt=CAPTCHA_SALT, compress=False
    )
    return f"{a} + {b} = ?", token


def captcha_check(*, token: str, answer: str) -> None:
    """Refuse a wrong, expired (10 minutes) or already used answer."""
    try:
        data = signing.loads(token or "", salt=CAPTCHA_SALT, max_age=600)
    except signing.BadSignature:
        raise ValidationError(_("Solve the sum again."), code="captcha") from None
    if not secrets.compare_digest(_h(f"{data['n']}:{(answer or '').strip()}"), data["h"]):
        raise ValidationError(_("The sum is wrong."), code="captcha")
    if not cache.add(f"voting-captcha:{data['n']}", 1, 700):
        raise ValidationError(_("Solve the sum again."), code="captcha")
