"""The JSON API (/api/v1/): tokens, scopes, rules and refusals, as the back office has them.

The story: 北仑区 with 新碶街道 (高塘社区, 大港社区) and 小港街道 (青峙社区), and next door 镇海区,
which nobody in 北仑 may see. Each role calls the API with its own token.
"""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gangwan.core.models import ApiToken, AuditEntry, RoleAssignment
from gangwan.core.tokens import api_token_authenticate, api_token_create, api_token_revoke
from gangwan.organizations.models import Organization, OrganizationUnit
from gangwan.regions.models import Region
from gangwan.units.models import Unit
from tests import factories as f

ROLES = ("district_admin", "street_admin", "secretary", "reviewer", "member")


class Api:
    """A client speaking JSON to /api/v1/ with a bearer token (or a session, or nothing)."""

    def __init__(self, raw: str | None = None, client: Client | None = None):
        self.client = client or Client()
        self.headers = {"Accept-Language": "en"}
        if raw:
            self.headers["Authorization"] = f"Bearer {raw}"

    def get(self, path, params=None):
        return self.client.get(f"/api/v1{path}", params or {}, headers=self.headers)

    def post(self, path, data, **headers):
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(data),
            content_type="application/json",
            headers={**self.headers, **headers},
        )

    def patch(self, path, data):
        return self.client.patch(
            f"/api/v1{path}",
            json.dumps(data),
            content_type="application/json",
            headers=self.headers,
        )


class World:
    """The conftest district plus units, branches, members, a neighbouring district and one user per role."""

    def __init__(self, d):
        self.d = d
        self.gaotang_unit = f.unit(d.gaotang, "宁波高塘五金有限公司")
        self.dagang_unit = f.unit(d.dagang, "宁波大港模具有限公司")
        self.qingzhi_unit = f.unit(d.qingzhi, "宁波青峙化工有限公司")
        self.gaotang_branch = f.organization(
            "高塘五金党支部", "branch", d.gaotang, d.gaotang_committee, units=[self.gaotang_unit]
        )
        self.qingzhi_branch = f.organization(
            "青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee, units=[self.qingzhi_unit]
        )
        self.secretary_member = f.member(self.gaotang_branch, "王海", unit=self.gaotang_unit)
        f.office(self.gaotang_branch, self.secretary_member)
        f.member(self.gaotang_branch, unit=self.gaotang_unit)
        f.member(self.gaotang_branch, unit=self.gaotang_unit, status="probationary")

        self.zhenhai = f.district("镇海区")
        self.zhaobaoshan = f.street(self.zhenhai, "招宝山街道")
        self.zhenhai_unit = f.unit(self.zhaobaoshan, "镇海炼化配套公司")
        self.zhenhai_committee = f.organization(
            "中共镇海区委", "committee", self.zhenhai, units=[self.zhenhai_unit]
        )

        member_user = f.user("dangyuan")
        self.secretary_member.user = member_user
        self.secretary_member.save()
        self.users = {
            "district_admin": f.user("beilun", "district_admin", region=d.district),
            "street_admin": f.user("xinqi", "street_admin", region=d.xinqi),
            "secretary": f.user("gaotang", "secretary", organization=d.gaotang_committee),
            "reviewer": f.user("pingshen", "reviewer"),
            "member": member_user,
        }
        RoleAssignment.objects.create(user=member_user, role="member")
        self.tokens = {
            role: api_token_create(actor=u, user=u, name="手机")[1]
            for role, u in self.users.items()
        }

    def api(self, role: str) -> Api:
        return Api(self.tokens[role])


@pytest.fixture
def world(district):
    return World(district)


def names(resp) -> set[str]:
    assert resp.status_code == 200, resp.content
    return {row["name"] for row in resp.json()["items"]}


# --- who sees what -------------------------------------------------------------------------------
# role → (visible, hidden) names, for each list.
REGIONS_SEEN = {
    "district_admin": (
        {"北仑区", "新碶街道", "小港街道", "高塘社区", "大港社区", "青峙社区"},
        {"镇海区", "招宝山街道"},
    ),
    "street_admin": (
        {"新碶街道", "高塘社区", "大港社区"},
        {"北仑区", "小港街道", "青峙社区", "镇海区"},
    ),
    "secretary": ({"高塘社区"}, {"北仑区", "新碶街道", "大港社区", "青峙社区", "镇海区"}),
}
UNITS_SEEN = {
    "district_admin": (
        {"宁波高塘五金有限公司", "宁波大港模具有限公司", "宁波青峙化工有限公司"},
        {"镇海炼化配套公司"},
    ),
    "street_admin": (
        {"宁波高塘五金有限公司", "宁波大港模具有限公司"},
        {"宁波青峙化工有限公司", "镇海炼化配套公司"},
    ),
    "secretary": (
        {"宁波高塘五金有限公司"},
        {"宁波大港模具有限公司", "宁波青峙化工有限公司", "镇海炼化配套公司"},
    ),
}
ORGANIZATIONS_SEEN = {
    "district_admin": (
        {
            "中共北仑区委",
            "新碶街道党工委",
            "小港街道党工委",
            "高塘社区党委",
            "大港社区区域综合党支部",
            "青峙社区党委",
            "高塘五金党支部",
            "青峙化工党支部",
        },
        {"中共镇海区委"},
    ),
    "street_admin": (
        {"新碶街道党工委", "高塘社区党委", "大港社区区域综合党支部", "高塘五金党支部"},
        {"中共北仑区委", "小港街道党工委", "青峙社区党委", "青峙化工党支部", "中共镇海区委"},
    ),
    "secretary": (
        {"高塘社区党委", "高塘五金党支部"},
        {
            "中共北仑区委",
            "新碶街道党工委",
            "大港社区区域综合党支部",
            "青峙化工党支部",
            "中共镇海区委",
        },
    ),
}


@pytest.mark.parametrize("role", REGIONS_SEEN)
def test_region_list_is_cut_to_the_scope(world, role):
    visible, hidden = REGIONS_SEEN[role]
    resp = world.api(role).get("/regions")
    assert names(resp) == visible and not names(resp) & hidden
    assert resp.json()["count"] == len(visible)


@pytest.mark.parametrize("role", UNITS_SEEN)
def test_unit_list_is_cut_to_the_scope(world, role):
    visible, hidden = UNITS_SEEN[role]
    resp = world.api(role).get("/units")
    assert names(resp) == visible and not names(resp) & hidden


@pytest.mark.parametrize("role", ORGANIZATIONS_SEEN)
def test_organization_list_is_cut_to_the_scope(world, role):
    visible, hidden = ORGANIZATIONS_SEEN[role]
    resp = world.api(role).get("/organizations")
    assert names(resp) == visible and not names(resp) & hidden


@pytest.mark.parametrize("role", ["district_admin", "street_admin", "secretary"])
def test_filters_cannot_reach_out_of_the_scope(world, role):
    api = world.api(role)
    assert names(api.get("/units", {"region": world.zhenhai.pk})) == set()
    assert names(api.get("/organizations", {"region": world.zhenhai.pk})) == set()
    assert names(api.get("/regions", {"parent": world.zhenhai.pk})) == set()


def _out_of_scope(world, role):
    """For each kind of object, one the role cannot see."""
    d = world.d
    return {
        "district_admin": {
            "regions": world.zhaobaoshan,
            "units": world.zhenhai_unit,
            "organizations": world.zhenhai_committee,
        },
        "street_admin": {
            "regions": d.qingzhi,
            "units": world.qingzhi_unit,
            "organizations": world.qingzhi_branch,
        },
        "secretary": {
            "regions": d.dagang,
            "units": world.dagang_unit,
            "organizations": d.dagang_regional,
        },
    }[role]


@pytest.mark.parametrize("role", ["district_admin", "street_admin", "secretary"])
@pytest.mark.parametrize("kind", ["regions", "units", "organizations"])
def test_out_of_scope_detail_and_update_give_404(world, role, kind):
    obj = _out_of_scope(world, role)[kind]
    api = world.api(role)
    assert api.get(f"/{kind}/{obj.pk}").status_code == 404
    assert api.patch(f"/{kind}/{obj.pk}", {"name": "改名"}).status_code == 404
    obj.refresh_from_db()
    assert obj.name != "改名"
    assert api.get(f"/{kind}/999999").status_code == 404


@pytest.mark.parametrize("role", ["reviewer", "member"])
def test_roles_without_structure_access_get_403(world, role):
    api = world.api(role)
    d = world.d
    for kind, obj in (
        ("regions", d.gaotang),
        ("units", world.gaotang_unit),
        ("organizations", world.gaotang_branch),
    ):
        assert api.get(f"/{kind}").status_code == 403
        assert api.get(f"/{kind}/{obj.pk}").status_code == 403
        assert api.patch(f"/{kind}/{obj.pk}", {"name": "改名"}).status_code == 403
    assert (
        api.post(
            "/regions",
            {"parent": d.xinqi.pk, "name": "新社区", "level": "community", "kind": "residential"},
        ).status_code
        == 403
    )
    assert (
        api.post(
            "/units", {"name": "新单位", "kind": "private_enterprise", "region": d.gaotang.pk}
        ).status_code
        == 403
    )
    assert (
        api.post(
            "/organizations",
            {
                "name": "新支部",
                "kind": "branch",
                "region": d.gaotang.pk,
                "parent": d.gaotang_committee.pk,
            },
        ).status_code
        == 403
    )
    me = api.get("/me").json()
    assert me["roles"] == [role] and me["structure_access"] is False


@pytest.mark.parametrize("role", ROLES)
def test_every_role_authenticates_with_its_token(world, role):
    me = world.api(role).get("/me").json()
    assert me["username"] == world.users[role].username and role in me["roles"]
    assert me["structure_access"] is (role in ("district_admin", "street_admin", "secretary"))


# --- authentication ------------------------------------------------------------------------------
ENDPOINTS = [
    ("get", "/regions"),
    ("get", "/regions/1"),
    ("post", "/regions"),
    ("patch", "/regions/1"),
    ("get", "/units"),
    ("get", "/units/1"),
    ("post", "/units"),
    ("patch", "/units/1"),
    ("get", "/organizations"),
    ("get", "/organizations/1"),
    ("post", "/organizations"),
    ("patch", "/organizations/1"),
    ("get", "/me"),
]


def _call(api, method, path):
    return api.get(path) if method == "get" else getattr(api, method)(path, {})


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_gets_401(world, method, path):
    assert _call(Api(), method, path).status_code == 401
    # Same without CSRF leniency: no credentials is 401, not a CSRF 403.
    assert _call(Api(client=Client(enforce_csrf_checks=True)), method, path).status_code == 401


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_revoked_token_gets_401(world, method, path):
    user = world.users["district_admin"]
    token = ApiToken.objects.get(user=user)
    api_token_revoke(actor=user, token=token)
    assert _call(world.api("district_admin"), method, path).status_code == 401


@pytest.mark.parametrize("header", ["Bearer nonsense", "Token {raw}", "Basic {raw}", "Bearer"])
def test_wrong_or_malformed_tokens_get_401(world, header):
    raw = world.tokens["district_admin"]
    resp = Client().get("/api/v1/regions", headers={"Authorization": header.format(raw=raw)})
    assert resp.status_code == 401


def test_token_of_a_deactivated_user_is_refused(world):
    user = world.users["street_admin"]
    user.is_active = False
    user.save()
    assert world.api("street_admin").get("/regions").status_code == 401


def test_session_works_and_csrf_is_enforced_on_writes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["street_admin"])
    api = Api(client=client)
    assert names(api.get("/regions")) == REGIONS_SEEN["street_admin"][0]
    data = {
        "parent": world.d.xinqi.pk,
        "name": "五星社区",
        "level": "community",
        "kind": "residential",
    }

    refused = api.post("/regions", data)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    patched = api.patch(f"/regions/{world.d.gaotang.pk}", {"residents": 5})
    assert patched.status_code == 403
    assert not Region.objects.filter(name="五星社区").exists()

    secret = "k" * 32
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    resp = api.post("/regions", data, **{"X-CSRFToken": secret})
    assert resp.status_code == 201, resp.content
    assert AuditEntry.objects.filter(
        action="region.create", object_id=str(resp.json()["id"]), actor=world.users["street_admin"]
    ).exists()


def test_a_bearer_token_needs_no_csrf_token(world):
    api = Api(world.tokens["street_admin"], client=Client(enforce_csrf_checks=True))
    resp = api.post(
        "/regions",
        {
            "parent": world.d.xinqi.pk,
            "name": "五星社区",
            "level": "community",
            "kind": "residential",
        },
    )
    assert resp.status_code == 201, resp.content


# --- tokens --------------------------------------------------------------------------------------
def test_a_token_is_stored_as_a_hash_and_shown_once(world):
    user = world.users["street_admin"]
    token, raw = api_token_create(actor=user, user=user, name="巡查手机")
    assert len(raw) >= 40 and token.prefix == raw[:8]
    assert token.key_hash != raw and raw not in token.key_hash
    entry = AuditEntry.objects.get(action="api_token.create", object_id=str(token.pk))
    assert raw not in json.dumps([entry.before, entry.after, entry.object_repr], ensure_ascii=False)
    assert api_token_authenticate(raw) == user
    assert api_token_authenticate(raw[:-1]) is None


def test_only_the_owner_or_a_superuser_makes_and_revokes_tokens(world):
    from django.core.exceptions import PermissionDenied

    owner, other = world.users["street_admin"], world.users["secretary"]
    with pytest.raises(PermissionDenied):
        api_token_create(actor=other, user=owner, name="x")
    token = ApiToken.objects.get(user=owner)
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=other, token=token)
    root = f.user("root", is_superuser=True)
    api_token_revoke(actor=root, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert (
        AuditEntry.objects.filter(
            action="api_token.revoke", object_id=str(token.pk), actor=root
        ).count()
        == 1
    )
    api_token_revoke(actor=owner, token=token)  # revoking again changes nothing
    assert (
        AuditEntry.objects.filter(action="api_token.revoke", object_id=str(token.pk)).count() == 1
    )


def test_last_used_is_written_at_most_once_a_minute(world):
    raw = world.tokens["street_admin"]
    token = ApiToken.objects.get(user=world.users["street_admin"])
    assert token.last_used_at is None
    world.api("street_admin").get("/me")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api_token_authenticate(raw)
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - dt.timedelta(minutes=2)
    )
    api_token_authenticate(raw)
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < dt.timedelta(seconds=10)


# --- regions -------------------------------------------------------------------------------------
def test_region_list_filters_and_pages(world):
    api = world.api("district_admin")
    assert names(api.get("/regions", {"parent": world.d.xinqi.pk})) == {"高塘社区", "大港社区"}
    assert names(api.get("/regions", {"level": "street"})) == {"新碶街道", "小港街道"}
    assert names(api.get("/regions", {"q": "青峙"})) == {"青峙社区"}
    page = api.get("/regions", {"limit": 2, "offset": 2}).json()
    assert page["count"] == 6 and len(page["items"]) == 2
    assert api.get("/regions", {"level": "galaxy"}).status_code == 422
    assert api.get("/regions", {"limit": 0}).status_code == 422


def test_region_detail(world):
    body = world.api("street_admin").get(f"/regions/{world.d.dagang.pk}").json()
    assert body["name"] == "大港社区" and body["kind"] == "industrial_community"
    assert body["parent_id"] == world.d.xinqi.pk and body["level"] == "community"


def test_street_admin_adds_a_community_to_its_street(world):
    resp = world.api("street_admin").post(
        "/regions",
        {
            "parent": world.d.xinqi.pk,
            "name": "五星社区",
            "level": "community",
            "kind": "residential",
            "residents": 3200,
            "newcomers": 800,
        },
    )
    assert resp.status_code == 201, resp.content
    region = Region.objects.get(pk=resp.json()["id"])
    assert region.parent == world.d.xinqi and region.residents == 3200
    assert AuditEntry.objects.filter(action="region.create", object_id=str(region.pk)).exists()


def test_street_admin_cannot_create_a_street(world):
    resp = world.api("street_admin").post(
        "/regions", {"parent": world.d.district.pk, "name": "大碶街道", "level": "street"}
    )
    assert resp.status_code == 422
    assert any(m.startswith("parent:") for m in resp.json()["detail"])
    assert not Region.objects.filter(name="大碶街道").exists()


def test_district_admin_creates_a_street_but_not_in_another_district(world):
    api = world.api("district_admin")
    assert (
        api.post(
            "/regions", {"parent": world.d.district.pk, "name": "大碶街道", "level": "street"}
        ).status_code
        == 201
    )
    assert (
        api.post(
            "/regions", {"parent": world.zhenhai.pk, "name": "蛟川街道", "level": "street"}
        ).status_code
        == 422
    )


def test_secretary_sees_its_area_but_does_not_change_regions(world):
    api = world.api("secretary")
    assert (
        api.post(
            "/regions",
            {
                "parent": world.d.gaotang.pk,
                "name": "x",
                "level": "community",
                "kind": "residential",
            },
        ).status_code
        == 403
    )
    assert api.patch(f"/regions/{world.d.gaotang.pk}", {"residents": 1}).status_code == 403


def test_region_rules_come_back_as_422(world):
    api = world.api("street_admin")
    resp = api.post(
        "/regions", {"parent": world.d.xinqi.pk, "name": "无类社区", "level": "community"}
    )
    assert resp.status_code == 422 and "kind" in " ".join(resp.json()["detail"])
    resp = api.post(
        "/regions",
        {
            "parent": world.d.gaotang.pk,
            "name": "楼中楼",
            "level": "community",
            "kind": "residential",
        },
    )
    assert resp.status_code == 422
    resp = api.post("/regions", {"parent": world.d.xinqi.pk, "level": "community"})
    assert resp.status_code == 422 and any(m.startswith("name:") for m in resp.json()["detail"])


def test_region_update(world):
    resp = world.api("street_admin").patch(
        f"/regions/{world.d.gaotang.pk}", {"residents": 12000, "newcomers": 10000}
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["residents"] == 12000 and resp.json()["name"] == "高塘社区"
    entry = AuditEntry.objects.get(action="region.update", object_id=str(world.d.gaotang.pk))
    assert entry.before["residents"] == 0 and entry.after["residents"] == 12000


# --- units ---------------------------------------------------------------------------------------
def test_unit_list_filters(world):
    api = world.api("district_admin")
    assert names(api.get("/units", {"region": world.d.xinqi.pk})) == {
        "宁波高塘五金有限公司",
        "宁波大港模具有限公司",
    }
    assert names(api.get("/units", {"q": "模具"})) == {"宁波大港模具有限公司"}
    assert names(api.get("/units", {"q": world.qingzhi_unit.credit_code})) == {
        "宁波青峙化工有限公司"
    }
    assert names(api.get("/units", {"kind": "agency"})) == set()


def test_unit_detail(world):
    body = world.api("secretary").get(f"/units/{world.gaotang_unit.pk}").json()
    assert body["name"] == "宁波高塘五金有限公司"
    assert body["region"] == {"id": world.d.gaotang.pk, "name": "高塘社区", "level": "community"}


def test_street_admin_registers_a_unit(world):
    api = world.api("street_admin")
    code = f.credit_code()
    resp = api.post(
        "/units",
        {
            "name": "宁波港湾物流有限公司",
            "kind": "private_enterprise",
            "region": world.d.dagang.pk,
            "credit_code": code,
            "employees": 120,
            "union_founded_on": "2012-05-01",
        },
    )
    assert resp.status_code == 201, resp.content
    unit = Unit.objects.get(pk=resp.json()["id"])
    assert unit.credit_code == code and unit.has_union
    assert AuditEntry.objects.filter(action="unit.create", object_id=str(unit.pk)).exists()
    again = api.post(
        "/units",
        {
            "name": "重复",
            "kind": "private_enterprise",
            "region": world.d.dagang.pk,
            "credit_code": code,
        },
    )
    assert again.status_code == 422 and any(
        m.startswith("credit_code:") for m in again.json()["detail"]
    )
    wrong = api.post(
        "/units",
        {
            "name": "错码",
            "kind": "private_enterprise",
            "region": world.d.dagang.pk,
            "credit_code": "91330206MA0000000X",
        },
    )
    assert wrong.status_code == 422


def test_units_are_registered_only_in_administered_regions(world):
    data = {"name": "新单位", "kind": "private_enterprise"}
    assert (
        world.api("street_admin").post("/units", {**data, "region": world.d.qingzhi.pk}).status_code
        == 422
    )
    assert (
        world.api("secretary").post("/units", {**data, "region": world.d.gaotang.pk}).status_code
        == 403
    )
    assert not Unit.objects.filter(name="新单位").exists()


def test_unit_update(world):
    api = world.api("street_admin")
    resp = api.patch(f"/units/{world.gaotang_unit.pk}", {"employees": 85, "has_union": True})
    assert resp.status_code == 200, resp.content
    assert resp.json()["employees"] == 85 and resp.json()["has_union"] is True
    entry = AuditEntry.objects.get(action="unit.update", object_id=str(world.gaotang_unit.pk))
    assert entry.before["employees"] == 0 and entry.after["employees"] == 85
    moved = api.patch(f"/units/{world.gaotang_unit.pk}", {"region": world.d.dagang.pk})
    assert moved.status_code == 200 and moved.json()["region"]["name"] == "大港社区"
    assert (
        api.patch(f"/units/{world.gaotang_unit.pk}", {"region": world.d.qingzhi.pk}).status_code
        == 422
    )
    world.gaotang_unit.refresh_from_db()
    assert world.gaotang_unit.region == world.d.dagang


def test_secretary_sees_its_units_but_does_not_change_them(world):
    api = world.api("secretary")
    assert api.get(f"/units/{world.gaotang_unit.pk}").status_code == 200
    assert api.patch(f"/units/{world.gaotang_unit.pk}", {"employees": 85}).status_code == 403
    world.gaotang_unit.refresh_from_db()
    assert world.gaotang_unit.employees == 0


# --- organizations -------------------------------------------------------------------------------
def test_organization_list_with_counts_and_filters(world):
    api = world.api("street_admin")
    rows = {r["name"]: r for r in api.get("/organizations").json()["items"]}
    assert rows["高塘五金党支部"]["member_count"] == 3
    assert rows["高塘五金党支部"]["full_count"] == 2
    assert rows["高塘五金党支部"]["region"]["name"] == "高塘社区"
    assert names(api.get("/organizations", {"kind": "regional_branch"})) == {
        "大港社区区域综合党支部"
    }
    assert names(api.get("/organizations", {"region": world.d.gaotang.pk})) == {
        "高塘社区党委",
        "高塘五金党支部",
    }
    assert names(api.get("/organizations", {"q": "五金"})) == {"高塘五金党支部"}


def test_organization_detail_has_units_offices_and_counts(world):
    body = world.api("secretary").get(f"/organizations/{world.gaotang_branch.pk}").json()
    assert body["parent"]["name"] == "高塘社区党委"
    assert body["units"] == [
        {
            "unit": {
                "id": world.gaotang_unit.pk,
                "name": "宁波高塘五金有限公司",
                "kind": "private_enterprise",
            },
            "is_primary": True,
        }
    ]
    assert [(o["role"], o["member"]["name"]) for o in body["offices"]] == [("secretary", "王海")]
    assert (body["member_count"], body["full_count"], body["home_count"]) == (3, 2, 3)


def test_the_parent_outside_ones_scope_stays_hidden(world):
    body = world.api("secretary").get(f"/organizations/{world.d.gaotang_committee.pk}").json()
    assert body["name"] == "高塘社区党委" and body["parent"] is None
    assert "新碶街道党工委" not in json.dumps(body, ensure_ascii=False)
    body = world.api("street_admin").get(f"/organizations/{world.d.gaotang_committee.pk}").json()
    assert body["parent"]["name"] == "新碶街道党工委"


def _reservoir_unit(world, full: int, name="宁波恒力模具有限公司"):
    """An enterprise in 大港社区 whose members sit in the regional branch (the reservoir)."""
    unit = f.unit(world.d.dagang, name)
    for _ in range(full):
        f.member(world.d.dagang_regional, unit=unit)
    f.member(world.d.dagang_regional, unit=unit, status="probationary")
    return unit


def _branch(world, unit, **kw):
    return {
        "name": f"{unit.name}党支部",
        "kind": "branch",
        "region": world.d.dagang.pk,
        "parent": world.d.xinqi_wc.pk,
        "units": [unit.pk],
        **kw,
    }


def test_r1_branch_needs_three_full_members(world):
    api = world.api("street_admin")
    unit = _reservoir_unit(world, full=2)
    resp = api.post("/organizations", _branch(world, unit))
    assert resp.status_code == 422
    assert any("R1" in m for m in resp.json()["detail"])
    assert not Organization.objects.filter(name=f"{unit.name}党支部").exists()

    f.member(world.d.dagang_regional, unit=unit)  # the third full member arrives
    resp = api.post("/organizations", _branch(world, unit, document_no="新碶党工委〔2013〕12号"))
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["kind"] == "branch" and body["units"][0]["is_primary"] is True
    org = Organization.objects.get(pk=body["id"])
    assert org.parent == world.d.xinqi_wc and org.document_no == "新碶党工委〔2013〕12号"
    assert AuditEntry.objects.filter(
        action="organization.create", object_id=str(org.pk), actor=world.users["street_admin"]
    ).exists()


def test_r3_joint_branch_over_five_units_needs_a_reason(world):
    api = world.api("street_admin")
    units = [f.unit(world.d.dagang, f"大港小微企业{i}") for i in range(6)]
    data = {
        "name": "大港社区小微企业联合党支部",
        "kind": "joint_branch",
        "region": world.d.dagang.pk,
        "parent": world.d.xinqi_wc.pk,
        "units": [u.pk for u in units],
    }
    resp = api.post("/organizations", data)
    assert resp.status_code == 409
    body = resp.json()
    assert [w["rule"] for w in body["warnings"]] == ["R3"] and body["warnings"][0][
        "level"
    ] == "warn"
    assert "R3" in body["detail"][0]
    assert not Organization.objects.filter(name=data["name"]).exists()

    reason = "六家企业同在一栋楼，党员少，经街道党工委研究同意"
    resp = api.post("/organizations", {**data, "reason": reason})
    assert resp.status_code == 201, resp.content
    assert len(resp.json()["units"]) == 6
    entry = AuditEntry.objects.get(action="organization.create", object_id=str(resp.json()["id"]))
    assert entry.reason == reason and entry.warnings[0]["rule"] == "R3"


def test_1n_one_regional_branch_per_area(world):
    resp = world.api("street_admin").post(
        "/organizations",
        {
            "name": "大港第二区域综合党支部",
            "kind": "regional_branch",
            "region": world.d.dagang.pk,
            "parent": world.d.xinqi_wc.pk,
        },
    )
    assert resp.status_code == 422 and any("1+N" in m for m in resp.json()["detail"])


def test_secretary_establishes_only_inside_its_subtree(world):
    api = world.api("secretary")
    unit = f.unit(world.d.gaotang, "高塘物业公司")
    OrganizationUnit.objects.create(
        organization=world.d.gaotang_committee, unit=unit
    )  # covered by the committee
    for _ in range(3):
        f.member(world.d.gaotang_committee, unit=unit)
    ok = api.post(
        "/organizations",
        {
            "name": "高塘物业党支部",
            "kind": "branch",
            "region": world.d.gaotang.pk,
            "parent": world.d.gaotang_committee.pk,
            "units": [unit.pk],
        },
    )
    assert ok.status_code == 201, ok.content
    assert Organization.objects.get(pk=ok.json()["id"]).path.startswith(
        world.d.gaotang_committee.path
    )

    outside = api.post(
        "/organizations",
        {
            "name": "越级党委",
            "kind": "committee",
            "region": world.d.gaotang.pk,
            "parent": world.d.xinqi_wc.pk,
        },
    )
    assert outside.status_code == 422 and any(
        m.startswith("parent:") for m in outside.json()["detail"]
    )
    foreign_unit = api.post(
        "/organizations",
        {
            "name": "x",
            "kind": "joint_branch",
            "region": world.d.gaotang.pk,
            "parent": world.d.gaotang_committee.pk,
            "units": [world.dagang_unit.pk],
        },
    )
    assert foreign_unit.status_code == 422 and any(
        m.startswith("units:") for m in foreign_unit.json()["detail"]
    )
    no_parent = api.post(
        "/organizations", {"name": "y", "kind": "committee", "region": world.d.gaotang.pk}
    )
    assert no_parent.status_code == 422
    assert any(m.startswith("parent:") for m in no_parent.json()["detail"])


def test_street_admin_cannot_reach_outside_its_street(world):
    api = world.api("street_admin")
    base = {
        "name": "联合党支部",
        "kind": "joint_branch",
        "region": world.d.dagang.pk,
        "parent": world.d.xinqi_wc.pk,
    }
    assert api.post("/organizations", {**base, "units": [world.qingzhi_unit.pk]}).status_code == 422
    assert api.post("/organizations", {**base, "region": world.d.qingzhi.pk}).status_code == 422
    assert api.post("/organizations", {**base, "parent": world.d.committee.pk}).status_code == 422
    assert (
        api.post(
            "/organizations",
            {**base, "parent": None, "kind": "working_committee", "region": world.d.xinqi.pk},
        ).status_code
        == 422
    )
    assert not Organization.objects.filter(name="联合党支部").exists()


def test_organization_update(world):
    api = world.api("secretary")
    resp = api.patch(
        f"/organizations/{world.gaotang_branch.pk}",
        {"name": "高塘五金第一党支部", "document_no": "高塘〔2014〕3号"},
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["name"] == "高塘五金第一党支部"
    entry = AuditEntry.objects.get(
        action="organization.update", object_id=str(world.gaotang_branch.pk)
    )
    assert entry.before["name"] == "高塘五金党支部" and entry.after["name"] == "高塘五金第一党支部"


def test_organization_update_follows_the_rules(world):
    api = world.api("street_admin")
    units = [f.unit(world.d.gaotang, f"高塘小微企业{i}") for i in range(5)]
    path = f"/organizations/{world.gaotang_branch.pk}"
    data = {"kind": "joint_branch", "units": [world.gaotang_unit.pk, *[u.pk for u in units]]}
    assert api.patch(path, data).status_code == 409
    resp = api.patch(path, {**data, "reason": "街道批复同意"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["kind"] == "joint_branch" and len(resp.json()["units"]) == 6
    assert api.patch(path, {"units": [world.qingzhi_unit.pk]}).status_code == 422
    assert api.patch(path, {"region": world.d.qingzhi.pk}).status_code == 422
    primary = api.patch(path, {"primary_unit": units[0].pk, "reason": "ok"})
    assert primary.status_code == 200, primary.content
    assert [u["unit"]["id"] for u in primary.json()["units"] if u["is_primary"]] == [units[0].pk]


def test_units_attached_outside_the_scope_stay_attached(world):
    """A joint branch in 大港 also covers a unit in 小港: 新碶's admin keeps it without seeing it."""
    joint = f.organization(
        "大港联合党支部",
        "joint_branch",
        world.d.dagang,
        world.d.xinqi_wc,
        units=[world.dagang_unit, world.qingzhi_unit],
    )
    api = world.api("street_admin")
    extra = f.unit(world.d.dagang, "大港新材料公司")
    path = f"/organizations/{joint.pk}"
    resp = api.patch(path, {"units": [world.dagang_unit.pk, world.qingzhi_unit.pk, extra.pk]})
    assert resp.status_code == 200, resp.content
    assert len(resp.json()["units"]) == 3
    assert (
        api.patch(path, {"units": [world.dagang_unit.pk, world.zhenhai_unit.pk]}).status_code == 422
    )


def test_a_dissolved_organization_is_not_changed(world):
    world.gaotang_branch.dissolved_on = dt.date(2020, 1, 1)
    world.gaotang_branch.save()
    api = world.api("street_admin")
    assert (
        api.get(f"/organizations/{world.gaotang_branch.pk}").json()["dissolved_on"] == "2020-01-01"
    )
    assert "高塘五金党支部" not in names(api.get("/organizations"))
    assert "高塘五金党支部" in names(api.get("/organizations", {"include_dissolved": True}))
    assert (
        api.patch(f"/organizations/{world.gaotang_branch.pk}", {"name": "复活"}).status_code == 422
    )


def test_a_superuser_sets_up_a_top_level_organization(world):
    root = f.user("root", is_superuser=True)
    _token, raw = api_token_create(actor=root, user=root, name="运维")
    resp = Api(raw).post(
        "/organizations",
        {
            "name": "中共北仑区委非公经济组织工作委员会",
            "kind": "working_committee",
            "region": world.d.district.pk,
        },
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["parent"] is None and resp.json()["parent_id"] is None


# --- OpenAPI -------------------------------------------------------------------------------------
def test_openapi_schema_and_docs_are_served(db):
    resp = Client().get("/api/v1/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    for p in (
        "/api/v1/regions",
        "/api/v1/regions/{region_id}",
        "/api/v1/units",
        "/api/v1/units/{unit_id}",
        "/api/v1/organizations",
        "/api/v1/organizations/{organization_id}",
    ):
        assert p in paths
    assert set(paths["/api/v1/organizations"]) == {"get", "post"}
    assert set(paths["/api/v1/organizations/{organization_id}"]) == {"get", "patch"}
    assert "TokenAuth" in resp.json()["components"]["securitySchemes"]
    assert Client().get("/api/v1/docs").status_code == 200


# --- no N+1 --------------------------------------------------------------------------------------
def _grow(world, n: int):
    """More rows in every role's scope: communities in 新碶, units and branches in 高塘 and in them."""
    d = world.d
    for i in range(n):
        c = f.community(d.xinqi, f"新社区{n}-{i}")
        for region, parent in ((c, d.xinqi_wc), (d.gaotang, d.gaotang_committee)):
            u = f.unit(region)
            o = f.organization(f"新支部{region.pk}-{n}-{i}", "branch", region, parent, units=[u])
            f.member(o, unit=u)
            f.office(o, f.member(o, unit=u))


@pytest.mark.parametrize("path", ["/regions", "/units", "/organizations"])
@pytest.mark.parametrize("role", ["district_admin", "street_admin", "secretary"])
def test_list_queries_do_not_grow_with_rows(world, django_assert_max_num_queries, path, role):
    api = world.api(role)
    api.get("/me")  # the token's last_used_at is written once; measure afterwards
    _grow(world, 2)
    with CaptureQueriesContext(connection) as few:
        assert api.get(path).status_code == 200
    _grow(world, 15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        resp = api.get(path)
    assert resp.status_code == 200


def test_organization_detail_queries_do_not_grow_with_units_and_offices(
    world, django_assert_max_num_queries
):
    api = world.api("district_admin")
    api.get("/me")
    path = f"/organizations/{world.gaotang_branch.pk}"
    with CaptureQueriesContext(connection) as few:
        api.get(path)
    for i in range(10):
        OrganizationUnit.objects.create(
            organization=world.gaotang_branch, unit=f.unit(world.d.gaotang, f"高塘企业{i}")
        )
    f.office(world.gaotang_branch, f.member(world.gaotang_branch), role="deputy_secretary")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api.get(path).json()
    assert len(body["units"]) == 11 and len(body["offices"]) == 2
