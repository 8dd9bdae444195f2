"""Member records (SPEC §2): every field, full and probationary dates, skills and on-call, the
community post, former members kept with a reason, suffix search, and MEMBER_CHANGED for the
apps above (the incubator)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gangwan.core import events
from gangwan.core.audit import snapshot
from gangwan.core.errors import RuleViolation
from gangwan.core.models import AuditEntry
from gangwan.core.scopes import Scope
from gangwan.members.bulk import snapshot_function
from gangwan.members.models import Member
from gangwan.members.selectors import member_list
from gangwan.members.services import (
    member_archive,
    member_create,
    member_update,
    normalize_skills,
)
from tests import factories as f

EVERYTHING = Scope(everything=True)


@pytest.fixture(autouse=True)
def en(settings):
    settings.LANGUAGE_CODE = "en"  # assertions read English messages whatever the catalog holds


@pytest.fixture
def changes():
    """Collect MEMBER_CHANGED events as the incubator would receive them."""
    seen = []

    def listener(**payload):
        seen.append(payload)

    events.subscribe(events.MEMBER_CHANGED, listener)
    yield seen
    events._listeners[events.MEMBER_CHANGED].remove(listener)


@pytest.fixture
def place(district):
    unit = f.unit(district.gaotang, "宁波高塘五金有限公司")
    branch = f.organization(
        "高塘五金党支部", "branch", district.gaotang, district.gaotang_committee, units=[unit]
    )
    return {"d": district, "unit": unit, "branch": branch, "actor": f.user()}


def _register(place, **kw):
    kw.setdefault("name", "王海燕")
    kw.setdefault("id_number", f.id_number(dt.date(1985, 6, 1), "female"))
    return member_create(actor=place["actor"], organization=place["branch"], **kw)


def test_a_member_record_holds_every_field_of_spec_2(place, changes):
    m = _register(
        place,
        phone="13812345678",
        ethnicity="汉族",
        education="bachelor",
        unit=place["unit"],
        post="车间主任",
        status="full",
        joined_on=dt.date(2008, 7, 1),
        full_on=dt.date(2009, 7, 1),
        skills="电工, 驾驶、急救 电工",
        on_call=True,
        on_call_hours="周末",
        community_post="楼道长",
    )
    m = Member.objects.get(pk=m.pk)
    assert (m.gender, m.birth_date) == ("female", dt.date(1985, 6, 1))  # read from the ID
    assert (m.ethnicity, m.get_education_display(), m.post) == (
        "汉族",
        "Bachelor's degree",
        "车间主任",
    )
    assert m.skills == "电工、驾驶、急救" and m.skill_list == ["电工", "驾驶", "急救"]
    assert (m.on_call, m.on_call_hours, m.community_post) == (True, "周末", "楼道长")
    assert m.home_organization == place["branch"]  # defaults to the relationship
    assert m.full_due_on is None and m.full_on == dt.date(2009, 7, 1)
    assert (m.id_suffix, m.phone_suffix) == (m.id_number[-4:], "5678")
    assert changes[-1]["members"] == [m] and changes[-1]["unit_ids"] == {place["unit"].pk}


def test_probation_ends_a_year_after_joining(place):
    m = _register(place, status="probationary", joined_on=dt.date(2024, 2, 29))
    assert m.full_due_on == dt.date(2025, 2, 28)
    with pytest.raises(ValidationError, match="no conversion date"):
        _register(
            place,
            id_number=f.id_number(),
            status="probationary",
            joined_on=dt.date(2025, 7, 1),
            full_on=dt.date(2026, 7, 1),
        )
    # Records from elsewhere may lack the date; the forms and the import ask for it.
    assert _register(place, id_number=f.id_number(), status="probationary").full_due_on is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"joined_on": dt.date(2001, 7, 1)}, "R41"),  # born 1985-06-01: 16 years old
        ({"joined_on": dt.date.today() + dt.timedelta(days=3)}, "future"),
        ({"joined_on": dt.date(2010, 7, 1), "full_on": dt.date(2009, 7, 1)}, "before the joining"),
        ({"skills": "、".join(f"技能{i}" for i in range(60))}, "At most 200"),
    ],
)
def test_impossible_records_are_refused(place, fields, message):
    with pytest.raises(ValidationError, match=message):
        _register(place, **fields)
    assert not Member.objects.exists()


def test_r4_a_temporary_branch_cannot_recruit(place):
    d = place["d"]
    temp = f.organization(
        "清拆突击队临时党支部", "temporary_branch", d.gaotang, d.gaotang_committee
    )
    with pytest.raises(RuleViolation, match="R4"):
        member_create(
            actor=None,
            name="李四",
            id_number=f.id_number(),
            organization=temp,
            status="probationary",
            joined_on=dt.date(2026, 1, 5),
        )


def test_update_is_audited_and_tells_the_incubator_old_and_new_units(place, changes):
    m = _register(place, unit=place["unit"])
    other = f.unit(place["d"].gaotang, "高塘物业公司")
    member_update(actor=place["actor"], member=m, unit=other, post="保安队长")
    entry = AuditEntry.objects.filter(action="member.update").get()
    assert entry.before["unit_id"] == place["unit"].pk and entry.after["unit_id"] == other.pk
    assert changes[-1]["unit_ids"] == {place["unit"].pk, other.pk}


def test_changes_that_move_nobody_publish_nothing(place, changes):
    m = _register(place)
    n = len(changes)
    member_update(actor=None, member=m, skills=["园艺"], on_call=True, community_post="调解员")
    assert len(changes) == n
    member_update(actor=None, member=m, status="full", is_floating=True)
    assert len(changes) == n + 1


def test_a_member_who_leaves_is_kept_with_the_reason(place, changes):
    m = _register(place, unit=place["unit"])
    member_archive(
        actor=place["actor"], member=m, reason="deceased", archived_on=dt.date(2026, 3, 2)
    )
    m.refresh_from_db()
    assert (m.archived_on, m.archive_reason) == (dt.date(2026, 3, 2), "deceased")
    assert Member.objects.filter(pk=m.pk).exists()
    assert list(member_list(scope=EVERYTHING)) == []
    assert list(member_list(scope=EVERYTHING, archived=True)) == [m]
    entry = AuditEntry.objects.get(action="member.archive")
    assert entry.reason == "Deceased" and entry.after["archive_reason"] == "deceased"
    assert changes[-1]["members"] == [m]
    with pytest.raises(ValidationError, match="archived already"):
        member_archive(actor=None, member=m, reason="quit")
    with pytest.raises(ValidationError, match="former member"):
        member_update(actor=None, member=m, name="改名")


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"reason": "holiday"}, "Choose why"),
        ({"reason": "other"}, "Say what happened"),
        ({"reason": "quit", "archived_on": dt.date.today() + dt.timedelta(days=1)}, "future"),
        ({"reason": "quit", "archived_on": dt.date(2000, 1, 1)}, "before the joining"),
    ],
)
def test_archiving_needs_a_known_reason_and_a_possible_date(place, kw, message):
    m = _register(place, joined_on=dt.date(2010, 7, 1))
    with pytest.raises(ValidationError, match=message):
        member_archive(actor=None, member=m, **kw)
    m.refresh_from_db()
    assert m.archived_on is None


def test_a_secretary_in_office_is_not_archived(place):
    m = _register(place)
    f.office(place["branch"], m)
    with pytest.raises(ValidationError, match="still holds an office"):
        member_archive(actor=None, member=m, reason="transferred_out", note="转往上海")


def test_search_by_name_unit_and_the_last_four_of_id_or_phone(place):
    m = _register(place, unit=place["unit"], phone="13900001234")
    other = f.member(place["branch"], name="赵六", phone="13700005678")

    def found(q):
        return set(member_list(scope=EVERYTHING, q=q))

    assert found("海燕") == {m} and found("五金") == {m}
    assert found("1234") == {m} and found("5678") == {other}
    assert found(m.id_number[-4:]) == {m}
    assert found(m.id_number) == {m} and found("13900001234") == {m}
    assert found("9999") == set()


def test_suffixes_are_kept_on_every_kind_of_save(place):
    m = f.member(place["branch"], phone="13800001111")  # Model.save()
    assert (m.id_suffix, m.phone_suffix) == (m.id_number[-4:], "1111")
    bulk = Member(
        name="批量",
        gender="male",
        birth_date=dt.date(1985, 6, 1),
        id_number=f.id_number(),
        phone="13800002222",
        organization=place["branch"],
        home_organization=place["branch"],
    )
    Member.objects.bulk_create([bulk])
    assert Member.objects.get(name="批量").phone_suffix == "2222"
    with connection.cursor() as cursor:  # and the suffix column holds only 4 characters
        cursor.execute("select id_suffix, phone_suffix from members_member")
        assert all(len(a) == 4 and len(b) == 4 for a, b in cursor.fetchall())


def test_filters_floating_on_call_status_and_subtree(place):
    d = place["d"]
    floating = f.member(d.dagang_regional, is_floating=True)
    on_call = f.member(place["branch"], on_call=True)
    probationary = f.member(place["branch"], status="probationary")
    assert set(member_list(scope=EVERYTHING, floating=True)) == {floating}
    assert set(member_list(scope=EVERYTHING, on_call=True)) == {on_call}
    assert set(member_list(scope=EVERYTHING, status="probationary")) == {probationary}
    assert set(member_list(scope=EVERYTHING, organization=d.gaotang_committee)) == {
        on_call,
        probationary,
    }


def test_skills_are_tags():
    assert normalize_skills(["电工", " 驾驶 ", "电工", ""]) == "电工、驾驶"
    assert normalize_skills("电工，驾驶;急救 / 水电") == "电工、驾驶、急救、水电"


def test_the_fast_snapshot_equals_the_audit_snapshot(place):
    m = _register(place, phone="13812345678", joined_on=dt.date(2008, 7, 1), unit=place["unit"])
    assert snapshot_function(Member)(m) == snapshot(m)
