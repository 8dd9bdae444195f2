"""Selections in the API (/api/v1/pioneers): cut to the caller (404 outside, 403 for the wrong
role), nominations and reviews through it with their refusals (422), bounded list queries."""

import pytest

from gangwan.core.tokens import api_token_create
from gangwan.pioneers import services
from gangwan.pioneers.models import Nomination, Review
from tests.test_api import Api
from tests.test_pioneers_views import ViewWorld


class ApiWorld(ViewWorld):
    def api(self, user) -> Api:
        return Api(api_token_create(actor=user, user=user, name="手机")[1])


@pytest.fixture
def world(district):
    return ApiWorld(district)


def test_selections_are_cut_to_the_caller(world):
    s, _n = world.announced()
    items = world.api(world.admin).get("/pioneers/selections").json()["items"]
    assert [i["id"] for i in items] == [s.pk] and items[0]["phase"] == "announced"
    assert world.api(world.outsider_admin).get("/pioneers/selections").json()["items"] == []
    assert world.api(world.outsider_admin).get(f"/pioneers/selections/{s.pk}").status_code == 404
    assert world.api(world.reviewer).get(f"/pioneers/selections/{s.pk}").status_code == 200
    from tests import factories as f

    assert world.api(f.user("plain")).get("/pioneers/selections").status_code == 403
    assert Api().get("/pioneers/selections").status_code == 401


def test_nominations_are_cut_to_the_secretarys_organizations(world):
    s, noms = world.announced()
    names = {
        i["nominee_name"]
        for i in world.api(world.gaotang_sec)
        .get(f"/pioneers/selections/{s.pk}/nominations")
        .json()["items"]
    }
    assert names == {"陈建国", world.gaotang_full[0].name}
    assert (
        len(world.api(world.admin).get(f"/pioneers/selections/{s.pk}/nominations").json()["items"])
        == 4
    )
    assert (
        world.api(world.gaotang_sec).get(f"/pioneers/nominations/{noms[2].pk}").status_code == 404
    )
    assert (
        world.api(world.outsider_reviewer)
        .get(f"/pioneers/selections/{s.pk}/nominations")
        .status_code
        == 404
    )


def test_scores_and_results_are_for_administrators_and_reviewers(world):
    s, _n = world.announced()
    for user in (world.gaotang_sec, world.street_admin):
        assert world.api(user).get(f"/pioneers/selections/{s.pk}/reviews").status_code == 403
        assert world.api(user).get(f"/pioneers/selections/{s.pk}/results").status_code == 403
    assert (
        world.api(world.outsider_admin).get(f"/pioneers/selections/{s.pk}/results").status_code
        == 404
    )
    res = world.api(world.reviewer).get(f"/pioneers/selections/{s.pk}/results").json()
    assert (
        res["rows"][0]["nominee_name"] == "陈建国" and res["rows"][0]["combined_score"] == "0.8600"
    )
    assert res["ballots_valid"] == 20
    assert (
        len(world.api(world.admin).get(f"/pioneers/selections/{s.pk}/reviews").json()["items"]) == 4
    )


def test_nominating_and_reviewing_through_the_api(world):
    s = world.selection()
    sec = world.api(world.gaotang_sec)
    body = {
        "organization_id": world.gaotang_branch.pk,
        "nominee_id": world.officer.pk,
        "deeds": "十五年照顾孤儿",
        "opinion": "同意推荐",
    }
    resp = sec.post(f"/pioneers/selections/{s.pk}/nominations", body)
    assert resp.status_code == 201, resp.content
    resp = sec.post(
        f"/pioneers/selections/{s.pk}/nominations", {**body, "nominee_id": world.probationary.pk}
    )
    assert resp.status_code == 422 and "not a full member" in resp.json()["detail"][0]
    resp = sec.post(
        f"/pioneers/selections/{s.pk}/nominations",
        {
            **body,
            "organization_id": world.qingzhi_branch.pk,
            "nominee_id": world.qingzhi_full[0].pk,
        },
    )
    assert resp.status_code == 403
    n = Nomination.objects.get()
    rv = {"decision": "approve", "score": 95, "reason": "事迹突出"}
    resp = world.api(world.reviewer).post(f"/pioneers/nominations/{n.pk}/reviews", rv)
    assert resp.status_code == 422 and "out of order" in resp.json()["detail"][0]
    services.selection_start_review(actor=world.admin, selection=s)
    assert (
        world.api(world.reviewer).post(f"/pioneers/nominations/{n.pk}/reviews", rv).status_code
        == 200
    )
    assert sec.post(f"/pioneers/nominations/{n.pk}/reviews", rv).status_code == 403
    assert (
        world.api(world.outsider_reviewer)
        .post(f"/pioneers/nominations/{n.pk}/reviews", rv)
        .status_code
        == 404
    )
    assert Review.objects.count() == 1


def test_api_lists_run_in_bounded_queries(world, django_assert_max_num_queries):
    s, _n = world.announced()
    api = world.api(world.admin)
    for url in (
        "/pioneers/selections",
        f"/pioneers/selections/{s.pk}/nominations",
        f"/pioneers/selections/{s.pk}/reviews",
        f"/pioneers/selections/{s.pk}/results",
    ):
        with django_assert_max_num_queries(14):
            assert api.get(url).status_code == 200


def test_a_nominee_outside_the_callers_reach_is_404_without_a_name(world):
    s = world.selection()
    sec = world.api(world.gaotang_sec)
    # 青峙's member, out of the 高塘 secretary's reach; nominated for 高塘's branch it would be
    # refused with "<name> is not a member of …" — the name must not leak: 404 instead.
    outsider = world.qingzhi_full[0]
    resp = sec.post(
        f"/pioneers/selections/{s.pk}/nominations",
        {
            "organization_id": world.gaotang_branch.pk,
            "nominee_id": outsider.pk,
            "deeds": "十五年照顾孤儿",
            "opinion": "同意推荐",
        },
    )
    assert resp.status_code == 404
    assert outsider.name not in resp.content.decode()
    assert not Nomination.objects.exists()
