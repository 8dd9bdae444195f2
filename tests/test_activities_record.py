"""Recording an activity in one go: attendance by exception, votes, first home, last life."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gangwan.activities import services
from gangwan.activities.models import Activity, ActivityAttachment, Attendance
from gangwan.core.models import AuditEntry
from tests import factories as f
from tests.test_floating_placement import FloatingWorld

TODAY = dt.date.today()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def branch(district):
    b = f.organization("青峙化工党支部", "branch", district.qingzhi, district.qingzhi_committee)
    members = [f.member(b, name=f"党员{i:02d}") for i in range(8)]
    probationary = f.member(b, name="预备党员", status="probationary")
    f.office(b, members[0])
    f.office(b, members[1], role="committee_member")
    f.office(b, members[2], role="committee_member", started_on=dt.date(2020, 1, 1))
    return {"org": b, "members": members, "probationary": probationary}


def _record(branch, **kw):
    args = {
        "actor": f.user(),
        "organization": branch["org"],
        "kind": "general_meeting",
        "held_on": TODAY - dt.timedelta(days=1),
        "topic": "学习党章",
    }
    args.update(kw)
    return services.activity_record(**args)


def test_one_call_records_everyone_present_by_default(branch):
    a = _record(branch)
    rows = Attendance.objects.filter(activity=a)
    assert rows.count() == 9 and set(rows.values_list("status", flat=True)) == {"present"}
    assert AuditEntry.objects.filter(action="activity.record", object_id=str(a.pk)).exists()
    m = branch["members"][3]
    m.refresh_from_db()
    assert m.last_life_on == a.held_on


def test_exceptions_and_has_vote(branch):
    ms = branch["members"]
    a = _record(
        branch,
        attendance={
            ms[1].pk: ("on_leave", "出差"),
            ms[2].pk: ("absent", ""),
            ms[3].pk: ("exempt", "病"),
        },
    )
    got = dict(Attendance.objects.filter(activity=a).values_list("member_id", "status"))
    assert got[ms[1].pk] == "on_leave" and got[ms[2].pk] == "absent" and got[ms[3].pk] == "exempt"
    assert not Attendance.objects.get(activity=a, member=branch["probationary"]).has_vote
    assert Attendance.objects.get(activity=a, member=ms[0]).has_vote
    ms[2].refresh_from_db()
    assert ms[2].last_life_on is None


def test_leave_needs_a_reason_and_nothing_is_half_saved(branch):
    with pytest.raises(ValidationError):
        _record(branch, attendance={branch["members"][1].pk: ("on_leave", " ")})
    assert not Activity.objects.exists()


def test_a_member_not_expected_is_refused(branch, district):
    stranger = f.member(district.qingzhi_committee)
    with pytest.raises(ValidationError):
        _record(branch, attendance={stranger.pk: ("absent", "")})


def test_committee_meeting_expects_sitting_office_holders(branch):
    a = _record(branch, kind="committee_meeting")
    assert set(a.attendances.values_list("member_id", flat=True)) == {
        m.pk for m in branch["members"][:3]
    }


def test_decisions_pass_against_the_expected_base_and_are_refused_over_voters(branch):
    ms = branch["members"]
    absent = {m.pk: ("absent", "") for m in ms[:3]}
    # 8 voting expected (the probationary member has no vote), 5 voting present.
    a = _record(branch, attendance=absent, decisions=[{"motion": "甲", "yes": 4, "no": 1}])
    d = a.decisions.get()
    assert d.passed is False  # 4 is not more than half of 8
    with pytest.raises(ValidationError):
        _record(branch, attendance=absent, decisions=[{"motion": "乙", "yes": 5, "no": 1}])


def test_future_dates_are_refused(branch):
    with pytest.raises(ValidationError):
        _record(branch, held_on=TODAY + dt.timedelta(days=1))


def test_first_attended_activity_gives_a_floating_member_his_home(district):
    world = FloatingWorld(district)
    floating = world.register(days_ago=30)
    holder = world.register(
        name="持证人", certificate_no="C-9", days_ago=30, id_number=f.id_number(dt.date(1970, 1, 1))
    )
    org = floating.member.home_organization
    assert floating.home_found_on is None
    a = services.activity_record(
        actor=f.user(),
        organization=org,
        kind="theme_day",
        held_on=TODAY - dt.timedelta(days=2),
        topic="主题党日",
    )
    floating.refresh_from_db()
    assert floating.home_found_on == a.held_on
    assert not Attendance.objects.get(activity=a, member=holder.member).has_vote


def test_last_life_on_only_moves_forward(branch):
    m = branch["members"][4]
    _record(branch, held_on=TODAY - dt.timedelta(days=3))
    _record(branch, held_on=TODAY - dt.timedelta(days=10))
    m.refresh_from_db()
    assert m.last_life_on == TODAY - dt.timedelta(days=3)


def test_attachments_checked_by_content_and_size(branch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = _record(
        branch,
        attachments=[
            SimpleUploadedFile("照片.png", PNG, "image/png"),
            SimpleUploadedFile("记录.pdf", PDF, "application/pdf"),
        ],
    )
    names = [att.file.name for att in a.attachments.all()]
    assert len(names) == 2 and not any("照片" in n for n in names)
    with pytest.raises(ValidationError):
        _record(branch, attachments=[SimpleUploadedFile("x.pdf", b"MZ\x90\x00", "application/pdf")])
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (10 * 1024 * 1024), "image/png")
    with pytest.raises(ValidationError):
        _record(branch, attachments=[big])
    assert ActivityAttachment.objects.count() == 2


def test_update_changes_attendance_and_fields(branch):
    a = _record(branch)
    m = branch["members"][5]
    services.activity_update(
        actor=f.user(), activity=a, topic="新主题", attendance={m.pk: ("on_leave", "病假")}
    )
    a.refresh_from_db()
    assert a.topic == "新主题"
    assert a.attendances.get(member=m).status == "on_leave"


def test_attendance_rate_figure_is_scoped(branch, district):
    from gangwan.activities.selectors import attendance_rate
    from gangwan.core.scopes import scope_for

    ms = branch["members"]
    _record(branch, attendance={ms[0].pk: ("absent", ""), ms[1].pk: ("exempt", "病")})
    since = TODAY - dt.timedelta(days=90)
    inside = scope_for(f.user(role="street_admin", region=district.xiaogang))
    outside = scope_for(f.user(role="street_admin", region=district.xinqi))
    assert attendance_rate(scope=inside, since=since) == {"expected": 8, "present": 7, "rate": 87.5}
    assert attendance_rate(scope=outside, since=since)["rate"] is None


@pytest.fixture
def area(district):
    """青峙 area: the recording branch, a partner in scope, one dissolved, one in another area."""
    b = f.organization("青峙联建甲支部", "branch", district.qingzhi, district.qingzhi_committee)
    partner = f.organization(
        "青峙联建乙支部", "branch", district.qingzhi, district.qingzhi_committee
    )
    gone = f.organization(
        "青峙撤销支部",
        "branch",
        district.qingzhi,
        district.qingzhi_committee,
        dissolved_on=TODAY - dt.timedelta(days=30),
    )
    elsewhere = f.organization("高塘某支部", "branch", district.gaotang, district.gaotang_committee)
    secretary = f.user(role="street_admin", region=district.xiaogang)
    return {"org": b, "partner": partner, "gone": gone, "elsewhere": elsewhere, "actor": secretary}


def test_joint_activity_links_partners_of_the_same_area(area, district):
    a = _record(area, actor=area["actor"], kind="joint_activity", partners=[area["partner"]])
    assert list(a.partners.all()) == [area["partner"]]
    entry = AuditEntry.objects.get(action="activity.record", object_id=str(a.pk))
    assert entry.after["partners"] == [area["partner"].pk]
    services.activity_update(actor=area["actor"], activity=a, partners=[])
    assert not a.partners.exists()
    entry = AuditEntry.objects.get(action="activity.update", object_id=str(a.pk))
    assert entry.before["partners"] == [area["partner"].pk] and entry.after["partners"] == []


def test_joint_activity_partners_are_refused_outside_area_scope_or_kind(area, district):
    for bad in (area["elsewhere"], area["gone"], area["org"]):
        with pytest.raises(ValidationError) as e:
            _record(area, actor=area["actor"], kind="joint_activity", partners=[bad])
        assert "partners" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        _record(area, actor=area["actor"], kind="general_meeting", partners=[area["partner"]])
    assert "partners" in e.value.message_dict
    # A secretary of the branch alone does not see its neighbour: outside the scope.
    own = f.user(role="secretary", organization=area["org"])
    with pytest.raises(ValidationError) as e:
        _record(area, actor=own, kind="joint_activity", partners=[area["partner"]])
    assert area["partner"].name in e.value.message_dict["partners"][0]
    assert not Activity.objects.exists()


def test_joint_activity_form_offers_and_shows_partners(client, area):
    from django.urls import reverse

    client.force_login(area["actor"])
    url = reverse("activities:create")
    q = f"?organization={area['org'].pk}&kind=joint_activity"
    page = client.get(url + q).content.decode()
    assert area["partner"].name in page and area["elsewhere"].name not in page
    resp = client.post(
        url,
        {
            "organization": area["org"].pk,
            "kind": "joint_activity",
            "held_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "topic": "联建共学",
            "partners": [area["partner"].pk],
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    page = client.get(resp["Location"]).content.decode()
    assert 'id="activity-partners"' in page and area["partner"].name in page
