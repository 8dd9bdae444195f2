"""Scopes (SPEC §0): every list, figure and detail is cut to the union of the user's scopes.

Two streets with data in each; for every role the selectors return nothing from the other street,
and a detail page of an object outside the scope is a 404 (never "forbidden", which would leak)."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from gangwan.core.models import RoleAssignment
from gangwan.core.scopes import scope_for
from gangwan.members.selectors import member_get, member_list, members_by_status
from gangwan.organizations.selectors import (
    coverage,
    organization_get,
    organization_list,
    organizations_by_kind,
    terms_ending_soon,
)
from gangwan.regions.selectors import region_get, region_list, region_roots
from gangwan.units.selectors import unit_get, unit_list
from tests import factories as f


class TwoStreets:
    """新碶 and 小港, each with a unit, a branch, members (full and probationary) and a term."""

    def __init__(self, d):
        self.d = d
        self.xinqi_unit = f.unit(d.gaotang, "高塘物业公司", has_union=True)
        self.xiaogang_unit = f.unit(d.qingzhi, "青峙化工有限公司")
        self.xinqi_branch = f.organization(
            "高塘物业党支部", "branch", d.gaotang, d.gaotang_committee, units=[self.xinqi_unit]
        )
        self.xiaogang_branch = f.organization(
            "青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee, units=[self.xiaogang_unit]
        )
        self.xinqi_members = [f.member(self.xinqi_branch, unit=self.xinqi_unit) for _ in range(3)]
        self.xinqi_members.append(f.member(d.gaotang_committee, status="probationary"))
        self.xiaogang_members = [
            f.member(self.xiaogang_branch, unit=self.xiaogang_unit) for _ in range(4)
        ]
        self.xiaogang_members.append(f.member(d.qingzhi_committee, status="probationary"))
        f.term(self.xinqi_branch, "2022-03-01", "2025-03-01")
        f.term(self.xiaogang_branch, "2022-03-01", "2025-03-01")


@pytest.fixture
def world(district):
    return TwoStreets(district)


def _ids(qs):
    return {o.pk for o in qs}


def _assert_cut_to_xinqi(scope, w, *, whole_street: bool):
    d = w.d
    regions = _ids(region_list(scope=scope))
    assert not regions & {d.xiaogang.pk, d.qingzhi.pk, d.district.pk}
    orgs = _ids(organization_list(scope=scope))
    assert not orgs & {
        d.committee.pk,
        d.xiaogang_wc.pk,
        d.qingzhi_committee.pk,
        w.xiaogang_branch.pk,
    }
    assert w.xinqi_branch.pk in orgs
    units = _ids(unit_list(scope=scope))
    assert units == {w.xinqi_unit.pk}
    members = _ids(member_list(scope=scope))
    assert members == {m.pk for m in w.xinqi_members}
    assert members_by_status(scope=scope) == {"full": 3, "probationary": 1}
    figures = coverage(scope=scope)
    assert figures["total"] == 1 and figures["covered"] == 1 and figures["union"] == 1
    kinds = organizations_by_kind(scope=scope)
    assert "working_committee" not in kinds or whole_street
    assert kinds.get("branch") == 1
    assert {
        t.organization_id for t in terms_ending_soon(scope=scope, today=dt.date(2025, 1, 1))
    } == {w.xinqi_branch.pk}
    for getter, obj in [
        (region_get, d.qingzhi),
        (region_get, d.xiaogang),
        (organization_get, w.xiaogang_branch),
        (organization_get, d.committee),
        (unit_get, w.xiaogang_unit),
        (member_get, w.xiaogang_members[0]),
        (member_get, w.xiaogang_members[-1]),
    ]:
        with pytest.raises(Http404):
            getter(scope=scope, pk=obj.pk)
    assert organization_get(scope=scope, pk=w.xinqi_branch.pk) == w.xinqi_branch
    assert member_get(scope=scope, pk=w.xinqi_members[0].pk) == w.xinqi_members[0]
    assert unit_get(scope=scope, pk=w.xinqi_unit.pk) == w.xinqi_unit


def test_district_admin_sees_the_whole_district(world):
    d = world.d
    scope = scope_for(f.user(role="district_admin", region=d.district))
    assert scope.is_district_admin
    assert _ids(region_list(scope=scope)) == {
        d.district.pk,
        d.xinqi.pk,
        d.xiaogang.pk,
        d.gaotang.pk,
        d.dagang.pk,
        d.qingzhi.pk,
    }
    assert len(member_list(scope=scope)) == 9
    assert members_by_status(scope=scope) == {"full": 7, "probationary": 2}
    assert coverage(scope=scope)["total"] == 2
    assert organizations_by_kind(scope=scope)["branch"] == 2
    assert region_get(scope=scope, pk=d.qingzhi.pk) == d.qingzhi
    assert list(region_roots(scope=scope)) == [d.district]


def test_district_admin_of_another_district_sees_nothing_here(world):
    other = f.district("镇海区")
    scope = scope_for(f.user(role="district_admin", region=other))
    assert _ids(region_list(scope=scope)) == {other.pk}
    assert not organization_list(scope=scope).exists() and not member_list(scope=scope).exists()
    assert not unit_list(scope=scope).exists() and coverage(scope=scope)["total"] == 0
    with pytest.raises(Http404):
        member_get(scope=scope, pk=world.xinqi_members[0].pk)


def test_street_admin_sees_its_street_only(world):
    scope = scope_for(f.user(role="street_admin", region=world.d.xinqi))
    _assert_cut_to_xinqi(scope, world, whole_street=True)
    assert world.d.xinqi_wc.pk in _ids(organization_list(scope=scope))
    assert list(region_roots(scope=scope)) == [world.d.xinqi]


def test_secretary_sees_its_organizations_subtree_only(world):
    scope = scope_for(f.user(role="secretary", organization=world.d.gaotang_committee))
    _assert_cut_to_xinqi(scope, world, whole_street=False)
    orgs = _ids(organization_list(scope=scope))
    assert orgs == {world.d.gaotang_committee.pk, world.xinqi_branch.pk}
    assert world.d.dagang.pk not in _ids(region_list(scope=scope))
    with pytest.raises(Http404):
        organization_get(scope=scope, pk=world.d.dagang_regional.pk)


def test_secretary_of_a_dissolved_organization_sees_nothing(world):
    world.xinqi_branch.dissolved_on = world.d.committee.established_on
    world.xinqi_branch.save()
    scope = scope_for(f.user(role="secretary", organization=world.xinqi_branch))
    assert not organization_list(scope=scope, include_dissolved=True).exists()
    assert not member_list(scope=scope).exists()


def _assert_sees_no_structure(scope, w, own_members=()):
    d = w.d
    assert not region_list(scope=scope).exists()
    assert not organization_list(scope=scope, include_dissolved=True).exists()
    assert not unit_list(scope=scope).exists()
    assert _ids(member_list(scope=scope)) == {m.pk for m in own_members}
    assert sum(members_by_status(scope=scope).values()) == len(own_members)
    assert (
        coverage(scope=scope)["total"] == 0
        and coverage(scope=scope)["organization_coverage"] is None
    )
    assert organizations_by_kind(scope=scope) == {}
    assert not terms_ending_soon(scope=scope).exists()
    for getter, obj in [
        (region_get, d.district),
        (organization_get, w.xinqi_branch),
        (unit_get, w.xinqi_unit),
        (member_get, w.xiaogang_members[0]),
    ]:
        with pytest.raises(Http404):
            getter(scope=scope, pk=obj.pk)


def test_reviewer_sees_no_structure(world):
    # A reviewer's role sits on the district, but it reviews queues; it does not administer.
    scope = scope_for(f.user(role="reviewer", region=world.d.district))
    assert not scope.has_structure_access
    _assert_sees_no_structure(scope, world)


def test_member_sees_its_own_record_only(world):
    me = world.xinqi_members[0]
    user = f.user(role="member", organization=world.xinqi_branch)
    me.user = user
    me.save()
    scope = scope_for(user)
    _assert_sees_no_structure(scope, world, own_members=[me])
    assert member_get(scope=scope, pk=me.pk) == me
    with pytest.raises(Http404):
        member_get(scope=scope, pk=world.xinqi_members[1].pk)


def test_anonymous_sees_nothing(world):
    _assert_sees_no_structure(scope_for(AnonymousUser()), world)


def test_two_roles_see_the_union(world):
    user = f.user(role="street_admin", region=world.d.xinqi)
    RoleAssignment.objects.create(user=user, role="secretary", organization=world.xiaogang_branch)
    scope = scope_for(user)
    orgs = _ids(organization_list(scope=scope))
    assert {world.xinqi_branch.pk, world.xiaogang_branch.pk} <= orgs
    assert world.d.qingzhi_committee.pk not in orgs
    assert _ids(unit_list(scope=scope)) == {world.xinqi_unit.pk, world.xiaogang_unit.pk}
    assert (
        len(member_list(scope=scope)) == 4 + 4
    )  # the branch's own 4, not the committee's probationary one
