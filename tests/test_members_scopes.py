"""Scope matrix for the members' pages, exports and imports (SPEC §0): a user outside a member's
scope gets 404 (the member does not exist for them) or 403 (the page is not for their role), and
no out-of-scope row appears in a list, an export, the template or the inactivity list. Everything
in 新碶 carries the marker OUT for the users scoped to 小港."""

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from gangwan.core.models import AuditEntry, RoleAssignment
from gangwan.members import sheets
from gangwan.members.models import Member
from tests import factories as f

OUT = "OUT-OF-SCOPE"
ROLES = ["street_admin", "secretary", "reviewer", "member"]


@pytest.fixture
def world(district):
    d = district
    out_unit = f.unit(d.gaotang, f"{OUT}物业公司")
    out_branch = f.organization(
        f"{OUT}物业公司党支部", "branch", d.gaotang, d.gaotang_committee, units=[out_unit]
    )
    out_member = f.member(
        out_branch, name=f"{OUT}张三", unit=out_unit, joined_on=dt.date(1990, 7, 1)
    )
    out_former = f.member(
        out_branch, name=f"{OUT}已故", archived_on=dt.date(2026, 1, 1), archive_reason="deceased"
    )
    # A member whose relationship is outside but whose home is inside stays outside for editing.
    in_unit = f.unit(d.qingzhi, "青峙化工有限公司")
    in_branch = f.organization(
        "青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee, units=[in_unit]
    )
    in_member = f.member(
        in_branch, name="李四", unit=in_unit, joined_on=dt.date(1990, 7, 1), on_call=True
    )
    member_user = f.user("dangyuan")
    in_member.user = member_user
    in_member.save()
    RoleAssignment.objects.create(user=member_user, role="member")
    users = {
        "street_admin": f.user("xiaogang", role="street_admin", region=d.xiaogang),
        "secretary": f.user("qingzhi_sec", role="secretary", organization=d.qingzhi_committee),
        "reviewer": f.user("reviewer", role="reviewer"),
        "member": member_user,
    }
    return {
        "d": d,
        "out_unit": out_unit,
        "out_branch": out_branch,
        "out_member": out_member,
        "out_former": out_former,
        "in_branch": in_branch,
        "in_member": in_member,
        "users": users,
    }


def _book(org_name: str, unit_name: str = "") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheets.DATA_SHEET)
    ws.append(["姓名", "身份证号", "党员类别", "所在单位", "组织关系所在党组织"])
    ws.append(["新党员", f.id_number(), "正式党员", unit_name or None, org_name])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _object_urls(w):
    m, former = w["out_member"], w["out_former"]
    return {
        "get": [
            reverse("members:detail", args=[m.pk]),
            reverse("members:detail", args=[former.pk]),
            reverse("members:edit", args=[m.pk]),
            reverse("members:archive", args=[m.pk]),
            reverse("members:create") + f"?organization={w['out_branch'].pk}",
            reverse("members:list") + f"?organization={w['out_branch'].pk}",
            reverse("members:export") + f"?organization={w['out_branch'].pk}",
            reverse("members:inactive") + f"?organization={w['out_branch'].pk}",
        ],
        "post": [
            (reverse("members:edit", args=[m.pk]), {"name": "改名", "status": "full"}),
            (
                reverse("members:archive", args=[m.pk]),
                {"archived_on": "2026-01-01", "archive_reason": "quit"},
            ),
            (reverse("members:reveal", args=[m.pk]), {"field": "phone", "reason": "窥探他人信息"}),
            (
                reverse("members:create") + f"?organization={w['out_branch'].pk}",
                {
                    "organization": w["out_branch"].pk,
                    "name": "新人",
                    "id_number": f.id_number(),
                    "status": "full",
                },
            ),
            (
                reverse("members:export"),
                {"organization": w["out_branch"].pk, "reason": "导出他人信息"},
            ),
        ],
    }


@pytest.mark.parametrize("role", ROLES)
def test_out_of_scope_members_are_refused_for_every_role(client, world, role):
    client.force_login(world["users"][role])
    urls = _object_urls(world)
    for url in urls["get"]:
        resp = client.get(url)
        assert resp.status_code in (403, 404), (role, url, resp.status_code)
        assert OUT.encode() not in resp.content, (role, url)
    before = (AuditEntry.objects.count(), Member.objects.count())
    for url, data in urls["post"]:
        resp = client.post(url, data)
        assert resp.status_code in (403, 404), (role, url, resp.status_code)
    assert (AuditEntry.objects.count(), Member.objects.count()) == before
    m = Member.objects.get(pk=world["out_member"].pk)
    assert m.name == f"{OUT}张三" and m.archived_on is None


LISTS = [
    ("members:list", {}),
    ("members:list", {"archived": "on"}),
    ("members:list", {"q": "张三"}),
    ("members:list", {"on_call": "1"}),
    ("members:inactive", {}),
    ("members:import", {}),
]


@pytest.mark.parametrize("role", ROLES)
def test_lists_hold_no_out_of_scope_rows(client, world, role):
    client.force_login(world["users"][role])
    for name, params in LISTS:
        resp = client.get(reverse(name), params)
        assert resp.status_code in (200, 403), (role, name)
        assert OUT.encode() not in resp.content, (role, name, params)


@pytest.mark.parametrize("role", ["street_admin", "secretary"])
def test_exports_and_the_template_hold_no_out_of_scope_rows(client, world, role):
    client.force_login(world["users"][role])
    for resp, expected in (
        (client.get(reverse("members:export")), "李四"),
        (client.get(reverse("members:export"), {"archived": "on"}), "姓名"),
        (client.post(reverse("members:export"), {"reason": "报送区委组织部"}), "李四"),
        (client.get(reverse("members:import_template")), "青峙化工党支部"),
    ):
        assert resp.status_code == 200
        wb = load_workbook(io.BytesIO(resp.content))
        text = " ".join(
            str(v) for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r
        )
        assert OUT not in text and expected in text


@pytest.mark.parametrize("role", ["reviewer", "member"])
def test_sheets_and_the_inactivity_list_are_not_for_other_roles(client, world, role):
    client.force_login(world["users"][role])
    for name in ("members:inactive", "members:import", "members:import_template", "members:export"):
        assert client.get(reverse(name)).status_code == 403, name
    upload = SimpleUploadedFile("a.xlsx", _book("青峙化工党支部"))
    assert client.post(reverse("members:import"), {"file": upload}).status_code == 403
    assert client.post(reverse("members:export"), {"reason": "报送区委组织部"}).status_code == 403
    assert not Member.objects.filter(name="新党员").exists()


@pytest.mark.parametrize("role", ["street_admin", "secretary"])
def test_an_import_cannot_place_members_outside_the_scope(client, world, role):
    client.force_login(world["users"][role])
    for data in (_book(f"{OUT}物业公司党支部"), _book("青峙化工党支部", f"{OUT}物业公司")):
        resp = client.post(reverse("members:import"), {"file": SimpleUploadedFile("a.xlsx", data)})
        assert resp.status_code == 200 and resp.context["result"].errors
    assert not Member.objects.filter(name="新党员").exists()
    resp = client.post(
        reverse("members:import"), {"file": SimpleUploadedFile("a.xlsx", _book("青峙化工党支部"))}
    )
    assert (
        resp.status_code == 302
        and Member.objects.get(name="新党员").organization == world["in_branch"]
    )


def test_an_error_report_belongs_to_its_user(client, world):
    users = world["users"]
    client.force_login(users["street_admin"])
    resp = client.post(
        reverse("members:import"), {"file": SimpleUploadedFile("a.xlsx", _book("无此支部"))}
    )
    url = resp.context["report_url"]
    assert client.get(url).status_code == 200
    for role in ("secretary", "reviewer"):
        client.force_login(users[role])
        assert client.get(url).status_code in (403, 404)
    cache.clear()


@pytest.mark.parametrize("role", ["street_admin", "secretary"])
def test_in_scope_members_are_listed_and_editable(client, world, role):
    client.force_login(world["users"][role])
    m = world["in_member"]
    assert "李四" in client.get(reverse("members:list")).content.decode()
    assert "李四" in client.get(reverse("members:inactive")).content.decode()
    assert client.get(reverse("members:edit", args=[m.pk])).status_code == 200
    assert client.get(reverse("members:archive", args=[m.pk])).status_code == 200


def test_a_member_sees_only_their_own_record(client, world):
    client.force_login(world["users"]["member"])
    html = client.get(reverse("members:list")).content.decode()
    assert "李四" in html and OUT not in html
    assert client.get(reverse("members:detail", args=[world["in_member"].pk])).status_code == 200
    assert client.get(reverse("members:edit", args=[world["in_member"].pk])).status_code == 403


def test_anonymous_users_are_sent_to_login(client, world):
    for name in (
        "members:list",
        "members:inactive",
        "members:import",
        "members:import_template",
        "members:export",
    ):
        resp = client.get(reverse(name))
        assert resp.status_code == 302 and resp.url.startswith(reverse("login")), name
