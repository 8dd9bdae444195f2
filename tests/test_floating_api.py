"""/api/v1/floating: stations, floating members, counter registration, portal registrations and
figures, each cut to the caller's scope as the back office is."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gangwan.core.models import AuditEntry, RoleAssignment
from gangwan.core.tokens import api_token_create
from gangwan.floating.models import Floating, SelfRegistration
from tests import factories as f
from tests.test_api import Api
from tests.test_floating_placement import FloatingWorld, sichuan_id


@pytest.fixture
def fworld(district):
    return FloatingWorld(district)


@pytest.fixture
def world(fworld):
    today = timezone.localdate()
    fworld.gaotang_member = fworld.register(name="李红华", certificate_no="C-1", days_ago=40)
    fworld.qingzhi_member = fworld.register(
        fworld.qingzhi_station,
        actor=fworld.qingzhi_staff,
        name="周安徽",
        id_number=sichuan_id(dt.date(1983, 8, 8)),
        home_organization=fworld.qingzhi_regional,
    )
    fworld.pending = SelfRegistration.objects.create(
        station=fworld.gaotang_station,
        name="王自助",
        id_number=sichuan_id(dt.date(1990, 1, 1)),
        phone="13700000001",
        origin_organization_name="中共毕节市七星关区某支部",
        origin_region_name="贵州省毕节市",
        arrived_on=today - dt.timedelta(days=3),
        skills="厨师",
        status="pending",
    )
    member_user = f.user("dangyuan")
    RoleAssignment.objects.create(user=member_user, role="member")
    fworld.users = {
        "gaotang_staff": fworld.gaotang_staff,
        "qingzhi_staff": fworld.qingzhi_staff,
        "district_admin": f.user("beilun", role="district_admin", region=fworld.d.district),
        "xiaogang_admin": f.user("xiaogang", role="street_admin", region=fworld.d.xiaogang),
        "gaotang_secretary": f.user(
            "gaotang_sec", role="secretary", organization=fworld.d.gaotang_committee
        ),
        "reviewer": f.user("reviewer", role="reviewer"),
        "member": member_user,
    }
    fworld.tokens = {
        k: api_token_create(actor=u, user=u, name="手机")[1] for k, u in fworld.users.items()
    }
    return fworld


def api(world, who) -> Api:
    return Api(world.tokens[who])


def names(resp) -> set[str]:
    assert resp.status_code == 200, resp.content
    return {row["member"]["name"] for row in resp.json()["items"]}


SEEN = {
    "gaotang_staff": {"李红华"},
    "qingzhi_staff": {"周安徽"},
    "district_admin": {"李红华", "周安徽"},
    "xiaogang_admin": {"周安徽"},
    "gaotang_secretary": {"李红华"},
}


@pytest.mark.parametrize("who", list(SEEN))
def test_each_role_lists_its_own_floating_members(world, who):
    assert names(api(world, who).get("/floating/members")) == SEEN[who]


@pytest.mark.parametrize("who", ["reviewer", "member"])
def test_roles_without_floating_business_get_403(world, who):
    a = api(world, who)
    for path in ("/floating/members", "/floating/stations", "/floating/figures"):
        assert a.get(path).status_code == 403, path
    assert a.get("/floating/self-registrations").status_code == 403


def test_details_outside_the_scope_do_not_exist(world):
    a = api(world, "qingzhi_staff")
    assert a.get(f"/floating/members/{world.gaotang_member.pk}").status_code == 404
    assert a.get(f"/floating/stations/{world.gaotang_station.pk}").status_code == 404
    ok = a.get(f"/floating/members/{world.qingzhi_member.pk}")
    assert ok.status_code == 200
    body = ok.json()
    assert (
        body["member"]["id_number_masked"].startswith("9951")
        and "*" in body["member"]["id_number_masked"]
    )
    assert body["home_organization"]["name"] == "青峙社区区域综合党支部"
    station = api(world, "gaotang_staff").get(f"/floating/stations/{world.gaotang_station.pk}")
    assert station.status_code == 200
    assert station.json()["placement_default"]["name"] == "高塘社区区域综合党支部"
    assert station.json()["staff"] == ["station_gaotang"]


def _payload(world, **kw):
    today = timezone.localdate()
    data = {
        "station": world.gaotang_station.pk,
        "name": "赵江西",
        "id_number": sichuan_id(dt.date(1988, 8, 1)),
        "phone": "13912345678",
        "origin_organization_name": "中共南昌市某支部",
        "origin_region_name": "江西省南昌市",
        "arrived_on": (today - dt.timedelta(days=2)).isoformat(),
        "skills": "水电维修、驾驶",
        "on_call": True,
        "on_call_hours": "周末",
    }
    data.update(kw)
    return data


def test_the_station_registers_at_the_counter_through_the_api(world):
    resp = api(world, "gaotang_staff").post("/floating/members", _payload(world))
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["station"]["name"] == "高塘社区流动党员服务站"
    assert body["home_organization"]["name"] == "高塘社区区域综合党支部"
    member = Floating.objects.get(pk=body["id"]).member
    assert member.is_floating and member.skills and member.on_call


def test_counter_registration_is_refused_outside_ones_stations(world):
    before = AuditEntry.objects.count()
    assert api(world, "qingzhi_staff").post("/floating/members", _payload(world)).status_code == 404
    assert (
        api(world, "gaotang_secretary").post("/floating/members", _payload(world)).status_code
        == 403
    )
    bad = api(world, "gaotang_staff").post(
        "/floating/members", _payload(world, home_organization=world.floating_branch.pk)
    )
    assert bad.status_code == 422 and "home_organization" in bad.json()["detail"][0]
    bad = api(world, "gaotang_staff").post(
        "/floating/members", _payload(world, id_number="510000198808010000")
    )
    assert bad.status_code == 422
    assert AuditEntry.objects.count() == before


def test_first_activity_and_certificate_review_through_the_api(world):
    a = api(world, "gaotang_staff")
    day = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    path = f"/floating/members/{world.gaotang_member.pk}"
    resp = a.post(f"{path}/first-activity", {"date": day, "what": "主题党日"})
    assert resp.status_code == 200 and resp.json()["days_to_home"] == 39
    assert a.post(f"{path}/first-activity", {"date": day, "what": "again"}).status_code == 422
    assert a.post(f"{path}/certificate-review", {}).status_code == 200
    other = api(world, "qingzhi_staff")
    assert other.post(f"{path}/certificate-review", {}).status_code == 404


def test_portal_registrations_are_accepted_or_rejected_by_their_station(world):
    pk = world.pending.pk
    listed = api(world, "gaotang_staff").get("/floating/self-registrations")
    assert [r["name"] for r in listed.json()["items"]] == ["王自助"]
    assert listed.json()["items"][0]["phone_masked"] == "137****0001"
    assert api(world, "qingzhi_staff").get("/floating/self-registrations").json()["count"] == 0
    refused = api(world, "qingzhi_staff").post(f"/floating/self-registrations/{pk}/accept", {})
    assert refused.status_code == 404
    ok = api(world, "gaotang_staff").post(f"/floating/self-registrations/{pk}/accept", {})
    assert ok.status_code == 201, ok.content
    assert ok.json()["registered_via"] == "self_service"
    again = api(world, "gaotang_staff").post(
        f"/floating/self-registrations/{pk}/reject", {"reason": "重复提交"}
    )
    assert again.status_code == 422


def test_a_rejection_needs_a_reason(world):
    pk = world.pending.pk
    a = api(world, "district_admin")
    assert a.post(f"/floating/self-registrations/{pk}/reject", {"reason": ""}).status_code == 422
    resp = a.post(f"/floating/self-registrations/{pk}/reject", {"reason": "不是党员，请联系社区"})
    assert resp.status_code == 200 and resp.json()["status"] == "rejected"


def test_figures_are_cut_to_the_scope(world):
    Floating.objects.filter(pk=world.gaotang_member.pk).update(
        home_found_on=world.gaotang_member.arrived_on + dt.timedelta(days=30)
    )
    mine = api(world, "gaotang_staff").get("/floating/figures").json()
    assert mine["total"] == 1 and mine["median_days_to_home"] == 30
    assert [r["station"] for r in mine["by_station"]] == ["高塘社区流动党员服务站"]
    everything = api(world, "district_admin").get("/floating/figures").json()
    assert everything["total"] == 2
    assert {r["street"] for r in everything["by_street"]} == {"新碶街道", "小港街道"}


def test_the_list_endpoint_keeps_its_query_count(world):
    a = api(world, "district_admin")
    a.get("/floating/members")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as q:
        assert a.get("/floating/members").status_code == 200
    few = len(q)
    for i in range(8):
        world.register(name=f"成员{i}", id_number=sichuan_id(dt.date(1976, 1, 1 + i)))
    with CaptureQueriesContext(connection) as q:
        assert a.get("/floating/members").json()["count"] == 10
    assert len(q) == few


def test_no_credentials_get_401(world):
    assert Api().get("/floating/members").status_code == 401


OUTSIDERS = ["qingzhi_staff", "xiaogang_admin", "reviewer", "member"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_every_endpoint_refuses_objects_outside_the_scope(world, who):
    a = api(world, who)
    g, fl, reg = world.gaotang_station.pk, world.gaotang_member.pk, world.pending.pk
    day = timezone.localdate().isoformat()
    before = AuditEntry.objects.count()
    for path in (f"/floating/stations/{g}", f"/floating/members/{fl}"):
        assert a.get(path).status_code in (403, 404), path
    writes = [
        ("/floating/members", _payload(world)),
        (f"/floating/members/{fl}/first-activity", {"date": day, "what": "主题党日"}),
        (f"/floating/members/{fl}/certificate-review", {}),
        (f"/floating/self-registrations/{reg}/accept", {}),
        (f"/floating/self-registrations/{reg}/reject", {"reason": "越权拒绝"}),
    ]
    for path, body in writes:
        assert a.post(path, body).status_code in (403, 404), path
    assert AuditEntry.objects.count() == before
    listed = a.get("/floating/stations")
    if listed.status_code == 200:
        assert "高塘社区流动党员服务站" not in {s["name"] for s in listed.json()["items"]}
        assert "李红华" not in names(a.get("/floating/members"))
        assert a.get("/floating/figures").json()["total"] <= 1
        assert a.get("/floating/self-registrations").json()["count"] == 0
