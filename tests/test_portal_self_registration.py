"""The public portal's "find a home": an arriving member registers on his phone without an
account, proves the phone with a code from the SMS gateway (console in tests), and the station
accepts him. Wrong and expired codes, duplicates and floods are refused with a clear message."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gangwan.core.models import Notification, PhoneChallenge
from gangwan.core.notifications import ConsoleSmsGateway
from gangwan.floating.models import Floating, SelfRegistration
from gangwan.portal import services as limits
from tests import factories as f
from tests.test_floating_placement import FloatingWorld, sichuan_id


@pytest.fixture
def fworld(district):
    return FloatingWorld(district)


def _form(station, **kw) -> dict:
    today = timezone.localdate()
    data = {
        "station": station.pk,
        "name": "李红华",
        "id_number": sichuan_id(dt.date(1965, 3, 12)),
        "phone": "139 8000 1234",
        "status": "full",
        "joined_on": "",
        "origin_organization_name": "中共广安市广安区浓洄街道委员会",
        "origin_region_name": "四川省广安市",
        "certificate_no": "",
        "left_origin_on": "",
        "arrived_on": (today - dt.timedelta(days=5)).isoformat(),
        "skills": "电工",
        "on_call": "on",
        "on_call_hours": "周末",
        "consent": "on",
    }
    data.update(kw)
    return data


def _last_code(phone: str = "13980001234") -> str:
    sent = [text for to, text in ConsoleSmsGateway.outbox if to == phone]
    return re.search(r"\d{6}", sent[-1]).group()


def _submit(client, captured, station, **kw):
    with captured(execute=True):  # the SMS goes out when the transaction commits
        return client.post(reverse("portal:find_a_home"), _form(station, **kw))


def en_client(**kw) -> Client:
    """A browser that asks for English, so that messages are checked against their msgids."""
    return Client(HTTP_ACCEPT_LANGUAGE="en", **kw)


@pytest.fixture
def client():
    return en_client()


@pytest.fixture
def captured(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_an_arriving_member_finds_a_home_through_the_portal(client, fworld, captured):
    landing = client.get(reverse("portal:landing"))
    assert landing.status_code == 200 and "高塘社区流动党员服务站" in landing.content.decode()
    assert client.get(reverse("portal:find_a_home")).status_code == 200

    resp = _submit(client, captured, fworld.gaotang_station)
    assert resp.status_code == 302 and resp.url == reverse("portal:verify")
    registration = SelfRegistration.objects.get()
    assert registration.status == "unverified" and registration.phone == "13980001234"
    # Nothing reaches the station before the phone is proven.
    client_staff = Client()
    client_staff.force_login(fworld.gaotang_staff)
    assert not client_staff.get(reverse("floating:self_registrations")).context["rows"]

    wrong = client.post(reverse("portal:verify"), {"code": "000000"})
    if _last_code() == "000000":  # one chance in a million
        wrong = client.post(reverse("portal:verify"), {"code": "111111"})
    assert wrong.status_code == 422 and "code" in wrong.context["form"].errors
    resp = client.post(reverse("portal:verify"), {"code": _last_code()})
    assert resp.status_code == 302 and resp.url == reverse("portal:thanks")
    thanks = client.get(resp.url)
    assert "高塘社区流动党员服务站" in thanks.content.decode()
    registration.refresh_from_db()
    assert registration.status == "pending" and registration.phone_verified_at
    assert Notification.objects.filter(user=fworld.gaotang_staff).exists()

    # The station accepts: placement by the rule, as at the counter.
    listed = client_staff.get(reverse("floating:self_registrations")).context["rows"]
    assert [r.pk for r in listed] == [registration.pk]
    page = client_staff.get(reverse("floating:self_registration_detail", args=[registration.pk]))
    assert "13980001234" not in page.content.decode()
    resp = client_staff.post(
        reverse("floating:self_registration_accept", args=[registration.pk]),
        {"home_organization": "", "unit": ""},
    )
    assert resp.status_code == 302
    floating = Floating.objects.get()
    assert floating.registered_via == "self_service"
    assert floating.member.home_organization == fworld.gaotang_regional
    assert floating.member.skills == "电工" and floating.member.on_call
    registration.refresh_from_db()
    assert registration.status == "accepted" and registration.member == floating.member


def test_an_expired_code_is_refused(client, fworld, captured):
    _submit(client, captured, fworld.gaotang_station)
    PhoneChallenge.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    resp = client.post(reverse("portal:verify"), {"code": _last_code()})
    assert resp.status_code == 422
    assert "expired" in " ".join(resp.context["form"].errors["code"])
    assert SelfRegistration.objects.get().status == "unverified"


def test_five_wrong_codes_drop_the_submission(client, fworld, captured):
    _submit(client, captured, fworld.gaotang_station)
    good = _last_code()
    wrong = "123456" if good != "123456" else "654321"
    for _ in range(limits.WRONG_CODES_PER_SUBMISSION - 1):
        assert client.post(reverse("portal:verify"), {"code": wrong}).status_code == 422
    resp = client.post(reverse("portal:verify"), {"code": wrong})
    assert resp.status_code == 302 and resp.url == reverse("portal:find_a_home")
    assert not SelfRegistration.objects.exists()
    assert client.post(reverse("portal:verify"), {"code": good}).status_code == 302  # to the form


def test_the_verify_page_needs_a_submission_of_this_browser(client, fworld, captured):
    _submit(client, captured, fworld.gaotang_station)
    stranger = en_client()
    resp = stranger.post(reverse("portal:verify"), {"code": _last_code()})
    assert resp.status_code == 302 and resp.url == reverse("portal:find_a_home")
    assert SelfRegistration.objects.get().status == "unverified"


def test_a_member_already_registered_is_refused_with_a_clear_message(client, fworld, captured):
    existing = f.member(fworld.gaotang_regional, name="李红华")
    _submit(client, captured, fworld.gaotang_station, id_number=existing.id_number)
    resp = client.post(reverse("portal:verify"), {"code": _last_code()}, follow=True)
    assert resp.redirect_chain[-1][0] == reverse("portal:find_a_home")
    assert "registered as a Party member" in resp.content.decode()
    assert not SelfRegistration.objects.exists()


def test_a_second_registration_while_one_waits_is_refused(client, fworld, captured):
    same_person = sichuan_id(dt.date(1966, 6, 6))
    _submit(client, captured, fworld.gaotang_station, id_number=same_person)
    client.post(reverse("portal:verify"), {"code": _last_code()})
    assert SelfRegistration.objects.get().status == "pending"
    PhoneChallenge.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
    other = en_client()
    _submit(other, captured, fworld.qingzhi_station, id_number=same_person)
    resp = other.post(reverse("portal:verify"), {"code": _last_code()}, follow=True)
    assert "already waiting" in resp.content.decode()
    assert SelfRegistration.objects.count() == 1


def test_bad_input_is_refused_field_by_field(client, fworld, captured):
    resp = _submit(
        client,
        captured,
        fworld.gaotang_station,
        id_number="510000196503120000",
        phone="12345",
        consent="",
        status="probationary",
    )
    assert resp.status_code == 422
    errors = resp.context["form"].errors
    assert {"phone", "consent"} <= set(errors)
    resp = _submit(client, captured, fworld.gaotang_station, id_number="510000196503120000")
    assert resp.status_code == 422 and "id_number" in resp.context["form"].errors
    resp = _submit(client, captured, fworld.gaotang_station, status="probationary")
    assert resp.status_code == 422 and "joined_on" in resp.context["form"].errors
    assert not SelfRegistration.objects.exists()


def test_submissions_are_limited_per_address(client, fworld, captured):
    for i in range(limits.SUBMISSIONS_PER_IP_PER_HOUR):
        resp = _submit(
            client,
            captured,
            fworld.gaotang_station,
            phone=f"1390000{i:04d}",
            id_number=sichuan_id(dt.date(1970, 1, 1 + i)),
        )
        assert resp.status_code == 302, i
    resp = _submit(
        client,
        captured,
        fworld.gaotang_station,
        phone="13900009999",
        id_number=sichuan_id(dt.date(1970, 2, 1)),
    )
    assert resp.status_code == 429
    assert "Too many registrations" in resp.context["refusal"]
    assert SelfRegistration.objects.count() == limits.SUBMISSIONS_PER_IP_PER_HOUR
    # Another address is not affected.
    elsewhere = en_client(REMOTE_ADDR="10.1.2.3")
    resp = _submit(
        elsewhere,
        captured,
        fworld.gaotang_station,
        phone="13900009999",
        id_number=sichuan_id(dt.date(1970, 2, 1)),
    )
    assert resp.status_code == 302


def test_submissions_are_limited_per_phone(fworld, captured):
    for i in range(limits.SUBMISSIONS_PER_PHONE_PER_DAY):
        c = en_client(REMOTE_ADDR=f"10.0.0.{i + 1}")
        PhoneChallenge.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))
        resp = _submit(
            c, captured, fworld.gaotang_station, id_number=sichuan_id(dt.date(1975, 1, 1 + i))
        )
        assert resp.status_code == 302, (i, resp.content.decode()[:500])
    c = en_client(REMOTE_ADDR="10.0.0.99")
    resp = _submit(c, captured, fworld.gaotang_station)
    assert resp.status_code == 429
    assert "tomorrow" in resp.context["refusal"]


def test_csrf_protection_is_on(fworld):
    c = Client(enforce_csrf_checks=True)
    resp = c.post(reverse("portal:find_a_home"), _form(fworld.gaotang_station))
    assert resp.status_code == 403
    assert not SelfRegistration.objects.exists()


def test_the_station_rejects_with_a_reason(client, fworld, captured):
    _submit(client, captured, fworld.gaotang_station)
    client.post(reverse("portal:verify"), {"code": _last_code()})
    registration = SelfRegistration.objects.get()
    staff = Client()
    staff.force_login(fworld.gaotang_staff)
    url = reverse("floating:self_registration_reject", args=[registration.pk])
    assert staff.post(url, {"reason": ""}).status_code == 422
    assert staff.post(url, {"reason": "已在原籍转出组织关系，请走转接"}).status_code == 302
    registration.refresh_from_db()
    assert registration.status == "rejected" and registration.reject_reason.startswith("已在原籍")
    assert not Floating.objects.exists()


def test_unverified_submissions_are_purged_after_a_day(client, fworld, captured):
    _submit(client, captured, fworld.gaotang_station)
    SelfRegistration.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    from gangwan.floating.self_registration import self_registration_purge_unverified

    assert self_registration_purge_unverified() == 1
    assert not SelfRegistration.objects.exists()
