"""The incubator in the API (/api/v1/incubations): the story end to end, scope (404 outside it,
403 for the wrong role), refusals (422) and bounded queries on the list."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gangwan.core.models import AuditEntry
from gangwan.core.tokens import api_token_create
from gangwan.incubator import services
from gangwan.incubator.models import Incubation
from gangwan.members.models import Member
from tests import factories as f
from tests.test_api import Api
from tests.test_incubator_services import SAMSUNG, IncubatorWorld


class ApiWorld(IncubatorWorld):
    def __init__(self, d):
        super().__init__(d)
        self.tokens = {
            role: api_token_create(actor=u, user=u, name="手机")[1]
            for role, u in self.users.items()
        }

    def api(self, role: str) -> Api:
        return Api(self.tokens[role])


@pytest.fixture
def world(district):
    return ApiWorld(district)


def test_the_samsung_story_through_the_api(world):
    world.third_member_arrives()
    sec = world.api("regional_secretary")
    resp = sec.get("/incubations")
    assert resp.status_code == 200, resp.content
    (row,) = resp.json()["items"]
    assert (row["unit"]["name"], row["state"], row["full_members_at_eligibility"]) == (
        SAMSUNG,
        "eligible",
        3,
    )
    pk = row["id"]
    detail = sec.get(f"/incubations/{pk}").json()
    assert detail["actions"] == ["propose"] and detail["full_members_now"] == 3

    resp = sec.post(f"/incubations/{pk}/propose", {"proposal_text": "申请单独组建党支部"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["state"] == "proposed" and resp.json()["reply_due_on"]
    assert resp.json()["overdue"] is False
    # The regional branch cannot approve its own proposal: 403.
    assert sec.post(f"/incubations/{pk}/decide", {"decision": "approve"}).status_code == 403

    wc = world.api("committee_secretary")
    resp = wc.post(f"/incubations/{pk}/decide", {"decision": "approve", "reason": "同意"})
    assert resp.status_code == 200 and resp.json()["actions"] == ["establish"]
    resp = wc.post(f"/incubations/{pk}/establish", {"document_no": "新碶党工〔2026〕7号"})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["state"] == "established" and body["established_organization"]["kind"] == "branch"
    branch_id = body["established_organization"]["id"]
    assert Member.objects.filter(home_organization_id=branch_id).count() == 5
    org = wc.get(f"/organizations/{branch_id}").json()
    assert org["parent"]["id"] == world.d.xinqi_wc.pk and org["units"][0]["unit"]["name"] == SAMSUNG
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "incubation.eligible",
        "incubation.propose",
        "incubation.approve",
        "organization.create",
        "incubation.member_move",
        "incubation.establish",
    } <= actions


def test_refusals_are_422_and_declined_is_final(world):
    inc = world.proposed()
    api = world.api("street_admin")
    resp = api.post(f"/incubations/{inc.pk}/decide", {"decision": "decline"})
    assert resp.status_code == 422 and "reason" in resp.json()["detail"][0]
    assert api.post(f"/incubations/{inc.pk}/decide", {"decision": "maybe"}).status_code == 422
    resp = api.post(f"/incubations/{inc.pk}/decide", {"decision": "decline", "reason": "暂缓"})
    assert resp.status_code == 200 and resp.json()["state"] == "declined"
    for path, body in (
        ("decide", {"decision": "approve"}),
        ("establish", {}),
        ("propose", {"proposal_text": "再议"}),
    ):
        assert api.post(f"/incubations/{inc.pk}/{path}", body).status_code == 422, path
    assert Incubation.objects.get(pk=inc.pk).state == "declined"


def test_r7_overdue_in_the_api(world):
    inc = world.proposed()
    Incubation.objects.filter(pk=inc.pk).update(
        reply_due_on=timezone.localdate() - dt.timedelta(days=1)
    )
    api = world.api("street_admin")
    assert api.get(f"/incubations/{inc.pk}").json()["overdue"] is True
    assert api.get("/incubations", {"state": "proposed"}).json()["items"][0]["overdue"] is True


def test_the_reservoir_of_a_regional_branch(world):
    world.third_member_arrives()
    f.member(world.rb, "无单位党员")
    api = world.api("regional_secretary")
    listed = api.get("/incubations/reservoirs").json()["items"]
    assert [(r["name"], r["member_count"], r["eligible_count"]) for r in listed] == [
        (world.rb.name, 7, 1)
    ]
    body = api.get(f"/incubations/reservoirs/{world.rb.pk}").json()
    assert (body["member_count"], body["full_count"], body["minimum"]) == (7, 5, 3)
    samsung = next(u for u in body["units"] if u["unit"]["name"] == SAMSUNG)
    assert (samsung["full"], samsung["probationary"], samsung["eligible"]) == (3, 2, True)
    assert samsung["incubation_id"] == world.incubation().pk
    assert [m["name"] for m in body["without_unit"]] == ["无单位党员"]
    assert body["without_unit"][0]["since_source"] == "joined"


# --- scope --------------------------------------------------------------------------------------
@pytest.fixture
def qingzhi(world):
    """A regional branch with an eligible unit in 小港街道, next to the story in 新碶街道."""
    d = world.d
    rb = f.organization("青峙社区区域综合党支部", "regional_branch", d.qingzhi, d.qingzhi_committee)
    unit = f.unit(d.qingzhi, "青峙物流有限公司")
    for _ in range(3):
        f.member(rb, unit=unit)
    services.incubation_recheck(unit_ids=[unit.pk])
    world.third_member_arrives()
    return {"rb": rb, "inc": Incubation.objects.get(unit=unit)}


SEEN = {
    "street_admin": {SAMSUNG},
    "committee_secretary": {SAMSUNG},
    "regional_secretary": {SAMSUNG},
    "other_street_admin": {"青峙物流有限公司"},
    "other_secretary": {"青峙物流有限公司"},
}


@pytest.mark.parametrize("role", SEEN)
def test_lists_are_cut_to_the_scope(world, qingzhi, role):
    api = world.api(role)
    resp = api.get("/incubations")
    assert {r["unit"]["name"] for r in resp.json()["items"]} == SEEN[role]
    reservoirs = {r["id"] for r in api.get("/incubations/reservoirs").json()["items"]}
    assert reservoirs == ({qingzhi["rb"].pk} if "other" in role else {world.rb.pk})
    # A filter cannot reach out of the scope.
    other_rb = world.rb if "other" in role else qingzhi["rb"]
    assert api.get("/incubations", {"regional_branch": other_rb.pk}).json()["items"] == []


@pytest.mark.parametrize("role", ["other_street_admin", "other_secretary"])
def test_out_of_scope_objects_are_404_and_nothing_changes(world, qingzhi, role):
    api, inc = world.api(role), world.incubation()
    assert api.get(f"/incubations/{inc.pk}").status_code == 404
    assert api.get(f"/incubations/reservoirs/{world.rb.pk}").status_code == 404
    before = AuditEntry.objects.count()
    for path, body in (
        ("propose", {"proposal_text": "越权"}),
        ("decide", {"decision": "approve"}),
        ("establish", {}),
    ):
        assert api.post(f"/incubations/{inc.pk}/{path}", body).status_code == 404
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("role", ["reviewer", "member"])
def test_reviewers_and_members_get_403(world, qingzhi, role):
    api, inc = world.api(role), world.incubation()
    for path in ("/incubations", f"/incubations/{inc.pk}", "/incubations/reservoirs"):
        assert api.get(path).status_code == 403, path
    assert api.post(f"/incubations/{inc.pk}/propose", {"proposal_text": "x"}).status_code == 403


def test_wrong_roles_inside_the_scope_get_403(world, qingzhi):
    inc = world.incubation()
    # Only the regional branch or those above it propose: a secretary of 高塘 does not see it.
    gaotang = f.user("gaotang", "secretary", organization=world.d.gaotang_committee)
    raw = api_token_create(actor=gaotang, user=gaotang, name="x")[1]
    assert (
        Api(raw).post(f"/incubations/{inc.pk}/propose", {"proposal_text": "x"}).status_code == 404
    )
    world.api("regional_secretary").post(
        f"/incubations/{inc.pk}/propose", {"proposal_text": "提议"}
    )
    resp = world.api("regional_secretary").post(f"/incubations/{inc.pk}/establish", {})
    assert resp.status_code == 403


def test_anonymous_gets_401(world):
    assert Api().get("/incubations").status_code == 401
    assert Api().get(f"/incubations/reservoirs/{world.rb.pk}").status_code == 401


def test_the_list_does_not_query_per_row(world, django_assert_max_num_queries):
    api = world.api("street_admin")

    def grow(n, tag):
        for i in range(n):
            unit = f.unit(world.d.dagang, f"扩容企业{tag}{i}")
            for _ in range(3):
                f.member(world.rb, unit=unit)
            services.incubation_recheck(unit_ids=[unit.pk])

    grow(1, "a")
    with CaptureQueriesContext(connection) as few:
        assert api.get("/incubations").status_code == 200
    grow(30, "b")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/incubations").json()["items"]) == 31
    with CaptureQueriesContext(connection) as few:
        assert api.get(f"/incubations/reservoirs/{world.rb.pk}").status_code == 200
    for i in range(20):
        f.member(world.rb, f"无单位{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(f"/incubations/reservoirs/{world.rb.pk}").status_code == 200
