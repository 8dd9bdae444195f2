"""Members in the JSON API (/api/v1/members): cut to the caller's scope like the back office,
personal data masked, written through the same services and rules.

北仑区: 新碶街道 (高塘社区 with 高塘五金党支部) and 小港街道 (青峙社区 with 青峙化工党支部); next
door 镇海区, which nobody in 北仑 sees."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gangwan.core.models import AuditEntry, RoleAssignment
from gangwan.core.tokens import api_token_create
from gangwan.members.models import Member
from tests import factories as f

ROLES = ("district_admin", "street_admin", "secretary", "reviewer", "member")


class Api:
    def __init__(self, raw: str | None = None):
        self.client = Client()
        self.headers = {"Accept-Language": "en"}
        if raw:
            self.headers["Authorization"] = f"Bearer {raw}"

    def get(self, path, params=None):
        return self.client.get(f"/api/v1/members{path}", params or {}, headers=self.headers)

    def send(self, method, path, data):
        return getattr(self.client, method)(
            f"/api/v1/members{path}",
            json.dumps(data, default=str),
            content_type="application/json",
            headers=self.headers,
        )

    def post(self, path, data):
        return self.send("post", path, data)

    def patch(self, path, data):
        return self.send("patch", path, data)


class World:
    def __init__(self, d):
        self.d = d
        self.gaotang_unit = f.unit(d.gaotang, "宁波高塘五金有限公司")
        self.qingzhi_unit = f.unit(d.qingzhi, "宁波青峙化工有限公司")
        self.gaotang_branch = f.organization(
            "高塘五金党支部", "branch", d.gaotang, d.gaotang_committee, units=[self.gaotang_unit]
        )
        self.qingzhi_branch = f.organization(
            "青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee, units=[self.qingzhi_unit]
        )
        self.wang = f.member(
            self.gaotang_branch, "王海", unit=self.gaotang_unit, phone="13912345678"
        )
        self.chen = f.member(d.dagang_regional, "陈大港", is_floating=True, on_call=True)
        self.li = f.member(self.qingzhi_branch, "李青峙", unit=self.qingzhi_unit)
        zhenhai = f.district("镇海区")
        self.zhenhai_committee = f.organization("中共镇海区委", "committee", zhenhai)
        self.zhou = f.member(self.zhenhai_committee, "周镇海")
        member_user = f.user("dangyuan")
        self.wang.user = member_user
        self.wang.save()
        RoleAssignment.objects.create(user=member_user, role="member")
        self.users = {
            "district_admin": f.user("beilun", "district_admin", region=d.district),
            "street_admin": f.user("xinqi", "street_admin", region=d.xinqi),
            "secretary": f.user("gaotang", "secretary", organization=d.gaotang_committee),
            "reviewer": f.user("pingshen", "reviewer"),
            "member": member_user,
        }
        self.tokens = {
            r: api_token_create(actor=u, user=u, name="手机")[1] for r, u in self.users.items()
        }

    def api(self, role: str) -> Api:
        return Api(self.tokens[role])


@pytest.fixture
def world(district):
    return World(district)


def names(resp) -> set[str]:
    assert resp.status_code == 200, resp.content
    return {row["name"] for row in resp.json()["items"]}


SEEN = {
    "district_admin": ({"王海", "陈大港", "李青峙"}, {"周镇海"}),
    "street_admin": ({"王海", "陈大港"}, {"李青峙", "周镇海"}),
    "secretary": ({"王海"}, {"陈大港", "李青峙", "周镇海"}),
}


@pytest.mark.parametrize("role", SEEN)
def test_the_list_is_cut_to_the_scope(world, role):
    seen, hidden = SEEN[role]
    got = names(world.api(role).get(""))
    assert seen <= got and not (hidden & got)


@pytest.mark.parametrize("role", ["reviewer", "member"])
def test_roles_without_structure_access_get_403(world, role):
    api = world.api(role)
    assert api.get("").status_code == 403
    assert api.get(f"/{world.wang.pk}").status_code == 403
    assert api.get("/inactive").status_code == 403
    assert api.patch(f"/{world.wang.pk}", {"post": "x"}).status_code == 403
    assert api.post(f"/{world.wang.pk}/archive", {"reason": "quit"}).status_code == 403
    assert (
        api.post(
            "", {"name": "x", "id_number": f.id_number(), "organization": world.gaotang_branch.pk}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("get", "/1"),
        ("post", ""),
        ("patch", "/1"),
        ("post", "/1/archive"),
        ("get", "/inactive"),
    ],
)
def test_anonymous_gets_401(world, method, path):
    api = Api()
    resp = api.get(path) if method == "get" else getattr(api, method)(path, {})
    assert resp.status_code == 401


def test_search_and_filters(world):
    api = world.api("district_admin")
    assert names(api.get("", {"q": "5678"})) == {"王海"}
    assert names(api.get("", {"q": world.wang.id_number[-4:]})) == {"王海"}
    assert names(api.get("", {"q": "五金"})) == {"王海"}
    assert names(api.get("", {"q": world.li.id_number})) == {"李青峙"}
    assert names(api.get("", {"floating": True})) == {"陈大港"}
    assert names(api.get("", {"on_call": True})) == {"陈大港"}
    assert names(api.get("", {"organization": world.d.xinqi_wc.pk})) == {"王海", "陈大港"}
    assert names(world.api("secretary").get("", {"organization": world.qingzhi_branch.pk})) == set()
    body = api.get("", {"limit": 1}).json()
    assert body["count"] == 3 and len(body["items"]) == 1


def test_detail_is_masked_and_out_of_scope_is_404(world):
    body = world.api("secretary").get(f"/{world.wang.pk}").json()
    assert body["id_number"] == world.wang.id_number_masked and body["phone"] == "139****5678"
    assert (
        body["organization"]["name"] == "高塘五金党支部"
        and body["unit"]["name"] == "宁波高塘五金有限公司"
    )
    for role, other in (
        ("secretary", world.li),
        ("street_admin", world.li),
        ("district_admin", world.zhou),
    ):
        api = world.api(role)
        assert api.get(f"/{other.pk}").status_code == 404
        assert api.patch(f"/{other.pk}", {"post": "改"}).status_code == 404
        assert api.post(f"/{other.pk}/archive", {"reason": "quit"}).status_code == 404
    assert world.api("district_admin").get("/999999").status_code == 404


def test_register_a_member(world):
    api = world.api("secretary")
    number = f.id_number(dt.date(1990, 3, 8), "female")
    resp = api.post(
        "",
        {
            "name": "陈静",
            "id_number": number,
            "phone": "13700001111",
            "status": "probationary",
            "joined_on": "2026-01-10",
            "education": "bachelor",
            "organization": world.gaotang_branch.pk,
            "unit": world.gaotang_unit.pk,
            "skills": ["会计", "急救"],
            "on_call": True,
            "on_call_hours": "晚上",
            "community_post": "网格员",
        },
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["full_due_on"] == "2027-01-10" and body["skills"] == ["会计", "急救"]
    assert (
        body["id_number"] != number and body["home_organization"]["id"] == world.gaotang_branch.pk
    )
    assert AuditEntry.objects.filter(action="member.create", object_id=str(body["id"])).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"organization": "qingzhi_branch"}, "No organization"),
        ({"unit": "qingzhi_unit"}, "No unit"),
        ({"id_number": "330206198506011235"}, "check character"),
        ({"id_number": "wang"}, "already registered"),
        ({"organization": "temporary", "status": "probationary", "joined_on": "2026-01-05"}, "R4"),
    ],
)
def test_registration_refusals_are_422(world, change, message):
    world.temporary = f.organization(
        "突击队临时党支部", "temporary_branch", world.d.gaotang, world.d.gaotang_committee
    )
    payload = {"name": "陈静", "id_number": f.id_number(), "organization": world.gaotang_branch.pk}
    for key, value in change.items():
        if value in ("qingzhi_branch", "qingzhi_unit", "temporary"):
            value = getattr(world, value).pk
        if value == "wang":
            value = world.wang.id_number
        payload[key] = value
    before = Member.objects.count()
    resp = world.api("secretary").post("", payload)
    assert resp.status_code == 422, resp.content
    assert any(message in m for m in resp.json()["detail"]), resp.json()
    assert Member.objects.count() == before


def test_update_and_archive(world):
    api = world.api("secretary")
    resp = api.patch(
        f"/{world.wang.pk}", {"post": "车间主任", "skills": ["电工"], "on_call": True, "unit": None}
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert (body["post"], body["skills"], body["on_call"], body["unit"]) == (
        "车间主任",
        ["电工"],
        True,
        None,
    )
    f.office(world.gaotang_branch, world.wang)
    resp = api.post(f"/{world.wang.pk}/archive", {"reason": "transferred_out", "note": "转往上海"})
    assert resp.status_code == 422 and "office" in resp.json()["detail"][0]
    other = f.member(world.gaotang_branch, "赵六")
    resp = api.post(f"/{other.pk}/archive", {"reason": "deceased", "archived_on": "2026-03-02"})
    assert resp.status_code == 200 and resp.json()["archive_reason"] == "deceased"
    assert api.patch(f"/{other.pk}", {"post": "x"}).status_code == 422
    assert "赵六" not in names(api.get("")) and "赵六" in names(api.get("", {"archived": True}))


def test_the_relationship_is_not_changed_by_patch(world):
    api = world.api("district_admin")
    resp = api.patch(f"/{world.wang.pk}", {"organization": world.qingzhi_branch.pk})
    assert resp.status_code == 200
    assert Member.objects.get(pk=world.wang.pk).organization == world.gaotang_branch


def test_inactive_members_are_cut_to_the_scope(world):
    Member.objects.update(joined_on=dt.date(1990, 7, 1))
    got = names(world.api("secretary").get("/inactive"))
    assert got == {"王海"}
    body = world.api("street_admin").get("/inactive", {"level": "escalate"}).json()
    assert {r["name"] for r in body["items"]} == {"王海", "陈大港"}
    assert {r["life_level"] for r in body["items"]} == {"escalate"}


@pytest.mark.parametrize("path", ["", "/inactive"])
def test_list_queries_do_not_grow_with_rows(world, django_assert_max_num_queries, path):
    api = world.api("street_admin")
    api.get("/1")  # the token's last_used_at is written once; measure afterwards

    def grow(n):
        for _ in range(n):
            u = f.unit(world.d.gaotang)
            f.member(
                world.gaotang_branch,
                unit=u,
                home_organization=world.d.gaotang_committee,
                joined_on=dt.date(1990, 7, 1),
            )

    grow(2)
    with CaptureQueriesContext(connection) as few:
        assert api.get(path).status_code == 200
    grow(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(path).status_code == 200
