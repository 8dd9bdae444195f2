"""Audit (SPEC §11): every change made through a service writes who, when, what, before/after."""

import datetime as dt

import pytest

from gangwan.core.audit import history_for, snapshot
from gangwan.core.errors import RuleViolation
from gangwan.core.models import AuditEntry
from gangwan.members.services import member_create, member_reveal, member_update
from gangwan.organizations.services import (
    office_assign,
    office_end,
    organization_create,
    organization_dissolve,
    organization_move,
    organization_update,
    term_start,
)
from gangwan.regions.services import region_create, region_move, region_update
from gangwan.units.services import unit_create, unit_update
from tests import factories as f


@pytest.fixture
def actor(district):
    return f.user(role="district_admin", region=district.district, display_name="区委组织部 张敏")


def _last(action: str) -> AuditEntry:
    entry = AuditEntry.objects.filter(action=action).order_by("-id").first()
    assert entry is not None, f"no audit entry for {action}"
    return entry


def test_region_services_are_audited(district, actor):
    village = region_create(
        actor=actor,
        parent=district.xiaogang,
        name="向家村",
        level="village",
        kind="village",
        residents=1500,
        newcomers=10000,
    )
    entry = _last("region.create")
    assert entry.actor == actor and entry.before is None and entry.after["name"] == "向家村"
    assert entry.object_id == str(village.pk) and entry.content_type.model == "region"
    assert "path" not in entry.after and "depth" not in entry.after

    region_update(actor=actor, region=village, newcomers=12000)
    entry = _last("region.update")
    assert (entry.before["newcomers"], entry.after["newcomers"]) == (10000, 12000)
    assert [c[0] for c in entry.changes()] == ["newcomers"]

    region_move(actor=actor, region=village, new_parent=district.xinqi)
    entry = _last("region.move")
    assert (entry.before["parent_id"], entry.after["parent_id"]) == (
        district.xiaogang.pk,
        district.xinqi.pk,
    )


def test_unit_services_are_audited(district, actor):
    unit = unit_create(
        actor=actor,
        name="宁波大港物流有限公司",
        kind="private_enterprise",
        region=district.dagang,
        credit_code=f.credit_code(),
        employees=320,
    )
    entry = _last("unit.create")
    assert entry.actor == actor and entry.before is None and entry.after["employees"] == 320
    assert entry.after["region_id"] == district.dagang.pk

    unit_update(actor=actor, unit=unit, has_union=True, union_founded_on=dt.date(2013, 5, 1))
    entry = _last("unit.update")
    assert (entry.before["has_union"], entry.after["has_union"]) == (False, True)
    assert entry.after["union_founded_on"] == "2013-05-01"


def test_organization_services_are_audited(district, actor):
    units = [f.unit(district.dagang) for _ in range(2)]
    org = organization_create(
        actor=actor,
        name="大港联合党支部",
        kind="joint_branch",
        region=district.dagang,
        parent=district.xinqi_wc,
        units=units,
        document_no="仑新党〔2013〕8号",
        established_on=dt.date(2013, 3, 1),
    )
    entry = _last("organization.create")
    assert entry.actor == actor and entry.before is None
    assert entry.after["document_no"] == "仑新党〔2013〕8号" and entry.after["units"] == sorted(
        u.pk for u in units
    )

    organization_update(actor=actor, organization=org, name="大港第一联合党支部", units=units[:1])
    entry = _last("organization.update")
    assert (entry.before["name"], entry.after["name"]) == ("大港联合党支部", "大港第一联合党支部")
    assert (len(entry.before["units"]), len(entry.after["units"])) == (2, 1)

    gb = f.organization("大港党总支", "general_branch", district.dagang, district.xinqi_wc)
    organization_move(actor=actor, organization=org, new_parent=gb)
    entry = _last("organization.move")
    assert (entry.before["parent_id"], entry.after["parent_id"]) == (district.xinqi_wc.pk, gb.pk)

    organization_dissolve(
        actor=actor, organization=org, dissolved_on=dt.date(2024, 6, 30), reason="企业迁出"
    )
    entry = _last("organization.dissolve")
    assert entry.before["dissolved_on"] is None and entry.after["dissolved_on"] == "2024-06-30"
    assert entry.reason == "企业迁出" and entry.actor == actor

    actions = [e.action for e in history_for(org)]
    assert set(actions) == {
        "organization.create",
        "organization.update",
        "organization.move",
        "organization.dissolve",
    }


def test_office_and_term_services_are_audited(district, actor):
    secretary = f.member(district.gaotang_committee, name="李国强")
    office = office_assign(
        actor=actor,
        organization=district.gaotang_committee,
        member=secretary,
        role="secretary",
        started_on=dt.date(2021, 5, 10),
    )
    entry = _last("office.assign")
    assert (
        entry.actor == actor
        and entry.after["member_id"] == secretary.pk
        and entry.after["role"] == "secretary"
    )
    assert entry.object_id == str(district.gaotang_committee.pk)

    office_end(actor=actor, office=office, ended_on=dt.date(2024, 5, 9))
    entry = _last("office.end")
    assert entry.before["ended_on"] is None and entry.after["ended_on"] == "2024-05-09"

    term_start(
        actor=actor, organization=district.gaotang_committee, started_on=dt.date(2021, 5, 10)
    )
    entry = _last("term.start")
    assert entry.actor == actor and entry.after["ends_on"] == "2026-05-10"


def test_member_services_are_audited(district, actor):
    m = member_create(
        actor=actor,
        name="陈静",
        id_number=f.id_number(gender="female"),
        phone="13512345678",
        organization=district.gaotang_committee,
        status="probationary",
    )
    entry = _last("member.create")
    assert entry.actor == actor and entry.before is None
    assert entry.after["name"] == "陈静" and entry.after["status"] == "probationary"

    member_update(actor=actor, member=m, status="full", joined_on=dt.date(2023, 7, 1))
    entry = _last("member.update")
    assert (entry.before["status"], entry.after["status"]) == ("probationary", "full")

    member_reveal(actor=actor, member=m, field="phone", reason="通知参加党员大会")
    entry = _last("member.reveal.phone")
    assert entry.actor == actor and entry.reason == "通知参加党员大会"
    assert {e.action for e in history_for(m)} == {
        "member.create",
        "member.update",
        "member.reveal.phone",
    }


def test_refused_changes_leave_no_audit_entry(district, actor):
    before = AuditEntry.objects.count()
    with pytest.raises(RuleViolation):  # R1: the unit has no full members
        organization_create(
            actor=actor,
            name="党支部",
            kind="branch",
            region=district.dagang,
            parent=district.xinqi_wc,
            units=[f.unit(district.dagang)],
        )
    assert AuditEntry.objects.count() == before


def test_audit_entries_carry_the_region_for_scoped_trails(district, actor):
    unit = unit_create(
        actor=actor, name="青峙化工", kind="private_enterprise", region=district.qingzhi
    )
    member_create(
        actor=actor, name="赵磊", id_number=f.id_number(), organization=district.qingzhi_committee
    )
    assert _last("unit.create").region_path == district.qingzhi.path
    assert _last("member.create").region_path == district.qingzhi.path
    assert unit.pk


def test_snapshot_is_json_safe_and_skips_tree_internals(district):
    data = snapshot(district.gaotang_committee)
    assert data["established_on"] == "2012-07-01" and data["parent_id"] == district.xinqi_wc.pk
    assert "path" not in data and "depth" not in data
    assert snapshot(None) is None
