"""Scope matrix for the back office (SPEC §0): for each role, a user outside an object's scope gets
404 (the object does not exist for them) or 403 (the page is not for their role), on every view of
the structure, and no out-of-scope row appears in any list or figure."""

import datetime as dt

import pytest
from django.urls import reverse

from gangwan.core.models import AuditEntry
from tests import factories as f

OUT = "OUT-OF-SCOPE"


@pytest.fixture
def world(district):
    """Two streets with data in each. Everything in 新碶 (xinqi) is named with OUT for the users
    scoped to 小港 (xiaogang), so a leak shows up as the marker in a page."""
    d = district
    out_unit = f.unit(d.gaotang, f"{OUT}物业公司")
    out_branch = f.organization(
        f"{OUT}物业公司党支部", "branch", d.gaotang, d.gaotang_committee, units=[out_unit]
    )
    out_member = f.member(out_branch, name=f"{OUT}张三", unit=out_unit)
    out_office = f.office(out_branch, out_member)
    f.term(out_branch, dt.date(2024, 3, 1), dt.date.today() + dt.timedelta(days=30))
    in_unit = f.unit(d.qingzhi, "青峙化工有限公司")
    in_branch = f.organization(
        "青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee, units=[in_unit]
    )
    in_member = f.member(in_branch, name="李四", unit=in_unit)
    f.term(in_branch, dt.date(2024, 3, 1), dt.date.today() + dt.timedelta(days=40))
    return {
        "d": d,
        "out_unit": out_unit,
        "out_branch": out_branch,
        "out_member": out_member,
        "out_office": out_office,
        "in_unit": in_unit,
        "in_branch": in_branch,
        "in_member": in_member,
    }


def _users(world):
    d = world["d"]
    member_user = f.user("dangyuan")
    world["in_member"].user = member_user
    world["in_member"].save()
    from gangwan.core.models import RoleAssignment

    RoleAssignment.objects.create(user=member_user, role="member")
    return {
        "street_admin": f.user("xiaogang", role="street_admin", region=d.xiaogang),
        "secretary": f.user("qingzhi_sec", role="secretary", organization=d.qingzhi_committee),
        "reviewer": f.user("reviewer", role="reviewer"),
        "member": member_user,
    }


def _object_urls(w):
    d = w["d"]
    return {
        "get": [
            reverse("regions:detail", args=[d.gaotang.pk]),
            reverse("regions:edit", args=[d.gaotang.pk]),
            reverse("regions:create", args=[d.xinqi.pk]),
            reverse("regions:move", args=[d.gaotang.pk]),
            reverse("units:detail", args=[w["out_unit"].pk]),
            reverse("units:edit", args=[w["out_unit"].pk]),
            reverse("organizations:detail", args=[w["out_branch"].pk]),
            reverse("organizations:edit", args=[w["out_branch"].pk]),
            reverse("organizations:move", args=[w["out_branch"].pk]),
            reverse("organizations:dissolve", args=[w["out_branch"].pk]),
            reverse("organizations:office_assign", args=[w["out_branch"].pk]),
            reverse("organizations:office_end", args=[w["out_branch"].pk, w["out_office"].pk]),
            reverse("organizations:term_start", args=[w["out_branch"].pk]),
            reverse("members:detail", args=[w["out_member"].pk]),
            reverse("members:create") + f"?organization={w['out_branch'].pk}",
            reverse("units:list") + f"?region={d.gaotang.pk}",
            reverse("organizations:list") + f"?region={d.gaotang.pk}",
            reverse("members:list") + f"?organization={w['out_branch'].pk}",
            reverse("organizations:coverage") + f"?region={d.gaotang.pk}",
        ],
        "post": [
            (reverse("regions:edit", args=[d.gaotang.pk]), {"name": "改名", "kind": "residential"}),
            (
                reverse("units:edit", args=[w["out_unit"].pk]),
                {
                    "name": "改名",
                    "kind": "private_enterprise",
                    "region": d.gaotang.pk,
                    "employees": 1,
                },
            ),
            (
                reverse("organizations:edit", args=[w["out_branch"].pk]),
                {"name": "改名", "kind": "branch", "region": d.gaotang.pk},
            ),
            (
                reverse("organizations:dissolve", args=[w["out_branch"].pk]),
                {"dissolved_on": "2026-01-01", "reason": "x"},
            ),
            (
                reverse("organizations:term_start", args=[w["out_branch"].pk]),
                {"started_on": "2026-01-01"},
            ),
            (
                reverse("members:reveal", args=[w["out_member"].pk]),
                {"field": "id_number", "reason": "窥探他人信息"},
            ),
        ],
    }


LISTS = [
    "dashboard:home",
    "regions:index",
    "units:list",
    "organizations:list",
    "members:list",
    "organizations:terms",
    "organizations:coverage",
]


@pytest.mark.parametrize("role", ["street_admin", "secretary", "reviewer", "member"])
def test_out_of_scope_objects_are_refused_for_every_role(client, world, role):
    user = _users(world)[role]
    client.force_login(user)
    urls = _object_urls(world)
    for url in urls["get"]:
        resp = client.get(url)
        assert resp.status_code in (403, 404), (role, url, resp.status_code)
        assert OUT not in resp.content.decode(), (role, url)
    before = AuditEntry.objects.count()
    for url, data in urls["post"]:
        resp = client.post(url, data)
        assert resp.status_code in (403, 404), (role, url, resp.status_code)
    assert AuditEntry.objects.count() == before  # nothing changed, nothing revealed


@pytest.mark.parametrize("role", ["street_admin", "secretary", "reviewer", "member"])
def test_lists_and_figures_hold_no_out_of_scope_rows(client, world, role):
    client.force_login(_users(world)[role])
    for name in LISTS:
        resp = client.get(reverse(name), follow=True)
        assert resp.status_code in (200, 403), (role, name)
        assert OUT not in resp.content.decode(), (role, name)
        assert "高塘" not in resp.content.decode() or name == "dashboard:home", (role, name)


@pytest.mark.parametrize("role", ["street_admin", "secretary"])
def test_in_scope_rows_are_listed(client, world, role):
    client.force_login(_users(world)[role])
    assert "青峙化工党支部" in client.get(reverse("organizations:list")).content.decode()
    assert "李四" in client.get(reverse("members:list")).content.decode()


def test_dashboard_figures_count_only_the_scope(client, world):
    users = _users(world)
    client.force_login(users["street_admin"])
    figures = client.get(reverse("dashboard:home")).context["figures"]
    assert figures["members_total"] == 1  # 李四 only; 张三 is in the other street
    assert figures["organizations_total"] == 3  # 小港街道党工委, 青峙社区党委, 青峙化工党支部


@pytest.mark.parametrize("role", ["street_admin", "secretary", "reviewer", "member"])
def test_only_district_admins_see_the_audit_trail(client, world, role):
    client.force_login(_users(world)[role])
    assert client.get(reverse("audit")).status_code == 403
    assert client.get(reverse("audit_export")).status_code == 403


def test_a_member_sees_their_own_record_only(client, world):
    users = _users(world)
    client.force_login(users["member"])
    assert client.get(reverse("members:detail", args=[world["in_member"].pk])).status_code == 200
    assert client.get(reverse("members:detail", args=[world["out_member"].pk])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, world):
    for name in LISTS + ["audit"]:
        resp = client.get(reverse(name))
        assert resp.status_code == 302 and resp.url.startswith(reverse("login"))
