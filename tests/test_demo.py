"""The demo district (SPEC §12): deterministic, built from the seed's figures, and keeping the
structure rules (1+N, R1, R3, R5, R8) that the services keep."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from gangwan.core.audit import AuditEntry
from gangwan.core.models import RoleAssignment, User
from gangwan.core.scopes import scope_for
from gangwan.core.tree import STEP_WIDTH
from gangwan.core.validators import parse_id_number, validate_credit_code, validate_phone
from gangwan.demo.services import (
    DEMO_PASSWORD,
    DemoAlreadyLoaded,
    database_digest,
    demo_accounts,
    demo_is_loaded,
    demo_load,
    demo_plan,
)
from gangwan.members.models import Member
from gangwan.organizations.models import BRANCH_KINDS, Office, Organization, OrganizationUnit, Term
from gangwan.organizations.selectors import terms_ending_soon
from gangwan.regions.models import Region
from gangwan.units.models import Unit

SMALL = 0.05


@pytest.fixture
def demo(db):
    demo_load(seed=2013, scale=SMALL)


def test_the_same_seed_builds_the_same_district_on_any_day():
    a = demo_plan(seed=7, scale=SMALL, today=dt.date(2026, 3, 1))
    b = demo_plan(seed=7, scale=SMALL, today=dt.date(2027, 9, 15))
    assert a.digest() == b.digest()
    assert [o.path for o in a.organizations] == [o.path for o in b.organizations]
    assert demo_plan(seed=8, scale=SMALL).digest() != a.digest()


def test_the_database_holds_what_the_plan_says_with_one_audit_entry(demo):
    assert database_digest() == demo_plan(seed=2013, scale=SMALL).digest()
    entry = AuditEntry.objects.get(action="demo.load")
    assert entry.after["members"] == Member.objects.count()
    assert entry.after["organizations"] == Organization.objects.count()


def test_a_second_load_is_refused(demo):
    assert demo_is_loaded()
    with pytest.raises(DemoAlreadyLoaded):
        demo_load(scale=SMALL)


def test_the_seed_named_communities_exist_with_their_kinds(demo):
    district = Region.objects.get(level="district")
    assert (district.name, district.code) == ("北仑区", "330206")
    streets = Region.objects.filter(parent=district).values_list("name", flat=True)
    assert set(streets) == {
        "新碶街道",
        "小港街道",
        "大碶街道",
        "霞浦街道",
        "柴桥街道",
        "戚家山街道",
        "春晓街道",
        "梅山街道",
        "白峰街道",
    }
    gaotang = Region.objects.get(name="高塘社区")
    assert (gaotang.kind, gaotang.parent.name) == ("residential", "新碶街道")
    xiangjia = Region.objects.get(name="向家村")
    assert (xiangjia.level, xiangjia.kind, xiangjia.residents) == ("village", "village", 1500)
    assert xiangjia.newcomers > 10_000
    dagang = Region.objects.get(name="大港社区")
    assert (dagang.kind, dagang.residents) == ("industrial_community", 0)
    assert Region.objects.filter(name__in=["青峙社区", "芙蓉社区"]).count() == 2
    samsung = Unit.objects.get(name__startswith="三星重工")
    assert (samsung.kind, samsung.has_union, samsung.region_id) == (
        "foreign_enterprise",
        True,
        dagang.pk,
    )
    assert Unit.objects.get(name__contains="吉利").kind == "private_enterprise"
    assert Unit.objects.get(name="宁波钢铁有限公司").kind == "state_enterprise"
    assert (
        Organization.objects.get(name="“新向家人”党支部", kind="floating_branch").region == xiangjia
    )


def test_tree_paths_are_five_digit_steps_under_the_parent(demo):
    for model in (Region, Organization):
        for node in model.objects.select_related("parent"):
            assert node.depth == len(node.path) // STEP_WIDTH
            assert node.path[:-STEP_WIDTH] == (node.parent.path if node.parent else "")
    for org in Organization.objects.select_related("parent__region", "region").exclude(parent=None):
        assert org.region.path.startswith(org.parent.region.path)


def test_1_plus_n_every_area_has_at_most_one_regional_branch(demo):
    per_area = Counter(
        Organization.objects.filter(kind="regional_branch").values_list("region_id", flat=True)
    )
    assert per_area and max(per_area.values()) == 1
    assert (
        not Region.objects.filter(pk__in=per_area)
        .exclude(level__in=["community", "village"])
        .exists()
    )
    industrial = Region.objects.filter(kind="industrial_community")
    assert all(r.pk in per_area for r in industrial)


def test_r1_every_standalone_branch_has_three_full_members_of_its_primary_unit(demo):
    primary = dict(
        OrganizationUnit.objects.filter(is_primary=True).values_list("organization_id", "unit_id")
    )
    full = Counter(Member.objects.filter(status="full").values_list("organization_id", "unit_id"))
    branches = Organization.objects.filter(kind="branch")
    assert branches.exists()
    for org in branches:
        assert full[(org.pk, primary[org.pk])] >= 3, org.name


def test_every_organization_has_one_primary_unit_and_joint_branches_cover_two_to_five_units(demo):
    links = defaultdict(list)
    for org_id, is_primary in OrganizationUnit.objects.values_list("organization_id", "is_primary"):
        links[org_id].append(is_primary)
    for org in Organization.objects.all():
        assert links[org.pk].count(True) == 1, org.name
        if org.kind == "joint_branch":
            assert 2 <= len(links[org.pk]) <= 5  # R3


def test_id_numbers_phones_and_credit_codes_are_valid_with_a_test_prefix(demo):
    members = list(Member.objects.all())
    assert len({m.id_number for m in members}) == len(members)
    for m in members:
        assert m.id_number.startswith("99")
        assert parse_id_number(m.id_number) == (m.birth_date, m.gender)
        assert validate_phone(m.phone) == m.phone
        if m.status == "probationary":
            assert (dt.date.today() - m.joined_on).days < 366
    for code in Unit.objects.values_list("credit_code", flat=True):
        assert validate_credit_code(code) == code


def test_r5_committees_are_sized_by_full_members(demo):
    full = Counter(Member.objects.filter(status="full").values_list("organization_id", flat=True))
    sitting = defaultdict(Counter)
    for org_id, role in Office.objects.filter(ended_on=None).values_list("organization_id", "role"):
        sitting[org_id][role] += 1
    for org in Organization.objects.all():
        s = sitting[org.pk]
        assert s["secretary"] == 1, org.name
        assert sum(s.values()) <= 7
        if org.kind in BRANCH_KINDS:
            assert s["deputy_secretary"] <= 1
            if full[org.pk] < 7:
                assert s["committee_member"] == 0, org.name
    for office in Office.objects.filter(role="secretary").select_related("member", "organization"):
        m, org = office.member, office.organization
        assert m.status == "full"
        assert m.organization.path.startswith(org.path) or m.home_organization_id == org.pk
        assert (office.started_on - m.joined_on).days >= 365  # R8: a year of standing


def test_r8_terms_last_their_years_and_some_end_within_six_months(demo):
    terms = Term.objects.select_related("organization")
    for t in terms:
        years = round((t.ends_on - t.started_on).days / 365.25)
        assert years in (3, 5)
        assert years == 5 or t.organization.kind in (
            "branch",
            "general_branch",
            "joint_branch",
            "regional_branch",
            "floating_branch",
        )
        assert t.started_on >= t.organization.established_on
    assert not terms.filter(organization__kind="temporary_branch").exists()  # R4: no elections
    assert terms.count() == Organization.objects.exclude(kind="temporary_branch").count()
    soon = terms_ending_soon(scope=scope_for(User.objects.get(username="admin")))
    assert 0 < soon.count() < terms.count() / 2


def test_floating_members_find_a_home_in_regional_and_floating_branches(demo):
    floating = Member.objects.filter(is_floating=True).select_related("home_organization")
    kinds = Counter(m.home_organization.kind for m in floating)
    assert kinds["regional_branch"] + kinds["floating_branch"] > floating.count() / 2
    assert (
        Member.objects.filter(home_organization__kind="floating_branch", is_floating=True).count()
        >= 12
    )
    assert (
        0.07 < Member.objects.filter(status="probationary").count() / Member.objects.count() < 0.13
    )


def test_demo_accounts_hold_their_roles(demo):
    accounts = {a["username"]: a for a in demo_accounts()}
    assert accounts["admin"]["role"] == "superuser"
    assert accounts["district_admin"] == {
        "username": "district_admin",
        "role": "district_admin",
        "scope": "北仑区",
    }
    assert accounts["street_xinqi"]["scope"] == "新碶街道"
    assert sum(1 for a in accounts.values() if a["role"] == "street_admin") == 9
    assert accounts["secretary_gaotang"]["scope"] == "高塘社区党委"
    assert accounts["secretary_dagang"]["scope"] == "大港社区区域综合党支部"
    assert accounts["secretary_samsung"]["scope"].startswith("三星重工")
    assert {"reviewer", "member"} <= set(accounts)
    for username in accounts:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)
    # A secretary's account is the sitting secretary's member record.
    ra = RoleAssignment.objects.get(user__username="secretary_gaotang")
    assert Office.objects.filter(
        organization=ra.organization, role="secretary", member__user=ra.user
    ).exists()
    assert Member.objects.get(user__username="member").is_floating


@pytest.mark.django_db(transaction=True)
def test_the_demo_command_loads_and_resets():
    call_command("demo", "--scale", str(SMALL), "--seed", "5")
    first = database_digest()
    call_command("demo", "--scale", str(SMALL), "--seed", "5")  # already loaded: nothing changes
    assert database_digest() == first
    call_command("demo", "--scale", str(SMALL), "--seed", "6", "--reset")
    assert database_digest() == demo_plan(seed=6, scale=SMALL).digest() != first
    assert AuditEntry.objects.filter(action="demo.load").count() == 1


def test_the_full_district_matches_the_seed_figures(db):
    demo_load()  # its speed is measured by `make bench`, not asserted here
    assert Region.objects.filter(level="street").count() == 9
    assert 190 <= Region.objects.filter(level__in=["community", "village"]).count() <= 215
    assert 4_500 <= Unit.objects.count() <= 5_500
    assert 1_400 <= Organization.objects.count() <= 1_700
    assert 23_000 <= Member.objects.count() <= 28_000
    assert Member.objects.filter(is_floating=True).count() == 1551
    dagang = Unit.objects.filter(region__name="大港社区", kind__endswith="_enterprise")
    assert dagang.count() == 327
    assert abs(sum(dagang.values_list("employees", flat=True)) - 90_000) < 900


def test_an_account_that_exists_already_is_left_alone(db):
    someone = User.objects.create_user(username="member", password="Someone-else-2013")
    demo_load(scale=SMALL)
    someone.refresh_from_db()
    assert not someone.check_password(DEMO_PASSWORD)
    assert not RoleAssignment.objects.filter(user=someone).exists()
    assert not Member.objects.filter(user=someone).exists()
    assert "member" not in {a["username"] for a in demo_accounts()}


def test_no_generated_person_carries_a_national_leaders_name():
    """QA met a demo pioneer called 周永康: the generator draws again on such a name."""
    import random
    import types

    from gangwan.demo.people import People

    people = People(random.Random(0), dt.date(2026, 11, 29))
    surnames = iter(["周", "王"])
    people.local_surnames = types.SimpleNamespace(draw=lambda rng: next(surnames))
    people.rng = types.SimpleNamespace(choice=lambda seq: "永康")
    assert people.name("male", dt.date(1950, 1, 1)) == "王永康"
