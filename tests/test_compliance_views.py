"""The compliance page, its export and API endpoint: scope matrix (404 outside, 403 for roles
without structure access), drill-down, and query counts that do not grow with organizations."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from gangwan.activities.models import Activity
from gangwan.core.models import RoleAssignment
from gangwan.core.tokens import api_token_create
from tests import factories as f

OUT = "OUT-OF-SCOPE"


@pytest.fixture
def world(district):
    d = district
    out_branch = f.organization(f"{OUT}物业党支部", "branch", d.gaotang, d.gaotang_committee)
    in_branch = f.organization("青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee)
    Activity.objects.create(
        organization=in_branch, kind="theme_day", held_on=dt.date.today(), topic="主题党日"
    )
    member_user = f.user("dangyuan")
    RoleAssignment.objects.create(user=member_user, role="member")
    users = {
        "district_admin": f.user("district", role="district_admin", region=d.district),
        "street_admin": f.user("xiaogang", role="street_admin", region=d.xiaogang),
        "secretary": f.user("qingzhi_sec", role="secretary", organization=d.qingzhi_committee),
        "reviewer": f.user("reviewer", role="reviewer"),
        "member": member_user,
    }
    return {"d": d, "out": out_branch, "in": in_branch, "users": users}


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_district_admin_drills_down_street_community_organizations(client, world):
    d, u = world["d"], world["users"]["district_admin"]
    r = _get(client, u, reverse("compliance:index"))
    assert r.status_code == 200
    html = r.content.decode()
    assert f'data-region="{d.xinqi.pk}"' in html and f'data-region="{d.xiaogang.pk}"' in html
    r = _get(client, u, reverse("compliance:index"), region=d.xiaogang.pk)
    assert f'data-region="{d.qingzhi.pk}"' in r.content.decode()
    r = _get(client, u, reverse("compliance:index"), region=d.qingzhi.pk)
    html = r.content.decode()
    assert f'data-org="{world["in"].pk}"' in html
    assert 'data-status="done"' in html  # this month's theme day
    assert OUT not in html


@pytest.mark.parametrize("role", ["street_admin", "secretary"])
def test_scoped_users_see_only_their_organizations(client, world, role):
    r = _get(client, world["users"][role], reverse("compliance:index"))
    assert r.status_code == 200
    html = r.content.decode()
    assert OUT not in html
    if role == "secretary":
        assert f'data-org="{world["in"].pk}"' in html
    r = _get(client, world["users"][role], reverse("compliance:index"), region=world["d"].xinqi.pk)
    assert r.status_code == 404
    r = _get(client, world["users"][role], reverse("compliance:export"))
    assert r.status_code == 200
    assert OUT not in _xlsx_text(r)


@pytest.mark.parametrize("role", ["reviewer", "member"])
@pytest.mark.parametrize("name", ["compliance:index", "compliance:export"])
def test_roles_without_structure_access_get_403(client, world, role, name):
    assert _get(client, world["users"][role], reverse(name)).status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    r = client.get(reverse("compliance:index"))
    assert r.status_code == 302


def test_bad_region_parameter_is_404(client, world):
    u = world["users"]["district_admin"]
    assert _get(client, u, reverse("compliance:index"), region="x").status_code == 404


def _xlsx_text(response) -> str:
    ws = load_workbook(io.BytesIO(response.content)).active
    return "\n".join(
        " ".join(str(c) for c in row if c is not None) for row in ws.iter_rows(values_only=True)
    )


def test_export_lists_every_status(client, world):
    r = _get(client, world["users"]["district_admin"], reverse("compliance:export"))
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    text = _xlsx_text(r)
    assert "青峙化工党支部" in text and "R14" in text


def _count_queries(client, user, url, **params):
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("level", ["district", "qingzhi"])
def test_page_queries_do_not_grow_with_organizations(client, world, level):
    d, u = world["d"], world["users"]["district_admin"]
    region = getattr(d, level)
    url = reverse("compliance:index")
    before = _count_queries(client, u, url, region=region.pk)
    for i in range(6):
        org = f.organization(f"新支部{i}", "branch", d.qingzhi, d.qingzhi_committee)
        for role in ("secretary", "deputy_secretary", "committee_member"):
            f.office(org, f.member(org), role=role)
        Activity.objects.create(
            organization=org, kind="general_meeting", held_on=dt.date.today(), topic="大会"
        )
    assert _count_queries(client, u, url, region=region.pk) == before
    assert before <= 14


def _api(user, path, **params):
    from django.test import Client

    raw = api_token_create(actor=user, user=user, name="t")[1]
    return Client().get(
        f"/api/v1/compliance{path}", params, headers={"Authorization": f"Bearer {raw}"}
    )


def test_api_summary_and_organizations_are_scoped(world):
    d = world["d"]
    r = _api(world["users"]["district_admin"], "")
    assert r.status_code == 200
    assert {a["region_id"] for a in r.json()["areas"]} == {d.xinqi.pk, d.xiaogang.pk}
    r = _api(world["users"]["street_admin"], "", organizations="true")
    body = r.json()
    assert OUT not in r.content.decode()
    assert world["in"].pk in {o["id"] for o in body["organizations"]}
    theme = [s for o in body["organizations"] for s in o["statuses"] if s["rule"] == "R14"]
    assert theme and theme[0]["current"] in {"done", "due"}
    assert _api(world["users"]["street_admin"], "", region=d.xinqi.pk).status_code == 404
    assert _api(world["users"]["reviewer"], "").status_code == 403


def test_api_rate_by_street(world):
    r = _api(world["users"]["district_admin"], "/by-street")
    assert r.status_code == 200
    rows = {row["region_id"]: row for row in r.json()}
    assert set(rows) == {world["d"].xinqi.pk, world["d"].xiaogang.pk}
    assert rows[world["d"].xiaogang.pk]["pairs"] > 0
    assert OUT not in _api(world["users"]["street_admin"], "/by-street").content.decode()
