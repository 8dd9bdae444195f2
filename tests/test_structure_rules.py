"""Structure rules R1–R8 and the 1+N placement, exercised through the services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gangwan.core.errors import ReasonRequired, RuleViolation
from gangwan.core.models import AuditEntry, RuleSetting
from gangwan.core.scopes import Scope
from gangwan.members.services import member_create, member_update
from gangwan.organizations.models import Office, Organization, Term
from gangwan.organizations.selectors import terms_ending_soon
from gangwan.organizations.services import (
    office_assign,
    office_end,
    organization_create,
    organization_dissolve,
    organization_move,
    organization_update,
    term_start,
)
from gangwan.regions.services import region_create, region_move
from gangwan.units.services import unit_create
from tests import factories as f

EVERYTHING = Scope(everything=True)


@pytest.fixture
def actor(district):
    return f.user(role="district_admin", region=district.district)


def _staff(org, unit, full: int, probationary: int = 0):
    """Members working in `unit`, their relationship held by `org` (e.g. the regional branch)."""
    return [f.member(org, unit=unit) for _ in range(full)] + [
        f.member(org, unit=unit, status="probationary") for _ in range(probationary)
    ]


def _rules(exc) -> set[str]:
    return {finding.rule for finding in exc.value.findings}


def _branch(district, actor, *, full: int = 3, **kw):
    """A standalone branch of an enterprise in 大港社区, its members moved into it."""
    u = f.unit(district.dagang, "宁波港务有限公司")
    people = _staff(district.dagang_regional, u, full)
    kw.setdefault("established_on", dt.date(2013, 7, 1))
    org = organization_create(
        actor=actor,
        name="宁波港务党支部",
        kind="branch",
        region=district.dagang,
        parent=district.xinqi_wc,
        units=[u],
        **kw,
    )
    for m in people:
        m.organization = m.home_organization = org
        m.save()
    return org, people


# --- R1 -------------------------------------------------------------------------------------
def test_r1_branch_needs_three_full_members(district, actor):
    u = f.unit(district.dagang, "北仑精密机械有限公司")
    _staff(district.dagang_regional, u, full=2)
    with pytest.raises(RuleViolation) as exc:
        organization_create(
            actor=actor,
            name="精密机械党支部",
            kind="branch",
            region=district.dagang,
            parent=district.xinqi_wc,
            units=[u],
        )
    assert "R1" in str(exc.value) and _rules(exc) == {"R1"}
    assert not Organization.objects.filter(name="精密机械党支部").exists()

    f.member(district.dagang_regional, unit=u)  # the third full member arrives
    org = organization_create(
        actor=actor,
        name="精密机械党支部",
        kind="branch",
        region=district.dagang,
        parent=district.xinqi_wc,
        units=[u],
    )
    entry = AuditEntry.objects.get(action="organization.create", object_id=str(org.pk))
    assert entry.actor == actor and entry.before is None
    assert entry.after["name"] == "精密机械党支部" and entry.after["units"] == [u.pk]
    assert org.unit_links.get().is_primary


def test_r1_probationary_members_do_not_count(district, actor):
    u = f.unit(district.dagang)
    _staff(district.dagang_regional, u, full=2, probationary=5)
    with pytest.raises(RuleViolation) as exc:
        organization_create(
            actor=actor,
            name="党支部",
            kind="branch",
            region=district.dagang,
            parent=district.xinqi_wc,
            units=[u],
        )
    assert "R1" in str(exc.value)


def test_r1_archived_members_do_not_count(district, actor):
    u = f.unit(district.dagang)
    _staff(district.dagang_regional, u, full=2)
    f.member(district.dagang_regional, unit=u, archived_on=dt.date(2020, 1, 1))
    with pytest.raises(RuleViolation):
        organization_create(
            actor=actor,
            name="党支部",
            kind="branch",
            region=district.dagang,
            parent=district.xinqi_wc,
            units=[u],
        )


def test_r1_standalone_branch_needs_its_unit(district, actor):
    with pytest.raises(RuleViolation) as exc:
        organization_create(
            actor=actor,
            name="无单位党支部",
            kind="branch",
            region=district.dagang,
            parent=district.xinqi_wc,
        )
    assert _rules(exc) == {"R1"}


def test_r1_changing_a_joint_branch_into_a_standalone_branch_counts_the_unit(district, actor):
    u = f.unit(district.dagang)
    _staff(district.dagang_regional, u, full=2)
    joint = organization_create(
        actor=actor,
        name="联合党支部",
        kind="joint_branch",
        region=district.dagang,
        parent=district.xinqi_wc,
        units=[u],
        primary_unit=u,
    )
    with pytest.raises(RuleViolation) as exc:
        organization_update(actor=actor, organization=joint, kind="branch")
    assert "R1" in str(exc.value)


# --- R3 -------------------------------------------------------------------------------------
def test_r3_joint_branch_over_five_units_needs_a_reason(district, actor):
    units = [f.unit(district.dagang) for _ in range(6)]
    kw = dict(
        actor=actor,
        name="大港联合党支部",
        kind="joint_branch",
        region=district.dagang,
        parent=district.xinqi_wc,
        units=units,
    )
    with pytest.raises(ReasonRequired) as exc:
        organization_create(**kw)
    assert _rules(exc) == {"R3"} and "R3" in str(exc.value)
    org = organization_create(**kw, reason="6家企业同处一幢楼宇，经街道党工委批准")
    entry = AuditEntry.objects.get(action="organization.create", object_id=str(org.pk))
    assert entry.reason == "6家企业同处一幢楼宇，经街道党工委批准"
    assert [w["rule"] for w in entry.warnings] == ["R3"] and entry.warnings[0]["level"] == "warn"
    assert org.unit_links.count() == 6


def test_r3_joint_branch_of_five_units_needs_no_reason(district, actor):
    units = [f.unit(district.dagang) for _ in range(5)]
    org = organization_create(
        actor=actor,
        name="联合党支部",
        kind="joint_branch",
        region=district.dagang,
        parent=district.xinqi_wc,
        units=units,
    )
    assert (
        AuditEntry.objects.get(object_id=str(org.pk), action="organization.create").warnings == []
    )


def test_r3_renaming_an_approved_joint_branch_asks_no_reason_again(district, actor):
    units = [f.unit(district.dagang) for _ in range(6)]
    org = organization_create(
        actor=actor,
        name="联合党支部",
        kind="joint_branch",
        region=district.dagang,
        parent=district.xinqi_wc,
        units=units,
        reason="经批准",
    )
    organization_update(actor=actor, organization=org, name="大港第一联合党支部")
    organization_update(actor=actor, organization=org, name="大港第一联合党支部", units=units)
    with pytest.raises(ReasonRequired):
        organization_update(actor=actor, organization=org, units=[*units, f.unit(district.dagang)])


# --- R4 -------------------------------------------------------------------------------------
def test_r4_temporary_branch_holds_no_term_election(district, actor):
    temp = f.organization(
        "拆违突击队临时党支部", "temporary_branch", district.gaotang, district.gaotang_committee
    )
    with pytest.raises(RuleViolation) as exc:
        term_start(actor=actor, organization=temp, started_on=dt.date(2024, 3, 1))
    assert _rules(exc) == {"R4"} and "R4" in str(exc.value)
    assert not Term.objects.filter(organization=temp).exists()


def test_r4_temporary_branch_cannot_recruit(district, actor):
    temp = f.organization(
        "临时党支部", "temporary_branch", district.gaotang, district.gaotang_committee
    )
    with pytest.raises(RuleViolation) as exc:
        member_create(
            actor=actor,
            name="李想",
            id_number=f.id_number(),
            organization=temp,
            status="probationary",
        )
    assert "R4" in str(exc.value)
    # A full member may take part there; but cannot be turned into a probationary one.
    m = member_create(
        actor=actor, name="张强", id_number=f.id_number(), organization=temp, status="full"
    )
    with pytest.raises(RuleViolation):
        member_update(actor=actor, member=m, status="probationary")


# --- R5 -------------------------------------------------------------------------------------
def test_r5_committee_member_refused_below_seven_full_members(district, actor):
    org, people = _branch(district, actor, full=6)
    office_assign(
        actor=actor,
        organization=org,
        member=people[0],
        role="secretary",
        started_on=dt.date(2024, 1, 1),
    )
    office_assign(
        actor=actor,
        organization=org,
        member=people[1],
        role="deputy_secretary",
        started_on=dt.date(2024, 1, 1),
    )
    with pytest.raises(RuleViolation) as exc:
        office_assign(
            actor=actor,
            organization=org,
            member=people[2],
            role="committee_member",
            started_on=dt.date(2024, 1, 1),
        )
    assert _rules(exc) == {"R5"}


def test_r5_committee_has_at_most_seven_seats(district, actor):
    org, people = _branch(district, actor, full=9)
    office_assign(
        actor=actor,
        organization=org,
        member=people[0],
        role="secretary",
        started_on=dt.date(2024, 1, 1),
    )
    for m in people[1:7]:
        office_assign(
            actor=actor,
            organization=org,
            member=m,
            role="committee_member",
            started_on=dt.date(2024, 1, 1),
        )
    assert Office.objects.filter(organization=org, ended_on__isnull=True).count() == 7
    with pytest.raises(RuleViolation) as exc:
        office_assign(
            actor=actor,
            organization=org,
            member=people[7],
            role="committee_member",
            started_on=dt.date(2024, 1, 1),
        )
    assert "R5" in str(exc.value)


def test_r5_one_deputy_secretary(district, actor):
    org, people = _branch(district, actor, full=8)
    office_assign(
        actor=actor,
        organization=org,
        member=people[0],
        role="deputy_secretary",
        started_on=dt.date(2024, 1, 1),
    )
    with pytest.raises(RuleViolation) as exc:
        office_assign(
            actor=actor,
            organization=org,
            member=people[1],
            role="deputy_secretary",
            started_on=dt.date(2024, 1, 1),
        )
    assert _rules(exc) == {"R5"}


def test_r5_one_sitting_secretary(district, actor):
    org, people = _branch(district, actor, full=3)
    first = office_assign(
        actor=actor,
        organization=org,
        member=people[0],
        role="secretary",
        started_on=dt.date(2021, 1, 1),
    )
    with pytest.raises(ValidationError):
        office_assign(
            actor=actor,
            organization=org,
            member=people[1],
            role="secretary",
            started_on=dt.date(2024, 1, 1),
        )
    office_end(actor=actor, office=first, ended_on=dt.date(2023, 12, 31))
    second = office_assign(
        actor=actor,
        organization=org,
        member=people[1],
        role="secretary",
        started_on=dt.date(2024, 1, 1),
    )
    assert list(
        Office.objects.filter(organization=org, role="secretary", ended_on__isnull=True)
    ) == [second]


def test_r8_secretary_without_a_year_of_standing_needs_a_reason(district, actor):
    org, people = _branch(district, actor, full=3)
    people[0].joined_on = dt.date(2023, 7, 1)
    people[0].save()
    with pytest.raises(ReasonRequired):
        office_assign(
            actor=actor,
            organization=org,
            member=people[0],
            role="secretary",
            started_on=dt.date(2024, 1, 1),
        )


def test_office_is_for_members_of_the_organization_only(district, actor):
    org, people = _branch(district, actor, full=3)
    outsider = f.member(district.qingzhi_committee)
    with pytest.raises(ValidationError):
        office_assign(
            actor=actor,
            organization=org,
            member=outsider,
            role="secretary",
            started_on=dt.date(2024, 1, 1),
        )
    people[0].archived_on = dt.date(2023, 1, 1)
    with pytest.raises(ValidationError):
        office_assign(
            actor=actor,
            organization=org,
            member=people[0],
            role="secretary",
            started_on=dt.date(2024, 1, 1),
        )


# --- R6 -------------------------------------------------------------------------------------
def test_r6_general_branch_below_fifty_members_warns(district, actor):
    u = f.unit(district.gaotang)
    _staff(district.gaotang_committee, u, full=12)
    kw = dict(
        actor=actor,
        name="港城党总支",
        kind="general_branch",
        region=district.gaotang,
        parent=district.gaotang_committee,
        units=[u],
        primary_unit=u,
    )
    with pytest.raises(ReasonRequired) as exc:
        organization_create(**kw)
    assert _rules(exc) == {"R6"}
    org = organization_create(**kw, reason="下设三个生产车间支部，经社区党委批准")
    assert (
        AuditEntry.objects.get(object_id=str(org.pk), action="organization.create").warnings[0][
            "rule"
        ]
        == "R6"
    )


# --- R8 -------------------------------------------------------------------------------------
def test_r8_default_term_is_three_years_for_a_branch_five_for_a_committee(district, actor):
    org, _ = _branch(district, actor)
    assert term_start(
        actor=actor, organization=org, started_on=dt.date(2024, 3, 1)
    ).ends_on == dt.date(2027, 3, 1)
    committee_term = term_start(
        actor=actor, organization=district.gaotang_committee, started_on=dt.date(2021, 5, 10)
    )
    assert committee_term.ends_on == dt.date(2026, 5, 10)


def test_r8_village_branch_serves_five_years(district, actor):
    village_unit = f.unit(district.qingzhi, "青峙村", kind="village")
    branch = f.organization(
        "青峙村党支部", "branch", district.qingzhi, district.qingzhi_committee, units=[village_unit]
    )
    assert term_start(
        actor=actor, organization=branch, started_on=dt.date(2024, 2, 29)
    ).ends_on == dt.date(2029, 2, 28)


def test_r8_end_shifted_by_more_than_a_year_is_refused(district, actor):
    org, _ = _branch(district, actor)
    start = dt.date(2024, 3, 1)  # regular end 2027-03-01
    for ends_on in (dt.date(2028, 3, 2), dt.date(2026, 2, 28), dt.date(2030, 1, 1), start):
        with pytest.raises(RuleViolation) as exc:
            term_start(actor=actor, organization=org, started_on=start, ends_on=ends_on)
        assert _rules(exc) == {"R8"}


def test_r8_end_shifted_by_a_few_months_needs_a_reason(district, actor):
    org, _ = _branch(district, actor)
    start = dt.date(2024, 3, 1)
    with pytest.raises(ReasonRequired):
        term_start(actor=actor, organization=org, started_on=start, ends_on=dt.date(2027, 6, 30))
    term = term_start(
        actor=actor,
        organization=org,
        started_on=start,
        ends_on=dt.date(2028, 3, 1),
        reason="与村社组织换届同步，经区委组织部批准",
    )
    assert term.ends_on == dt.date(2028, 3, 1)
    assert AuditEntry.objects.filter(action="term.start", warnings__0__rule="R8").exists()


def test_r8_a_new_term_closes_the_previous_one(district, actor):
    org, _ = _branch(district, actor)
    first = term_start(actor=actor, organization=org, started_on=dt.date(2021, 3, 1))
    term_start(actor=actor, organization=org, started_on=dt.date(2024, 3, 1))
    first.refresh_from_db()
    assert first.closed_on == dt.date(2024, 3, 1)
    assert Term.objects.filter(organization=org, closed_on__isnull=True).count() == 1


def test_r8_terms_ending_soon_lists_the_next_six_months_and_overdue_terms(district):
    today = dt.date(2025, 1, 15)
    soon = f.term(
        district.gaotang_committee, dt.date(2020, 7, 15), dt.date(2025, 7, 15)
    )  # exactly 6 months
    overdue = f.term(district.qingzhi_committee, dt.date(2019, 11, 1), dt.date(2024, 11, 1))
    f.term(district.xinqi_wc, dt.date(2020, 7, 16), dt.date(2025, 7, 16))  # one day too late
    closed = f.term(district.xiaogang_wc, dt.date(2019, 1, 1), dt.date(2024, 1, 1))
    closed.closed_on = dt.date(2023, 12, 20)
    closed.save()
    gone = f.organization(
        "已撤销党支部",
        "branch",
        district.gaotang,
        district.gaotang_committee,
        dissolved_on=dt.date(2024, 6, 1),
    )
    f.term(gone, dt.date(2022, 3, 1), dt.date(2025, 3, 1))
    assert list(terms_ending_soon(scope=EVERYTHING, today=today)) == [overdue, soon]


# --- 1+N and placement ----------------------------------------------------------------------
def test_1n_second_regional_branch_in_an_area_is_refused(district, actor):
    with pytest.raises(RuleViolation) as exc:
        organization_create(
            actor=actor,
            name="大港社区第二综合党支部",
            kind="regional_branch",
            region=district.dagang,
            parent=district.xinqi_wc,
        )
    assert _rules(exc) == {"1+N"}


def test_1n_regional_branch_belongs_to_a_community_or_village(district, actor):
    with pytest.raises(RuleViolation) as exc:
        organization_create(
            actor=actor,
            name="新碶街道综合党支部",
            kind="regional_branch",
            region=district.xinqi,
            parent=district.xinqi_wc,
        )
    assert _rules(exc) == {"1+N"}
    org = organization_create(
        actor=actor,
        name="高塘社区区域综合党支部",
        kind="regional_branch",
        region=district.gaotang,
        parent=district.gaotang_committee,
    )
    assert org.region == district.gaotang


def test_1n_a_dissolved_regional_branch_makes_room_for_a_new_one(district, actor):
    organization_dissolve(
        actor=actor,
        organization=district.dagang_regional,
        dissolved_on=dt.date(2024, 1, 1),
        reason="撤并重组",
    )
    org = organization_create(
        actor=actor,
        name="大港社区区域综合党支部（新）",
        kind="regional_branch",
        region=district.dagang,
        parent=district.xinqi_wc,
    )
    assert org.is_active


def test_placement_a_branch_has_no_organizations_under_it(district, actor):
    org, _ = _branch(district, actor)
    with pytest.raises(RuleViolation) as exc:
        organization_create(
            actor=actor,
            name="党小组",
            kind="joint_branch",
            region=district.dagang,
            parent=org,
            units=[f.unit(district.dagang)],
        )
    assert _rules(exc) == {"structure"}


def test_placement_area_outside_the_parents_area_is_refused(district, actor):
    with pytest.raises(RuleViolation) as exc:
        organization_create(
            actor=actor,
            name="青峙联合党支部",
            kind="joint_branch",
            region=district.qingzhi,
            parent=district.xinqi_wc,
            units=[f.unit(district.qingzhi)],
        )
    assert _rules(exc) == {"structure"}


def test_placement_region_change_may_not_strand_child_organizations(district, actor):
    f.organization("高塘第一党支部", "branch", district.gaotang, district.gaotang_committee)
    with pytest.raises(RuleViolation):
        organization_update(actor=actor, organization=district.xinqi_wc, region=district.dagang)


def test_placement_an_organization_with_children_stays_a_parent_kind(district, actor):
    f.organization("高塘第一党支部", "branch", district.gaotang, district.gaotang_committee)
    with pytest.raises(RuleViolation):
        organization_update(
            actor=actor, organization=district.gaotang_committee, kind="joint_branch"
        )


def test_move_places_the_whole_subtree_under_the_new_parent(district, actor):
    gb = f.organization(
        "高塘党总支", "general_branch", district.gaotang, district.gaotang_committee
    )
    br = f.organization("高塘第二党支部", "branch", district.gaotang, gb)
    organization_move(actor=actor, organization=gb, new_parent=district.xinqi_wc, reason="")
    br.refresh_from_db()
    gb.refresh_from_db()
    assert (
        gb.parent == district.xinqi_wc
        and gb.depth == 3
        and br.depth == 4
        and br.path.startswith(gb.path)
    )
    entry = AuditEntry.objects.get(action="organization.move")
    assert (
        entry.before["parent_id"] == district.gaotang_committee.pk
        and entry.after["parent_id"] == district.xinqi_wc.pk
    )


def test_move_is_refused_where_the_placement_is_refused(district, actor):
    org, _ = _branch(district, actor)
    with pytest.raises(RuleViolation):  # under a branch
        organization_move(actor=actor, organization=district.gaotang_committee, new_parent=org)
    with pytest.raises(RuleViolation):  # 高塘 lies outside 小港街道
        organization_move(
            actor=actor, organization=district.gaotang_committee, new_parent=district.xiaogang_wc
        )


# --- dissolving -----------------------------------------------------------------------------
def test_dissolve_is_refused_while_members_remain(district, actor):
    org, people = _branch(district, actor)
    with pytest.raises(ValidationError):
        organization_dissolve(
            actor=actor, organization=org, dissolved_on=dt.date(2024, 1, 1), reason="企业关停"
        )
    for m in people:
        member_update(
            actor=actor,
            member=m,
            organization=district.dagang_regional,
            home_organization=district.dagang_regional,
        )
    office = f.office(district.dagang_regional, people[0])
    term = f.term(org, dt.date(2022, 1, 1), dt.date(2025, 1, 1))
    Office.objects.filter(pk=office.pk).update(organization=org)
    with pytest.raises(ValidationError):  # a reason is required
        organization_dissolve(
            actor=actor, organization=org, dissolved_on=dt.date(2024, 1, 1), reason=" "
        )
    organization_dissolve(
        actor=actor, organization=org, dissolved_on=dt.date(2024, 1, 1), reason="企业关停"
    )
    org.refresh_from_db()
    term.refresh_from_db()
    assert org.dissolved_on == dt.date(2024, 1, 1) and org.dissolution_reason == "企业关停"
    assert term.closed_on == dt.date(2024, 1, 1)
    assert not Office.objects.filter(organization=org, ended_on__isnull=True).exists()
    with pytest.raises(ValidationError):
        organization_dissolve(
            actor=actor, organization=org, dissolved_on=dt.date(2024, 2, 1), reason="再次"
        )
    with pytest.raises(ValidationError):
        term_start(actor=actor, organization=org, started_on=dt.date(2024, 3, 1))


def test_dissolve_is_refused_while_member_takes_part_there(district, actor):
    f.member(district.gaotang_committee, home_organization=district.dagang_regional)
    with pytest.raises(ValidationError):
        organization_dissolve(
            actor=actor,
            organization=district.dagang_regional,
            dissolved_on=dt.date(2024, 1, 1),
            reason="撤并",
        )


def test_dissolve_date_follows_the_establishment(district, actor):
    with pytest.raises(ValidationError):  # 大港 regional branch was established on 2012-07-01
        organization_dissolve(
            actor=actor,
            organization=district.dagang_regional,
            dissolved_on=dt.date(2011, 1, 1),
            reason="撤并",
        )


def test_dissolve_is_refused_while_child_organizations_remain(district, actor):
    with pytest.raises(ValidationError):
        organization_dissolve(
            actor=actor,
            organization=district.xiaogang_wc,
            dissolved_on=dt.date(2024, 1, 1),
            reason="撤并",
        )


# --- CONFIG: a region's own values ----------------------------------------------------------
def test_rule_values_follow_the_nearest_regions_setting(district, actor):
    RuleSetting.objects.create(region=district.district, key="R3.max_joint_units", value=4)
    RuleSetting.objects.create(region=district.xinqi, key="R3.max_joint_units", value=6)
    organization_create(
        actor=actor,
        kind="joint_branch",
        parent=district.xinqi_wc,
        name="大港联合党支部",  # 新碶 allows 6
        region=district.dagang,
        units=[f.unit(district.dagang) for _ in range(6)],
    )
    with pytest.raises(ReasonRequired):  # 小港 follows the district's 4
        organization_create(
            actor=actor,
            kind="joint_branch",
            parent=district.qingzhi_committee,
            name="青峙联合党支部",
            region=district.qingzhi,
            units=[f.unit(district.qingzhi) for _ in range(5)],
        )


# --- regions and units ----------------------------------------------------------------------
def test_region_levels_nest_district_street_community(district, actor):
    with pytest.raises(ValidationError):
        region_create(
            actor=actor,
            parent=district.district,
            name="某社区",
            level="community",
            kind="residential",
        )
    with pytest.raises(ValidationError):
        region_create(actor=actor, parent=district.gaotang, name="某街道", level="street")
    with pytest.raises(ValidationError):
        region_create(actor=actor, parent=None, name="某街道", level="street")
    with pytest.raises(ValidationError):  # a community needs its kind
        region_create(actor=actor, parent=district.xinqi, name="芙蓉社区", level="community")
    town = region_create(
        actor=actor, parent=district.district, name="大碶街道", level="street", kind="residential"
    )
    assert town.kind == "" and town.depth == 2
    with pytest.raises(ValidationError):  # a community cannot become a child of a community
        region_move(actor=actor, region=district.gaotang, new_parent=district.qingzhi)


def test_unit_credit_code_is_checked_and_unique(district, actor):
    code = f.credit_code()
    with pytest.raises(ValidationError) as exc:
        unit_create(
            actor=actor,
            name="北仑某公司",
            kind="private_enterprise",
            region=district.dagang,
            credit_code=code[:17] + ("0" if code[17] != "0" else "1"),
        )
    assert "credit_code" in exc.value.message_dict
    unit = unit_create(
        actor=actor,
        name="北仑某公司",
        kind="private_enterprise",
        region=district.dagang,
        credit_code=code.lower(),
    )
    assert unit.credit_code == code
    with pytest.raises(ValidationError) as exc:
        unit_create(
            actor=actor,
            name="同码公司",
            kind="private_enterprise",
            region=district.dagang,
            credit_code=code,
        )
    assert "credit_code" in exc.value.message_dict
    assert (
        unit_create(
            actor=actor, name="无码个体户", kind="private_enterprise", region=district.dagang
        ).credit_code
        is None
    )
