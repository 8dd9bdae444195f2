"""One-time phone codes: expiry, wrong codes counted, growing lockout."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from gangwan.core import phone_verification as pv
from gangwan.core.models import PhoneChallenge
from gangwan.core.notifications import ConsoleSmsGateway

PHONE = "13905748888"


@pytest.fixture(autouse=True)
def _clean(db):
    cache.clear()
    ConsoleSmsGateway.outbox.clear()
    yield
    cache.clear()


def _sent_code(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pv.code_send(phone=PHONE, purpose="test")
    return _digits(ConsoleSmsGateway.outbox[-1][1])


def _digits(text):
    import re

    return re.search(r"\d{6}", text).group()


def test_the_right_code_verifies_once(django_capture_on_commit_callbacks):
    code = _sent_code(django_capture_on_commit_callbacks)
    assert pv.code_check(phone=PHONE, purpose="test", code=code).verified_at is not None
    with pytest.raises(ValidationError):
        pv.code_check(phone=PHONE, purpose="test", code=code)  # spent


def test_wrong_codes_are_counted_and_lock_the_phone_out(django_capture_on_commit_callbacks):
    code = _sent_code(django_capture_on_commit_callbacks)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(pv.MAX_ATTEMPTS):
        with pytest.raises(ValidationError):
            pv.code_check(phone=PHONE, purpose="test", code=wrong)
    assert PhoneChallenge.objects.get().attempts == pv.MAX_ATTEMPTS
    assert pv.lockout_remaining(PHONE, "test") > 0
    with pytest.raises(ValidationError) as exc:
        pv.code_check(phone=PHONE, purpose="test", code=code)  # even the right code: locked
    assert exc.value.code == "locked"


def test_the_lockout_grows_with_each_strike():
    now = timezone.now()
    ph = "x" * 64
    pv._lock_out(ph, "test", now)
    first = cache.get(pv._lock_key(ph, "test"))
    pv._lock_out(ph, "test", now)
    second = cache.get(pv._lock_key(ph, "test"))
    assert first - now == dt.timedelta(minutes=1) and second - now == dt.timedelta(minutes=2)


def test_an_expired_code_is_refused(django_capture_on_commit_callbacks):
    code = _sent_code(django_capture_on_commit_callbacks)
    PhoneChallenge.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError) as exc:
        pv.code_check(phone=PHONE, purpose="test", code=code)
    assert exc.value.code == "expired"


def test_codes_are_not_sent_twice_within_a_minute(django_capture_on_commit_callbacks):
    _sent_code(django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as exc:
        pv.code_send(phone=PHONE, purpose="test")
    assert exc.value.code == "too_soon"
