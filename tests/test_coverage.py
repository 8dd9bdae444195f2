"""Coverage of units (R47) on a hand-built set of enterprises with known answers.

新碶街道 ─ 高塘社区: A own branch + union · B joint branch (not primary) + instructor · C foreign-invested,
                     joint branch's primary unit · D union only · I only a dissolved branch
          大港社区: E instructor only · F nothing · L covered by the regional branch · G closed down
                     (own branch) · H state-owned (own branch)
小港街道 ─ 青峙社区: J own general branch · K nothing
Non-public operating enterprises: A B C D I E F L (8) in 新碶, J K (2) in 小港.
"""

import datetime as dt

import pytest

from gangwan.core.scopes import Scope, scope_for
from gangwan.organizations.models import OrganizationUnit
from gangwan.organizations.selectors import coverage, coverage_by_child_region, coverage_units
from tests import factories as f

EVERYTHING = Scope(everything=True)


@pytest.fixture
def units(district):
    d = district
    u = {
        "A": f.unit(d.gaotang, "甲", has_union=True),
        "B": f.unit(d.gaotang, "乙", instructor_name="陈红"),
        "C": f.unit(d.gaotang, "丙", kind="foreign_enterprise"),
        "D": f.unit(d.gaotang, "丁", has_union=True),
        "I": f.unit(d.gaotang, "已撤销组织的企业"),
        "E": f.unit(d.dagang, "戊", instructor_name="周明"),
        "F": f.unit(d.dagang, "己"),
        "L": f.unit(d.dagang, "庚"),
        "G": f.unit(d.dagang, "停业企业", is_operating=False),
        "H": f.unit(d.dagang, "港务集团", kind="state_enterprise"),
        "J": f.unit(d.qingzhi, "辛"),
        "K": f.unit(d.qingzhi, "壬"),
    }
    f.organization("甲党支部", "branch", d.gaotang, d.gaotang_committee, units=[u["A"]])
    f.organization(
        "高塘联合党支部", "joint_branch", d.gaotang, d.gaotang_committee, units=[u["C"], u["B"]]
    )
    f.organization(
        "已撤销党支部",
        "branch",
        d.gaotang,
        d.gaotang_committee,
        units=[u["I"]],
        dissolved_on=dt.date(2020, 1, 1),
    )
    OrganizationUnit.objects.create(organization=d.dagang_regional, unit=u["L"], is_primary=False)
    f.organization("停业企业党支部", "branch", d.dagang, d.xinqi_wc, units=[u["G"]])
    f.organization("港务集团党支部", "branch", d.dagang, d.xinqi_wc, units=[u["H"]])
    f.organization("辛党总支", "general_branch", d.qingzhi, d.qingzhi_committee, units=[u["J"]])
    return u


def _figures(row):
    return {
        k: row[k]
        for k in (
            "total",
            "covered",
            "own",
            "union",
            "work",
            "organization_coverage",
            "own_organization_rate",
            "union_coverage",
            "work_coverage",
        )
    }


def test_r47_district_coverage(units):
    assert _figures(coverage(scope=EVERYTHING)) == {
        "total": 10,
        "covered": 5,
        "own": 2,
        "union": 2,
        "work": 7,
        "organization_coverage": 50.0,
        "own_organization_rate": 20.0,
        "union_coverage": 20.0,
        "work_coverage": 70.0,
    }


def test_r47_street_coverage(district, units):
    assert _figures(coverage(scope=EVERYTHING, region=district.xinqi)) == {
        "total": 8,
        "covered": 4,
        "own": 1,
        "union": 2,
        "work": 6,
        "organization_coverage": 50.0,
        "own_organization_rate": 12.5,
        "union_coverage": 25.0,
        "work_coverage": 75.0,
    }


def test_r47_which_unit_counts_how(units):
    flags = {u.name: (u.is_covered, u.has_own) for u in coverage_units(scope=EVERYTHING)}
    assert flags == {
        "甲": (True, True),  # own branch
        "乙": (True, False),  # in a joint branch
        "丙": (True, False),  # a joint branch's primary unit is still not its own organization
        "丁": (False, False),
        "已撤销组织的企业": (False, False),  # a dissolved organization covers nothing
        "戊": (False, False),
        "己": (False, False),
        "庚": (True, False),  # covered by the regional comprehensive branch
        "辛": (True, True),  # own general branch
        "壬": (False, False),
    }


def test_r47_all_kinds_of_unit_when_asked(units):
    row = coverage(scope=EVERYTHING, non_public_only=False)
    assert (row["total"], row["covered"], row["own"]) == (
        11,
        6,
        3,
    )  # + the state-owned 港务集团; 停业企业 never counts


def test_r47_coverage_by_street(district, units):
    rows = coverage_by_child_region(scope=EVERYTHING, region=district.district)
    assert [(r["name"], r["region_id"], r["total"], r["covered"], r["own"]) for r in rows] == [
        ("新碶街道", district.xinqi.pk, 8, 4, 1),
        ("小港街道", district.xiaogang.pk, 2, 1, 1),
    ]
    assert rows[0]["organization_coverage"] == 50.0 and rows[1]["own_organization_rate"] == 50.0


def test_r47_coverage_by_community(district, units):
    rows = coverage_by_child_region(scope=EVERYTHING, region=district.xinqi)
    assert [
        (r["name"], r["total"], r["covered"], r["own"], r["union"], r["work"]) for r in rows
    ] == [
        ("高塘社区", 5, 3, 1, 2, 4),
        ("大港社区", 3, 1, 0, 0, 2),
    ]
    assert rows[1]["organization_coverage"] == 33.3 and rows[1]["work_coverage"] == 66.7


def test_r47_units_placed_on_the_street_itself_form_their_own_row(district, units):
    f.unit(district.xinqi, "街道直属企业")
    rows = coverage_by_child_region(scope=EVERYTHING, region=district.xinqi)
    assert [(r["name"], r["total"]) for r in rows] == [
        ("新碶街道", 1),
        ("高塘社区", 5),
        ("大港社区", 3),
    ]


def test_r47_coverage_is_cut_to_the_scope(district, units):
    scope = scope_for(f.user(role="street_admin", region=district.xiaogang))
    assert (coverage(scope=scope)["total"], coverage(scope=scope)["covered"]) == (2, 1)
    rows = coverage_by_child_region(scope=scope, region=district.district)
    assert [r["name"] for r in rows] == ["小港街道"]


def test_r47_no_units_means_no_rate(district):
    row = coverage(scope=EVERYTHING)
    assert row["total"] == 0 and row["organization_coverage"] is None


def test_r47_coverage_figures_take_one_query(district, units, django_assert_num_queries):
    with django_assert_num_queries(1):
        coverage(scope=EVERYTHING, region=district.xinqi)
    with django_assert_num_queries(2):
        coverage_by_child_region(scope=EVERYTHING, region=district.district)
