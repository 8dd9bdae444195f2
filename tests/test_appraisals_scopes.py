"""Appraisal pages, export and API cut to the scope: out of scope 404, wrong role 403, no
out-of-scope row in any list; query counts of the grading form and the results page."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gangwan.appraisals import services
from gangwan.appraisals.models import Appraisal, AppraisalRound
from gangwan.core.models import AuditEntry, RoleAssignment
from gangwan.core.tokens import api_token_create
from tests import factories as f
from tests.test_api import Api

OUT = "OUT-OF-SCOPE"
HELD = dt.date(2025, 1, 10)


@pytest.fixture
def w(district):
    d = district
    root = f.user("root", is_superuser=True)
    out_branch = f.organization(f"{OUT}物业党支部", "branch", d.gaotang, d.gaotang_committee)
    in_branch = f.organization("青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee)
    out_members = [f.member(out_branch, name=f"{OUT}{i}") for i in range(3)]
    in_members = [f.member(in_branch, name=f"李{i}") for i in range(3)]
    in_members.append(f.member(in_branch, name="预备赵", status="probationary"))
    out_round = services.appraisal_round_open(
        actor=root, organization=out_branch, year=2024, held_on=HELD
    )
    in_round = services.appraisal_round_open(
        actor=root, organization=in_branch, year=2024, held_on=HELD
    )
    services.appraisal_record(
        actor=root, round=out_round, grades={m.pk: "qualified" for m in out_members}
    )
    member_user = f.user("dangyuan")
    in_members[0].user = member_user
    in_members[0].save()
    RoleAssignment.objects.create(user=member_user, role="member")
    users = {
        "street_admin": f.user("xiaogang", role="street_admin", region=d.xiaogang),
        "secretary": f.user("qingzhi_sec", role="secretary", organization=d.qingzhi_committee),
        "reviewer": f.user("reviewer", role="reviewer"),
        "member": member_user,
        "district": f.user("quwei", role="district_admin", region=d.district),
    }
    return {
        "d": d,
        "out_branch": out_branch,
        "in_branch": in_branch,
        "out_round": out_round,
        "in_round": in_round,
        "in_members": in_members,
        "users": users,
    }


def client_for(user) -> Client:
    c = Client(headers={"Accept-Language": "en"})
    c.force_login(user)
    return c


def _round_urls(rnd):
    return [
        reverse("appraisals:detail", args=[rnd.pk]),
        reverse("appraisals:grade", args=[rnd.pk]),
        reverse("appraisals:export", args=[rnd.pk]),
        reverse("appraisals:index") + f"?organization={rnd.organization_id}",
        reverse("appraisals:create") + f"?organization={rnd.organization_id}",
    ]


@pytest.mark.parametrize("who", ["street_admin", "secretary"])
def test_out_of_scope_rounds_answer_404_and_lists_hold_no_out_of_scope_row(w, who):
    c = client_for(w["users"][who])
    for url in _round_urls(w["out_round"]):
        assert c.get(url).status_code == 404, url
    before = AuditEntry.objects.count()
    assert c.post(reverse("appraisals:grade", args=[w["out_round"].pk]), {}).status_code == 404
    resp = c.post(
        reverse("appraisals:create"),
        {"organization": w["out_branch"].pk, "year": 2023, "held_on": "2024-01-05"},
    )
    assert resp.status_code == 200  # the organization is not a choice
    assert AuditEntry.objects.count() == before
    for url in _round_urls(w["in_round"]):
        assert c.get(url).status_code == 200, url
    page = c.get(reverse("appraisals:index")).content.decode()
    assert OUT not in page and "青峙化工党支部" in page
    assert OUT not in c.get(reverse("appraisals:create")).content.decode()


@pytest.mark.parametrize("who", ["reviewer", "member"])
def test_roles_without_structure_access_get_403(w, who):
    c = client_for(w["users"][who])
    assert c.get(reverse("appraisals:index")).status_code == 403
    for url in _round_urls(w["in_round"]):
        assert c.get(url).status_code == 403, url


def test_grading_all_members_in_one_form_and_closing(w):
    c = client_for(w["users"]["secretary"])
    url = reverse("appraisals:grade", args=[w["in_round"].pk])
    page = c.get(url).content.decode()
    li0, li1, li2, zhao = w["in_members"]
    assert f'name="grade_{zhao.pk}"' in page and "disabled" in page
    data = {f"grade_{m.pk}": "qualified" for m in (li0, li1, li2)}
    data[f"grade_{li0.pk}"] = "excellent"
    data[f"grade_{li1.pk}"] = "excellent"
    resp = c.post(url, {**data, "close": "1"})
    assert resp.status_code == 200 and b"R17" in resp.content  # 2 of 3 excellent: reason asked
    assert not Appraisal.objects.filter(round=w["in_round"]).exists()
    resp = c.post(url, {**data, "close": "1", "reason": "两人获评市级先进"})
    assert resp.status_code == 302
    w["in_round"].refresh_from_db()
    assert w["in_round"].is_closed
    assert Appraisal.objects.get(member=zhao).grade is None
    detail = c.get(reverse("appraisals:detail", args=[w["in_round"].pk])).content.decode()
    assert 'data-over-third="1"' in detail and "两人获评市级先进" in detail
    assert c.get(url).status_code == 403  # closed
    export = c.get(reverse("appraisals:export", args=[w["in_round"].pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_opening_a_round_from_the_page(w):
    c = client_for(w["users"]["secretary"])
    resp = c.post(
        reverse("appraisals:create"),
        {"organization": w["in_branch"].pk, "year": 2023, "held_on": "2024-01-05"},
    )
    assert resp.status_code == 302
    assert AppraisalRound.objects.filter(organization=w["in_branch"], year=2023).exists()


def _count(c, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_members_or_rounds(w):
    c = client_for(w["users"]["district"])
    rnd = w["in_round"]
    urls = [
        reverse("appraisals:grade", args=[rnd.pk]),
        reverse("appraisals:detail", args=[rnd.pk]),
        reverse("appraisals:index"),
    ]
    small = [_count(c, u) for u in urls]
    more = [f.member(w["in_branch"]) for _ in range(15)]
    services.appraisal_record(actor=None, round=rnd, grades={m.pk: "qualified" for m in more})
    for year in range(2015, 2024):
        services.appraisal_round_open(
            actor=None, organization=w["in_branch"], year=year, held_on=dt.date(year, 12, 1)
        )
    assert [_count(c, u) for u in urls] == small


# --- the API -------------------------------------------------------------------------------


def api(w, who) -> Api:
    user = w["users"][who]
    return Api(api_token_create(actor=user, user=user, name="手机")[1])


@pytest.mark.parametrize("who", ["street_admin", "secretary"])
def test_api_is_cut_to_the_scope(w, who):
    a = api(w, who)
    ids = {r["id"] for r in a.get("/appraisals").json()["items"]}
    assert ids == {w["in_round"].pk}
    assert a.get(f"/appraisals/{w['out_round'].pk}").status_code == 404
    assert a.get(f"/appraisals/{w['in_round'].pk}").status_code == 200
    assert a.get("/appraisals", {"organization": w["out_branch"].pk}).json()["count"] == 0
    before = AuditEntry.objects.count()
    assert a.post(f"/appraisals/{w['out_round'].pk}/grades", {"grades": {}}).status_code == 404
    resp = a.post(
        "/appraisals", {"organization": w["out_branch"].pk, "year": 2023, "held_on": "2024-01-05"}
    )
    assert resp.status_code == 422
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("who", ["reviewer", "member"])
def test_api_roles_without_structure_access_get_403(w, who):
    a = api(w, who)
    assert a.get("/appraisals").status_code == 403
    assert a.get(f"/appraisals/{w['in_round'].pk}").status_code == 403
    assert a.post(f"/appraisals/{w['in_round'].pk}/grades", {"grades": {}}).status_code == 403


def test_api_anonymous_gets_401(w):
    assert Api().get("/appraisals").status_code == 401


def test_api_records_grades_with_the_rules(w):
    a = api(w, "secretary")
    li0, li1, li2, zhao = w["in_members"]
    resp = a.post(
        "/appraisals", {"organization": w["in_branch"].pk, "year": 2023, "held_on": "2024-01-05"}
    )
    assert resp.status_code == 201, resp.content
    pk = resp.json()["id"]
    resp = a.post(f"/appraisals/{pk}/grades", {"grades": {str(zhao.pk): "qualified"}})
    assert resp.status_code == 422 and "R17" in resp.json()["detail"][0]
    grades = {str(li0.pk): "excellent", str(li1.pk): "excellent", str(li2.pk): "qualified"}
    resp = a.post(f"/appraisals/{pk}/grades", {"grades": grades, "close": True})
    assert resp.status_code == 409 and resp.json()["warnings"][0]["rule"] == "R17"
    resp = a.post(f"/appraisals/{pk}/grades", {"grades": grades, "close": True, "reason": "先进"})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["closed"] and body["over_third"] and body["counts"]["excellent"] == 2


def test_api_list_query_count(w):
    a = api(w, "district")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert a.get("/appraisals").status_code == 200
        return len(ctx.captured_queries)

    count()
    small = count()
    for year in range(2015, 2024):
        services.appraisal_round_open(
            actor=None, organization=w["in_branch"], year=year, held_on=dt.date(year, 12, 1)
        )
    assert count() == small
