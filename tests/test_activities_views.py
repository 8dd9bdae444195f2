"""Activity pages: one-form recording, the scope matrix (404/403, no out-of-scope rows) on every
view and export, and query counts of the list."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gangwan.activities import services
from gangwan.activities.models import Activity, ActivityAttachment
from gangwan.core.models import AuditEntry, RoleAssignment
from tests import factories as f

OUT = "OUT-OF-SCOPE"
YESTERDAY = dt.date.today() - dt.timedelta(days=1)


@pytest.fixture
def world(district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    d = district
    out_branch = f.organization(f"{OUT}党支部", "branch", d.gaotang, d.gaotang_committee)
    out_members = [f.member(out_branch, name=f"{OUT}{i}") for i in range(3)]
    out_activity = services.activity_record(
        actor=None,
        organization=out_branch,
        kind="general_meeting",
        held_on=YESTERDAY,
        topic=f"{OUT}会议",
        attachments=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf")],
    )
    in_branch = f.organization("青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee)
    in_members = [f.member(in_branch, name=f"李{i}") for i in range(5)]
    member_user = f.user("dangyuan")
    in_members[0].user = member_user
    in_members[0].save()
    RoleAssignment.objects.create(user=member_user, role="member")
    return {
        "d": d,
        "out_branch": out_branch,
        "out_members": out_members,
        "out_activity": out_activity,
        "out_attachment": out_activity.attachments.get(),
        "in_branch": in_branch,
        "in_members": in_members,
        "users": {
            "street_admin": f.user("xiaogang", role="street_admin", region=d.xiaogang),
            "secretary": f.user("sec", role="secretary", organization=d.qingzhi_committee),
            "reviewer": f.user("reviewer", role="reviewer"),
            "member": member_user,
        },
    }


def _form(org, **kw):
    data = {
        "organization": org.pk,
        "kind": "general_meeting",
        "held_on": YESTERDAY.isoformat(),
        "topic": "学习二十大精神",
        "host": "王书记",
    }
    data.update(kw)
    return data


def test_secretary_records_a_meeting_in_one_post(client, world):
    client.force_login(world["users"]["secretary"])
    ms = world["in_members"]
    resp = client.get(reverse("activities:create") + f"?organization={world['in_branch'].pk}")
    assert resp.status_code == 200
    assert f'name="status-{ms[0].pk}"' in resp.content.decode()
    data = _form(
        world["in_branch"],
        **{
            f"status-{ms[1].pk}": "on_leave",
            f"reason-{ms[1].pk}": "出差",
            f"status-{ms[2].pk}": "absent",
            "decision-0-motion": "同意接收预备党员",
            "decision-0-yes": "3",
            "attachments": SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\nxx", "image/png"),
        },
    )
    resp = client.post(reverse("activities:create"), data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    a = Activity.objects.get(organization=world["in_branch"])
    assert a.attendances.filter(status="present").count() == 3
    assert a.decisions.get().passed is True  # 3 > 5/2
    page = client.get(resp["Location"]).content.decode()
    assert 'data-quorum="valid"' in page
    assert client.get(reverse("activities:pdf", args=[a.pk]))["Content-Type"] == "application/pdf"
    att = a.attachments.get()
    dl = client.get(reverse("activities:attachment", args=[a.pk, att.pk]))
    assert dl.status_code == 200 and b"".join(dl.streaming_content).startswith(b"\x89PNG")


def test_bad_input_gets_a_message_and_nothing_saved(client, world):
    client.force_login(world["users"]["secretary"])
    ms = world["in_members"]
    data = _form(world["in_branch"], **{f"status-{ms[1].pk}": "on_leave"})
    resp = client.post(reverse("activities:create"), data)
    assert resp.status_code == 200 and "reason" in resp.content.decode()
    bad = _form(
        world["in_branch"], attachments=SimpleUploadedFile("x.pdf", b"MZ", "application/pdf")
    )
    assert client.post(reverse("activities:create"), bad).status_code == 200
    assert not Activity.objects.filter(organization=world["in_branch"]).exists()
    assert not ActivityAttachment.objects.exclude(activity=world["out_activity"]).exists()


def test_edit_changes_the_record(client, world):
    client.force_login(world["users"]["secretary"])
    a = services.activity_record(
        actor=None, organization=world["in_branch"], kind="theme_day", held_on=YESTERDAY, topic="甲"
    )
    m = world["in_members"][4]
    data = {"held_on": YESTERDAY.isoformat(), "topic": "乙", f"status-{m.pk}": "absent"}
    resp = client.post(reverse("activities:edit", args=[a.pk]), data)
    assert resp.status_code == 302
    a.refresh_from_db()
    assert a.topic == "乙" and a.attendances.get(member=m).status == "absent"


def test_a_wrong_decision_and_attachment_are_removed_with_a_reason(
    client, world, settings, django_capture_on_commit_callbacks
):
    """Corrections after recording: remove what was wrong (audited, with the reason), add the
    right one through the edit form."""
    client.force_login(world["users"]["secretary"])
    a = services.activity_record(
        actor=None,
        organization=world["in_branch"],
        kind="general_meeting",
        held_on=YESTERDAY,
        topic="大会",
        decisions=[{"motion": "错误的决议", "yes": 3}],
        attachments=[SimpleUploadedFile("dup.png", b"\x89PNG\r\n\x1a\nxx", "image/png")],
    )
    decision, att = a.decisions.get(), a.attachments.get()
    stored = settings.MEDIA_ROOT / att.file.name
    assert stored.exists()
    page = client.get(reverse("activities:detail", args=[a.pk])).content.decode()
    assert reverse("activities:decision_remove", args=[a.pk, decision.pk]) in page
    url = reverse("activities:decision_remove", args=[a.pk, decision.pk])
    assert client.get(url).status_code == 405
    resp = client.post(url, {"reason": " "}, follow=True)
    assert "Say why" in resp.content.decode() or "原因" in resp.content.decode()
    assert a.decisions.exists()
    client.post(url, {"reason": "计票有误，重新记录"})
    assert not a.decisions.exists()
    entry = AuditEntry.objects.filter(action="activity.decision_remove").get()
    assert entry.before["motion"] == "错误的决议" and entry.after["reason"] == "计票有误，重新记录"
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            reverse("activities:attachment_remove", args=[a.pk, att.pk]), {"reason": "重复上传"}
        )
    assert resp.status_code == 302 and not a.attachments.exists()
    assert not stored.exists()  # the file left the storage with the row
    assert AuditEntry.objects.filter(action="activity.attachment_remove").count() == 1
    # The right decision is added through the edit form as before.
    data = {
        "held_on": YESTERDAY.isoformat(),
        "topic": "大会",
        "decision-0-motion": "正确的决议",
        "decision-0-yes": "4",
    }
    assert client.post(reverse("activities:edit", args=[a.pk]), data).status_code == 302
    assert list(a.decisions.values_list("motion", flat=True)) == ["正确的决议"]


@pytest.mark.parametrize("role", ["street_admin", "secretary", "reviewer", "member"])
def test_out_of_scope_activities_are_refused_for_every_role(client, world, role):
    client.force_login(world["users"][role])
    a, att = world["out_activity"], world["out_attachment"]
    gets = [
        reverse("activities:detail", args=[a.pk]),
        reverse("activities:edit", args=[a.pk]),
        reverse("activities:pdf", args=[a.pk]),
        reverse("activities:attachment", args=[a.pk, att.pk]),
        reverse("activities:create") + f"?organization={world['out_branch'].pk}",
    ]
    for url in gets:
        resp = client.get(url)
        assert resp.status_code in (403, 404), (role, url, resp.status_code)
    before = AuditEntry.objects.count()
    posts = [
        (reverse("activities:create"), _form(world["out_branch"])),
        (reverse("activities:edit", args=[a.pk]), {"held_on": YESTERDAY, "topic": "改"}),
        (reverse("activities:attachment_remove", args=[a.pk, att.pk]), {"reason": "错"}),
    ]
    for url, data in posts:
        resp = client.post(url, data)
        assert resp.status_code in (403, 404), (role, url, resp.status_code)
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("role", ["street_admin", "secretary", "reviewer", "member"])
def test_lists_and_exports_hold_no_out_of_scope_rows(client, world, role):
    client.force_login(world["users"][role])
    for name in ("activities:list", "activities:export", "activities:create"):
        resp = client.get(reverse(name))
        if role in ("reviewer", "member"):
            assert resp.status_code == 403, (role, name)
            continue
        assert resp.status_code == 200
        body = resp.content if name == "activities:export" else resp.content.decode()
        assert (OUT.encode() if isinstance(body, bytes) else OUT) not in body, (role, name)


def test_export_is_a_spreadsheet_with_rows(client, world):
    client.force_login(f.user("boss", is_superuser=True))
    resp = client.get(reverse("activities:export"))
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(resp.content)).active
    assert ws.max_row == 2 and ws.cell(2, 5).value == f"{OUT}会议"


def test_filters(client, world):
    client.force_login(f.user("boss", is_superuser=True))
    url = reverse("activities:list")
    assert f"{OUT}会议" in client.get(url + "?kind=general_meeting").content.decode()
    assert f"{OUT}会议" not in client.get(url + "?kind=lecture").content.decode()
    later = (YESTERDAY + dt.timedelta(days=1)).isoformat()
    assert f"{OUT}会议" not in client.get(url + f"?date_from={later}").content.decode()


def test_activity_list_query_count_does_not_grow_with_rows(client, world):
    client.force_login(world["users"]["street_admin"])
    url = reverse("activities:list")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    services.activity_record(
        actor=None, organization=world["in_branch"], kind="lecture", held_on=YESTERDAY, topic="1"
    )
    few = count()
    for i in range(10):
        services.activity_record(
            actor=None,
            organization=world["in_branch"],
            kind="theme_day",
            held_on=YESTERDAY,
            topic=f"t{i}",
        )
    assert count() == few
