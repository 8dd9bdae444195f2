"""The portal's service brands: public brand pages, and an employee of 三星重工 signing up for
the union's matchmaking event with a phone code (confirmed, or on the waiting list when full).
Nothing is written before the phone is verified; code requests are rate limited."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from gangwan.brands import public, services
from gangwan.brands.models import Registration
from gangwan.core.notifications import ConsoleSmsGateway
from gangwan.core.phone_verification import code_send
from tests.test_brands_services import BrandsWorld, _register


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(district, django_capture_on_commit_callbacks):
    w = BrandsWorld(district)
    w.event_obj = w.event(capacity=2)
    w.on_commit = django_capture_on_commit_callbacks
    return w


def _code(phone):
    return re.search(r"\d{6}", [t for p, t in ConsoleSmsGateway.outbox if p == phone][-1]).group()


def _sign_up(c, world, phone="13812345678", name="金敏"):
    # The code's SMS leaves on commit: run the callbacks inside the test's transaction.
    with world.on_commit(execute=True):
        return c.post(
            reverse("brands_public:event", args=[world.event_obj.pk]),
            {"name": name, "phone": phone, "employer": "三星重工", "consent": "on"},
        )


def test_an_employee_signs_up_with_a_phone_code(world):
    c = Client()
    assert c.get(reverse("portal:landing")).status_code == 200
    resp = c.get(reverse("brands_public:list"))
    assert resp.status_code == 200 and "七夕鹊桥会" in resp.content.decode()
    resp = _sign_up(c, world)
    assert resp.status_code == 302 and resp["Location"].endswith("/verify/")
    assert not Registration.objects.exists()  # nothing before the phone is verified
    right = _code("13812345678")
    wrong = right[:-1] + str((int(right[-1]) + 1) % 10)
    resp = c.post(reverse("brands_public:verify", args=[world.event_obj.pk]), {"code": wrong})
    assert resp.status_code == 422 and not Registration.objects.exists()
    resp = c.post(reverse("brands_public:verify", args=[world.event_obj.pk]), {"code": right})
    assert resp.status_code == 302
    reg = Registration.objects.get()
    assert (reg.name, reg.status, reg.phone) == ("金敏", "confirmed", "13812345678")
    assert reg.phone_hash and "13812345678" not in str(reg.phone_masked)
    resp = c.get(resp["Location"])
    assert 'id="gw-confirmed"' in resp.content.decode()


def test_when_full_the_employee_joins_the_waiting_list_with_a_position(world):
    _register(world.event_obj, 3)
    c = Client()
    _sign_up(c, world)
    resp = c.post(
        reverse("brands_public:verify", args=[world.event_obj.pk]),
        {"code": _code("13812345678")},
        follow=True,
    )
    body = resp.content.decode()
    assert 'id="gw-waiting"' in body and resp.context["position"] == 2


def test_an_anonymous_visitor_cannot_learn_whether_a_phone_is_registered(world):
    # The form answers a registered phone exactly like any other (a code is sent); only the
    # phone's owner, after the code, learns that it is registered already.
    _register(world.event_obj, 1)
    ConsoleSmsGateway.outbox.clear()
    c = Client()
    resp = _sign_up(c, world, phone="13900000000")
    assert resp.status_code == 302 and resp["Location"].endswith("/verify/")
    assert [p for p, _t in ConsoleSmsGateway.outbox] == ["13900000000"]
    resp = c.post(
        reverse("brands_public:verify", args=[world.event_obj.pk]),
        {"code": _code("13900000000")},
        follow=True,
    )
    assert "already registered" in resp.content.decode() or "已报名" in resp.content.decode()
    assert Registration.objects.count() == 1


def test_asking_about_a_registered_phone_counts_against_the_limits(world):
    _register(world.event_obj, 1)
    c = Client()
    codes = [
        _sign_up(c, world, phone="13900000000").status_code
        for _i in range(public.CODES_PER_PHONE_PER_DAY + 1)
    ]
    assert codes[-1] == 429 and 429 not in codes[:-1]


def test_parallel_code_requests_cannot_pass_the_network_limit_together(world, monkeypatch):
    # Request A is between the limit check and sending its code when request B arrives.
    ip_key, _phone_key = public._keys("127.0.0.1", "13812345678")
    cache.set(ip_key, public.CODES_PER_IP_PER_HOUR - 1, public.HOUR)
    real_send, nested = public.code_send, []

    def send_with_a_second_request(**kw):
        if not nested:
            nested.append(None)
            nested[0] = _sign_up(Client(), world, phone="13822220000")
        return real_send(**kw)

    monkeypatch.setattr(public, "code_send", send_with_a_second_request)
    first = _sign_up(Client(), world, phone="13812345678")
    assert first.status_code == 302
    assert nested[0].status_code == 429


def test_code_requests_are_rate_limited_per_network(world):
    c = Client()
    for i in range(public.CODES_PER_IP_PER_HOUR):
        assert _sign_up(c, world, phone=f"1381111{i:04d}").status_code == 302
    resp = _sign_up(c, world, phone="13822220000")
    assert resp.status_code == 429 and 'id="gw-refusal"' in resp.content.decode()


def test_verifying_without_a_pending_sign_up_goes_back_to_the_form(world):
    resp = Client().post(
        reverse("brands_public:verify", args=[world.event_obj.pk]), {"code": "123456"}
    )
    assert resp.status_code == 302 and not Registration.objects.exists()


def test_closed_and_private_events_take_no_sign_ups(world):
    services.event_update(actor=None, event=world.event_obj, registration_open=False)
    resp = _sign_up(Client(), world)
    assert resp.status_code == 200 and resp.context["form"] is None
    private = world.event(title="内部活动", is_public=False)
    assert Client().get(reverse("brands_public:event", args=[private.pk])).status_code == 404


def test_a_registration_verified_after_someone_took_the_phone_is_refused_cleanly(world):
    c = Client()
    _sign_up(c, world)
    code = _code("13812345678")
    services.registration_create(
        actor=None, event=world.event_obj, name="别人", phone="13812345678"
    )
    resp = c.post(reverse("brands_public:verify", args=[world.event_obj.pk]), {"code": code})
    assert resp.status_code == 302 and Registration.objects.count() == 1


def test_public_brand_pages_show_only_public_brands(world, django_assert_max_num_queries):
    world.sunflower.is_public = False
    world.sunflower.save()
    for i in range(8):
        services.record_create(
            actor=None,
            brand=world.advisory,
            served_on=world.advisory.started_on.replace(year=2020),
            title=f"服务{i}",
            served_unit=world.dagang_unit,
            hours=2,
        )
    c = Client()
    with django_assert_max_num_queries(6):
        resp = c.get(reverse("brands_public:list"))
    assert {b.name for b in resp.context["brands"]} == {"企业顾问团", "一员双岗"}
    with django_assert_max_num_queries(8):
        resp = c.get(reverse("brands_public:detail", args=[world.advisory.pk]))
    assert resp.status_code == 200 and resp.context["brand"].record_count == 8
    assert c.get(reverse("brands_public:detail", args=[world.sunflower.pk])).status_code == 404


def test_phone_lockout_applies(world):
    # The core lockout answers before any code is sent: too soon after the last one.
    code_send(phone="13812345678", purpose=f"brands.event:{world.event_obj.pk}")
    resp = _sign_up(Client(), world)
    assert resp.status_code == 422 and resp.context["form"].errors["phone"]


def test_the_public_brand_page_leaves_the_feedback_of_those_served_off(world):
    services.record_create(
        actor=None,
        brand=world.advisory,
        served_on=world.advisory.started_on.replace(year=2020),
        title="上门走访",
        served_text="大港社区居民",
        feedback="王阿姨说：很满意",
        hours=2,
    )
    body = Client().get(reverse("brands_public:detail", args=[world.advisory.pk])).content
    body = body.decode()
    assert "上门走访" in body and "大港社区居民" in body
    assert "王阿姨" not in body
