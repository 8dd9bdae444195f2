"""Materialized-path trees: subtrees are range scans, moves rewrite a whole subtree at once."""

import pytest
from django.core.exceptions import ValidationError

from gangwan.core.tree import STEP_WIDTH, ancestor_paths, step, subtree_q, successor
from gangwan.organizations.models import Organization
from gangwan.organizations.services import organization_move
from gangwan.regions.models import Region
from gangwan.regions.services import region_move
from tests import factories as f


def test_successor_increments_the_last_digit():
    assert successor("00001") == "00002"
    assert successor("0000100003") == "0000100004"


def test_successor_carries_over_trailing_nines():
    assert successor("00019") == "0002"
    assert successor("0000199999") == "00002"
    assert successor("0999999999") == "1"


def test_successor_of_all_nines_is_unbounded():
    assert successor("99999") is None
    assert successor("") is None


def test_successor_bounds_every_path_in_the_subtree():
    root = "0000199999"
    upper = successor(root)
    for inside in (root, root + "00001", root + "9999999999"):
        assert root <= inside < upper
    assert not ("0000200000" < upper)


def test_step_is_fixed_width_and_bounded():
    assert step(7) == "00007"
    assert len(step(99999)) == STEP_WIDTH
    with pytest.raises(ValueError):
        step(0)
    with pytest.raises(ValueError):
        step(10**STEP_WIDTH)


def test_ancestor_paths_lists_the_root_first():
    assert ancestor_paths("000010000200003") == ["00001", "0000100002"]
    assert ancestor_paths("00001") == []


def test_subtree_of_a_street_holds_its_communities_only(district):
    names = set(district.xinqi.subtree().values_list("name", flat=True))
    assert names == {"新碶街道", "高塘社区", "大港社区"}
    assert set(district.xinqi.descendants().values_list("name", flat=True)) == {
        "高塘社区",
        "大港社区",
    }


def test_subtree_uses_range_predicates_not_like(district):
    qs = district.xinqi.subtree()
    sql = str(qs.query).upper()
    assert "LIKE" not in sql
    assert ">=" in sql and "<" in sql
    sql = str(
        Organization.objects.filter(
            subtree_q([district.committee.path, district.xiaogang_wc.path])
        ).query
    )
    assert "LIKE" not in sql.upper()


def test_subtree_q_of_the_last_possible_root_has_no_upper_bound():
    q = subtree_q(["99999"])
    assert "path__gte" in str(q) and "path__lt" not in str(q)


def test_subtree_q_of_nothing_matches_nothing(district):
    assert not Region.objects.filter(subtree_q([])).exists()


def test_ancestors_and_descendant_test(district):
    assert list(district.gaotang.ancestors()) == [district.district, district.xinqi]
    assert district.gaotang.is_descendant_of(district.xinqi)
    assert not district.xinqi.is_descendant_of(district.xinqi)
    assert not district.qingzhi.is_descendant_of(district.xinqi)


def test_move_under_rewrites_the_whole_subtree_paths_and_depth(district):
    """高塘社区党委 with a general branch and its branch moves from the street's working committee
    right under the district committee: three nodes change path, each one level shallower."""
    gb = f.organization(
        "高塘第一党总支", "general_branch", district.gaotang, district.gaotang_committee
    )
    br = f.organization("高塘第一党支部", "branch", district.gaotang, gb)
    moved = district.gaotang_committee
    assert (moved.depth, gb.depth, br.depth) == (3, 4, 5)

    moved.move_under(district.committee)

    moved.refresh_from_db()
    gb.refresh_from_db()
    br.refresh_from_db()
    assert moved.parent == district.committee
    assert moved.path.startswith(district.committee.path) and moved.depth == 2
    assert gb.path.startswith(moved.path) and gb.depth == 3 and gb.parent == moved
    assert br.path.startswith(gb.path) and br.depth == 4
    for node in (moved, gb, br):
        assert len(node.path) == node.depth * STEP_WIDTH
    assert not district.xinqi_wc.subtree().filter(pk__in=[moved.pk, gb.pk, br.pk]).exists()
    assert set(district.committee.subtree().values_list("pk", flat=True)) >= {
        moved.pk,
        gb.pk,
        br.pk,
    }


def test_move_under_deeper_parent_increases_depth(district):
    gb = f.organization(
        "港城党总支", "general_branch", district.qingzhi, district.qingzhi_committee
    )
    br = f.organization("港城党支部", "branch", district.qingzhi, gb)
    gb.move_under(district.xiaogang_wc)  # up one level
    gb.move_under(district.qingzhi_committee)  # and back down
    br.refresh_from_db()
    assert gb.depth == 4 and br.depth == 5 and br.path.startswith(gb.path)


def test_move_under_refuses_own_descendant(district):
    with pytest.raises(ValueError):
        district.xinqi_wc.move_under(district.gaotang_committee)
    with pytest.raises(ValueError):
        district.xinqi_wc.move_under(district.xinqi_wc)


def test_move_with_a_stale_parent_reads_the_parent_from_the_database(district):
    """The parent object was loaded before it moved; its old path must not be used."""
    stale = Organization.objects.get(pk=district.gaotang_committee.pk)
    district.gaotang_committee.move_under(district.xiaogang_wc)
    child = f.organization("港区党总支", "general_branch", district.dagang, district.xinqi_wc)
    child.move_under(stale)
    fresh = Organization.objects.get(pk=district.gaotang_committee.pk)
    assert child.path.startswith(fresh.path) and child.depth == fresh.depth + 1


def test_new_children_get_fresh_paths_after_a_move(district):
    district.gaotang_committee.move_under(district.xiaogang_wc)
    o = f.organization("小港新党委", "committee", district.qingzhi, district.xiaogang_wc)
    paths = list(Organization.objects.values_list("path", flat=True))
    assert len(paths) == len(set(paths))
    assert o.path.startswith(district.xiaogang_wc.path)


def test_organization_move_refuses_a_move_under_its_own_organizations(district):
    user = f.user()
    gb = f.organization(
        "高塘党总支", "general_branch", district.gaotang, district.gaotang_committee
    )
    with pytest.raises(ValidationError):
        organization_move(actor=user, organization=district.xinqi_wc, new_parent=gb)
    with pytest.raises(ValidationError):
        organization_move(actor=user, organization=district.xinqi_wc, new_parent=district.xinqi_wc)


def test_region_move_takes_the_communities_along(district):
    """A village moves from one town to another; its subtree (here: itself) and its organizations follow."""
    user = f.user()
    village = f.community(district.xiaogang, "向家村", kind="village")
    region_move(actor=user, region=village, new_parent=district.xinqi)
    village.refresh_from_db()
    assert (
        village.parent == district.xinqi
        and village.path.startswith(district.xinqi.path)
        and village.depth == 3
    )
    assert village in district.xinqi.subtree()
    assert village not in district.xiaogang.subtree()


def test_region_move_refuses_a_move_under_itself(district):
    with pytest.raises(ValidationError):
        region_move(actor=f.user(), region=district.xinqi, new_parent=district.gaotang)
