"""Accounts: argon2 hashes, throttled logins, logout by POST, password change."""

import importlib

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from gangwan.core.models import AuditEntry
from tests import factories as f


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()
    yield
    cache.clear()


def test_production_settings_hash_passwords_with_argon2():
    import gangwan.settings as s

    importlib.reload(s)
    assert s.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_argon2_hashes_a_password(settings, db):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    u = get_user_model().objects.create_user("zhang", password="Harbour-2013!")
    assert u.password.startswith("argon2")


def test_login_and_logout(client, db):
    f.user("secretary1")
    resp = client.post(reverse("login"), {"username": "secretary1", "password": f.PASSWORD})
    assert resp.status_code == 302
    assert client.get(reverse("dashboard:home")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logging out changes state: POST only
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard:home")).status_code == 302


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, db, settings):
    settings.LANGUAGE_CODE = "en"
    f.user("street_xinqi")
    for _ in range(settings.LOGIN_THROTTLE["failures"]):
        resp = client.post(reverse("login"), {"username": "street_xinqi", "password": "wrong"})
        assert resp.status_code == 200
    resp = client.post(reverse("login"), {"username": "street_xinqi", "password": f.PASSWORD})
    assert resp.status_code == 200
    assert "Too many failed attempts" in resp.content.decode()
    cache.clear()  # the window passes
    resp = client.post(reverse("login"), {"username": "street_xinqi", "password": f.PASSWORD})
    assert resp.status_code == 302


def test_the_lock_is_per_account_not_for_everyone(client, db, settings):
    f.user("a_user")
    f.user("b_user")
    for _ in range(settings.LOGIN_THROTTLE["failures"]):
        client.post(reverse("login"), {"username": "a_user", "password": "wrong"})
    assert (
        client.post(reverse("login"), {"username": "b_user", "password": f.PASSWORD}).status_code
        == 302
    )


def test_password_change_is_audited(client, db):
    u = f.user("secretary2")
    client.force_login(u)
    resp = client.post(
        reverse("password_change"),
        {
            "old_password": f.PASSWORD,
            "new_password1": "Qingzhi-Harbour-42",
            "new_password2": "Qingzhi-Harbour-42",
        },
    )
    assert resp.status_code == 302
    u.refresh_from_db()
    assert u.check_password("Qingzhi-Harbour-42")
    assert AuditEntry.objects.filter(action="user.password_change", object_id=str(u.pk)).exists()


def test_forms_require_csrf(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    f.user("secretary3")
    resp = strict.post(reverse("login"), {"username": "secretary3", "password": f.PASSWORD})
    assert resp.status_code == 403


def test_english_is_complete_behind_the_language_switch(client, db):
    resp = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    assert "Log in" in resp.content.decode()
