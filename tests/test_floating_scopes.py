"""Scope matrix for the floating pages: the staff of another community's station, administrators
and secretaries outside the scope get 404 (the object does not exist for them) or 403 (not their
business), change nothing, and find no out-of-scope row in any list or figure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gangwan.core.models import AuditEntry, RoleAssignment
from gangwan.floating.models import Floating, SelfRegistration
from tests import factories as f
from tests.test_floating_placement import FloatingWorld, sichuan_id


@pytest.fixture
def fworld(district):
    return FloatingWorld(district)


OUT = "OUT-OF-SCOPE"


@pytest.fixture
def world(fworld):
    """Everything of 高塘 (新碶街道) is marked OUT for the users of 青峙 / 小港街道."""
    today = timezone.localdate()
    out = fworld.register(
        name=f"{OUT}李红华", certificate_no="C-OUT", days_ago=60, origin_region_name=f"{OUT}四川"
    )
    Floating.objects.filter(pk=out.pk).update(
        placed_on=today - dt.timedelta(days=45), certificate_reviewed_on=None
    )
    inside = fworld.register(
        fworld.qingzhi_station,
        actor=fworld.qingzhi_staff,
        name="周安徽",
        id_number=sichuan_id(dt.date(1983, 8, 8)),
        days_ago=50,
        origin_region_name="安徽省阜阳市",
        home_organization=fworld.qingzhi_regional,
    )
    out_registration = SelfRegistration.objects.create(
        station=fworld.gaotang_station,
        name=f"{OUT}王自助",
        id_number=sichuan_id(dt.date(1990, 1, 1)),
        phone="13700000001",
        origin_organization_name="某党支部",
        origin_region_name="贵州省毕节市",
        arrived_on=today,
        status="pending",
    )
    member_user = f.user("dangyuan")
    m = f.member(fworld.qingzhi_regional, name="本人")
    m.user = member_user
    m.save()
    RoleAssignment.objects.create(user=member_user, role="member")
    users = {
        "station_staff": fworld.qingzhi_staff,
        "street_admin": f.user("xiaogang", role="street_admin", region=fworld.d.xiaogang),
        "secretary": f.user(
            "qingzhi_sec", role="secretary", organization=fworld.d.qingzhi_committee
        ),
        "reviewer": f.user("reviewer", role="reviewer"),
        "member": member_user,
    }
    return {"w": fworld, "out": out, "in": inside, "reg": out_registration, "users": users}


def _urls(world):
    w, out, reg = world["w"], world["out"], world["reg"]
    g = w.gaotang_station
    gets = [
        reverse("floating:detail", args=[out.pk]),
        reverse("floating:station_detail", args=[g.pk]),
        reverse("floating:register") + f"?station={g.pk}",
        reverse("floating:self_registration_detail", args=[reg.pk]),
        reverse("floating:list") + f"?station={g.pk}",
    ]
    today = timezone.localdate().isoformat()
    posts = [
        (reverse("floating:first_activity", args=[out.pk]), {"date": today, "what": "主题党日"}),
        (reverse("floating:certificate_review", args=[out.pk]), {}),
        (reverse("floating:self_registration_accept", args=[reg.pk]), {}),
        (reverse("floating:self_registration_reject", args=[reg.pk]), {"reason": "不符合条件"}),
        (reverse("floating:station_staff_add", args=[g.pk]), {"username": "reviewer"}),
        (
            reverse("floating:register") + f"?station={g.pk}",
            {"name": "某人", "id_number": sichuan_id(dt.date(1991, 1, 1))},
        ),
    ]
    return gets, posts


LISTS = [
    "floating:home",
    "floating:list",
    "floating:follow_up",
    "floating:certificates",
    "floating:self_registrations",
    "floating:stations",
]
ROLES = ["station_staff", "street_admin", "secretary", "reviewer", "member"]


@pytest.mark.parametrize("role", ROLES)
def test_out_of_scope_objects_are_refused_for_every_role(client, world, role):
    client.force_login(world["users"][role])
    gets, posts = _urls(world)
    for url in gets:
        resp = client.get(url)
        if "?station=" in url and url.startswith(reverse("floating:list")):
            assert resp.status_code in (200, 403), (role, url)  # a filter, not an object
        else:
            assert resp.status_code in (403, 404), (role, url, resp.status_code)
        assert OUT not in resp.content.decode(), (role, url)
    before = AuditEntry.objects.count()
    for url, data in posts:
        resp = client.post(url, data)
        assert resp.status_code in (403, 404), (role, url, resp.status_code)
    resp = client.post(
        reverse("floating:station_create"), {"name": "越界站", "region": world["w"].d.gaotang.pk}
    )
    assert resp.status_code in (200, 403), role  # 200: the form refuses a region out of scope
    assert AuditEntry.objects.count() == before
    out = Floating.objects.get(pk=world["out"].pk)
    assert out.home_found_on is None and out.certificate_reviewed_on is None
    assert SelfRegistration.objects.get(pk=world["reg"].pk).status == "pending"


@pytest.mark.parametrize("role", ROLES)
def test_lists_and_figures_hold_no_out_of_scope_rows(client, world, role):
    client.force_login(world["users"][role])
    for name in LISTS:
        resp = client.get(reverse(name))
        assert resp.status_code in (200, 403), (role, name)
        assert OUT not in resp.content.decode(), (role, name)
        assert "高塘" not in resp.content.decode(), (role, name)


@pytest.mark.parametrize("role", ["reviewer", "member"])
def test_roles_without_floating_business_get_403(client, world, role):
    client.force_login(world["users"][role])
    for name in LISTS + ["floating:register", "floating:station_create"]:
        assert client.get(reverse(name)).status_code == 403, (role, name)


def test_secretaries_see_but_do_not_run_stations(client, world):
    client.force_login(world["users"]["secretary"])
    assert "周安徽" in client.get(reverse("floating:list")).content.decode()
    for name in ["floating:register", "floating:self_registrations", "floating:station_create"]:
        assert client.get(reverse(name)).status_code == 403, name


def test_in_scope_rows_are_listed_for_the_station_and_its_street(client, world):
    for role in ("station_staff", "street_admin"):
        client.force_login(world["users"][role])
        page = client.get(reverse("floating:list")).content.decode()
        assert "周安徽" in page, role
        detail = client.get(reverse("floating:detail", args=[world["in"].pk]))
        assert detail.status_code == 200 and detail.context["can_follow_up"], role


def test_the_home_organizations_secretary_records_the_first_life(client, world):
    w = world["w"]
    sec = f.user("gaotang_sec", role="secretary", organization=w.d.gaotang_committee)
    client.force_login(sec)
    resp = client.post(
        reverse("floating:first_activity", args=[world["out"].pk]),
        {"date": timezone.localdate().isoformat(), "what": "支部党员大会"},
    )
    assert resp.status_code == 302
    assert Floating.objects.get(pk=world["out"].pk).home_found_on == timezone.localdate()


def test_a_street_admin_opens_stations_only_in_its_street(client, world):
    w = world["w"]
    client.force_login(world["users"]["street_admin"])
    form = client.get(reverse("floating:station_create")).context["form"]
    assert w.d.gaotang not in form.fields["region"].queryset
    resp = client.post(
        reverse("floating:station_create"), {"name": "越界站", "region": w.d.gaotang.pk}
    )
    assert resp.status_code == 200 and "region" in resp.context["form"].errors
    resp = client.post(
        reverse("floating:station_create"),
        {"name": "向家村流动党员服务站", "region": w.xiangjia.pk},
    )
    assert resp.status_code == 302
    assert AuditEntry.objects.filter(action="floating.station.create").count() == 1


def test_an_admin_names_station_staff(client, world):
    w = world["w"]
    newcomer = f.user("new_staff")
    client.force_login(world["users"]["street_admin"])
    resp = client.post(
        reverse("floating:station_staff_add", args=[w.qingzhi_station.pk]),
        {"username": "new_staff"},
    )
    assert resp.status_code == 302
    assert RoleAssignment.objects.filter(user=newcomer, role="station_staff", region=w.d.qingzhi)
    client.force_login(newcomer)
    assert client.get(reverse("floating:follow_up")).status_code == 200


def test_anonymous_users_are_sent_to_login(client, world):
    for name in LISTS + ["floating:register"]:
        resp = client.get(reverse(name))
        assert resp.status_code == 302 and resp.url.startswith(reverse("login"))
