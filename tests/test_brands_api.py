"""Service brands in the API (/api/v1/brands): every endpoint cut to the scope (404 outside it,
403 without the right to change or without structure access, 401 without credentials), the
problem's transitions (422 when refused), the waiting list, and coverage by street (R47)."""

import pytest

from gangwan.brands import services
from gangwan.brands.models import ServiceRecord
from gangwan.core.tokens import api_token_create
from tests import factories as f
from tests.test_api import Api
from tests.test_brands_services import TODAY, BrandsWorld, _register


@pytest.fixture
def world(district):
    w = BrandsWorld(district)
    w.problem_obj = w.problem()
    w.event_obj = w.event(capacity=1)
    w.regs = _register(w.event_obj, 2)
    w.tokens = {
        role: api_token_create(actor=u, user=u, name="手机")[1] for role, u in w.users.items()
    }
    return w


def api(world, role) -> Api:
    return Api(world.tokens[role])


def names(resp):
    assert resp.status_code == 200, resp.content
    return {r.get("name") or r.get("title") for r in resp.json()["items"]}


def test_lists_are_cut_to_the_scope(world):
    assert names(api(world, "district_admin").get("/brands")) == {
        "企业顾问团",
        "一员双岗",
        "向日葵工程",
    }
    assert names(api(world, "xinqi_admin").get("/brands")) == {"企业顾问团", "一员双岗"}
    assert names(api(world, "qingzhi_secretary").get("/brands")) == {"向日葵工程"}
    assert names(api(world, "qingzhi_secretary").get("/brands/events")) == {"七夕鹊桥会"}
    assert names(api(world, "xinqi_admin").get("/brands/events")) == set()
    assert api(world, "qingzhi_secretary").get("/brands/problems").json()["count"] == 0
    assert api(world, "dagang_secretary").get("/brands/problems").json()["count"] == 1


OUT_OF_SCOPE = [
    ("get", "/brands/{sunflower}"),
    ("get", "/brands/{sunflower}/records"),
    ("post", "/brands/{sunflower}/records"),
    ("get", "/brands/events/{event}"),
    ("get", "/brands/events/{event}/registrations"),
    ("post", "/brands/events/{event}/registrations"),
    ("post", "/brands/registrations/{reg}"),
]


@pytest.mark.parametrize("method, path", OUT_OF_SCOPE)
def test_objects_of_another_street_are_404(world, method, path):
    url = path.format(sunflower=world.sunflower.pk, event=world.event_obj.pk, reg=world.regs[0].pk)
    body = {
        "served_on": TODAY.isoformat(),
        "title": "x",
        "served_text": "居民",
        "name": "x",
        "phone": "13955556666",
        "action": "cancel",
    }
    c = api(world, "xinqi_admin")
    resp = c.get(url) if method == "get" else c.post(url, body)
    assert resp.status_code == 404, resp.content


def test_problem_endpoints_of_another_street_are_404(world):
    c = api(world, "qingzhi_secretary")
    pk = world.problem_obj.pk
    assert c.get(f"/brands/problems/{pk}").status_code == 404
    assert c.post(f"/brands/problems/{pk}/transition", {"action": "take"}).status_code == 404
    assert (
        c.post(
            "/brands/problems",
            {
                "brand_id": world.advisory.pk,
                "unit_id": world.dagang_unit.pk,
                "category": "other",
                "text": "x",
                "reported_on": TODAY.isoformat(),
            },
        ).status_code
        == 404
    )


def test_without_the_right_to_change_it_is_403(world):
    c = api(world, "dagang_secretary")  # partner of 一员双岗: reads it, cannot change it
    assert c.get(f"/brands/{world.two_posts.pk}").status_code == 200
    resp = c.post(
        f"/brands/{world.two_posts.pk}/records",
        {"served_on": TODAY.isoformat(), "title": "x", "served_text": "居民"},
    )
    assert resp.status_code == 403 and not ServiceRecord.objects.exists()


@pytest.mark.parametrize(
    "path",
    ["/brands", "/brands/problems", "/brands/events", "/brands/coverage", "/brands/coverage/units"],
)
def test_no_structure_access_is_403_and_no_credentials_401(world, path):
    assert api(world, "reviewer").get(path).status_code == 403
    assert Api().get(path).status_code == 401


def test_the_problem_story_through_the_api(world):
    c = api(world, "dagang_secretary")
    resp = c.post(
        "/brands/problems",
        {
            "brand_id": world.advisory.pk,
            "unit_id": world.dagang_unit.pk,
            "category": "permits",
            "text": "厂房扩建审批慢",
            "reported_on": TODAY.isoformat(),
        },
    )
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    bad = c.post(f"/brands/problems/{pk}/transition", {"action": "solve", "resolution": "x"})
    assert bad.status_code == 422
    assert (
        c.post(f"/brands/problems/{pk}/transition", {"action": "take", "handler": "李明"}).json()[
            "status"
        ]
        == "in_hand"
    )
    done = c.post(
        f"/brands/problems/{pk}/transition",
        {"action": "solve", "resolution": "并联审批，10天办结", "hours": 5},
    )
    assert done.status_code == 200 and done.json()["status"] == "solved"
    record_id = done.json()["record_id"]
    records = c.get(f"/brands/{world.advisory.pk}/records").json()["items"]
    assert [r["id"] for r in records] == [record_id] and records[0]["hours"] == 5.0
    detail = c.get(f"/brands/{world.advisory.pk}").json()
    assert detail["record_count"] == 1, detail
    assert detail["months"][-1]["records"] == 1, detail


def test_a_service_record_through_the_api(world):
    c = api(world, "qingzhi_secretary")
    resp = c.post(
        f"/brands/{world.sunflower.pk}/records",
        {
            "served_on": TODAY.isoformat(),
            "title": "外来务工子女暑托班",
            "served_text": "青峙社区外来务工家庭",
            "hours": "12",
            "member_ids": [],
        },
    )
    assert resp.status_code == 201, resp.content
    # A member outside the scope: 422, nothing written.
    outsider = f.member(world.d.dagang_regional)
    resp = c.post(
        f"/brands/{world.sunflower.pk}/records",
        {
            "served_on": TODAY.isoformat(),
            "title": "x",
            "served_text": "y",
            "member_ids": [outsider.pk],
        },
    )
    assert resp.status_code == 422 and ServiceRecord.objects.count() == 1


def test_the_waiting_list_through_the_api(world):
    c = api(world, "qingzhi_secretary")
    ev = world.event_obj.pk
    waiting = c.get(f"/brands/events/{ev}/registrations", {"status": "waiting"}).json()["items"]
    assert [r["name"] for r in waiting] == ["职工1"] and waiting[0]["phone_masked"].startswith(
        "139"
    )
    assert "0001" not in waiting[0]["phone_masked"][3:7]
    resp = c.post(f"/brands/registrations/{world.regs[0].pk}", {"action": "cancel"})
    assert resp.status_code == 200 and resp.json()["status"] == "cancelled"
    assert c.get(f"/brands/events/{ev}").json()["confirmed"] == 1
    resp = c.post(f"/brands/events/{ev}/registrations", {"name": "金敏", "phone": "13911112222"})
    assert resp.status_code == 201 and resp.json()["status"] == "waiting"
    dup = c.post(f"/brands/events/{ev}/registrations", {"name": "金敏", "phone": "13911112222"})
    assert dup.status_code == 422


def test_r47_coverage_by_street_and_community_with_the_lists(world):
    f.unit(world.d.qingzhi, "青峙小企业", employees=12)
    c = api(world, "district_admin")
    top = c.get("/brands/coverage").json()
    assert {r["name"] for r in top["rows"]} == {"新碶街道", "小港街道"}
    street = c.get("/brands/coverage", {"region": world.d.xiaogang.pk}).json()
    (qingzhi,) = street["rows"]
    assert qingzhi["name"] == "青峙社区" and qingzhi["total"] == 2 and qingzhi["union"] == 1
    assert qingzhi["union_coverage"] == 50.0
    union = c.get("/brands/coverage/units", {"region": world.d.xiaogang.pk, "show": "union"}).json()
    assert [u["name"] for u in union["items"]] == ["三星重工（宁波）有限公司"]
    lacking = c.get("/brands/coverage/units", {"region": world.d.xiaogang.pk}).json()
    assert {u["name"] for u in lacking["items"]} == {"三星重工（宁波）有限公司", "青峙小企业"}
    # A street admin cannot look into another street: 404.
    assert (
        api(world, "xinqi_admin")
        .get("/brands/coverage", {"region": world.d.xiaogang.pk})
        .status_code
        == 404
    )
    assert (
        api(world, "xinqi_admin")
        .get("/brands/coverage/units", {"region": world.d.xiaogang.pk})
        .status_code
        == 404
    )
    mine = api(world, "xinqi_admin").get("/brands/coverage").json()
    assert {r["name"] for r in mine["rows"]} == {"高塘社区", "大港社区"}


def test_the_brand_list_endpoint_has_bounded_queries(world, django_assert_max_num_queries):
    for i in range(10):
        b = services.brand_create(
            actor=None,
            name=f"品牌{i}",
            category="serve_public",
            organization=world.d.gaotang_committee,
            started_on=TODAY,
        )
        services.record_create(actor=None, brand=b, served_on=TODAY, title="x", served_text="y")
    c = api(world, "district_admin")
    with django_assert_max_num_queries(8):
        assert c.get("/brands").json()["count"] == 13


def test_an_api_service_record_takes_members_of_the_brand_organization_only(world):
    # 新碶's street admin may change 企业顾问团 (大港's branch) and sees 高塘's members too; the web
    # form offers only members of the brand's organization, and so does the API.
    outsider = f.member(world.d.gaotang_committee, "高塘党员")
    c = api(world, "xinqi_admin")
    url = f"/brands/{world.advisory.pk}/records"
    body = {"served_on": TODAY.isoformat(), "title": "走访", "served_text": "企业"}
    resp = c.post(url, {**body, "member_ids": [outsider.pk]})
    assert resp.status_code == 422 and not ServiceRecord.objects.exists()
    resp = c.post(url, {**body, "member_ids": [world.member.pk]})
    assert resp.status_code == 201, resp.content
    assert resp.json()["member_ids"] == [world.member.pk]
