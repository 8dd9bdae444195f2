"""The incubator through its services (SPEC §2, R1, R3, R7): the seed's story of 三星重工 in
大港社区's regional branch, and the rules around it. The world is built by `IncubatorWorld`,
which the view and API tests of the incubator use too."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gangwan.core import events
from gangwan.core.audit import history_for
from gangwan.core.models import AuditEntry, Notification, RoleAssignment
from gangwan.core.scopes import scope_for
from gangwan.incubator import selectors, services
from gangwan.incubator.models import Incubation, IncubationState
from gangwan.members.models import Member
from gangwan.organizations.models import OrganizationUnit
from gangwan.organizations.selectors import area_structure, organization_flags
from tests import factories as f

SAMSUNG = "三星重工（宁波）有限公司"


class IncubatorWorld:
    """The conftest district (北仑区: 新碶街道 with 高塘社区 and 大港社区, 小港街道 with 青峙社区) and:

    - 大港社区区域综合党支部 under 新碶街道党工委, its secretary 陈明 (an account), and in its
      reservoir two full members and one probationary member of 三星重工, plus one member of
      三星重工 whose relationship stays with 高塘社区党委 while he takes part in the reservoir;
    - accounts: the street administrators of 新碶 and 小港, the secretary of 新碶街道党工委, the
      regional branch's secretary, the secretary of 青峙社区党委, a reviewer and a member.
    """

    def __init__(self, d):
        self.d = d
        self.rb = d.dagang_regional
        self.samsung = f.unit(d.dagang, SAMSUNG, kind="foreign_enterprise", employees=3200)
        self.office_unit = f.unit(d.dagang, "大港社区服务中心", kind="community")
        OrganizationUnit.objects.create(
            organization=self.rb, unit=self.office_unit, is_primary=True
        )
        OrganizationUnit.objects.create(organization=self.rb, unit=self.samsung)
        self.rb_secretary = f.member(self.rb, "陈明", unit=self.office_unit)
        f.office(self.rb, self.rb_secretary)
        self.wc_secretary = f.member(d.xinqi_wc, "周建国")
        f.office(d.xinqi_wc, self.wc_secretary)
        self.full = [f.member(self.rb, f"三星员工{i}", unit=self.samsung) for i in (1, 2)]
        self.probationary = f.member(
            self.rb,
            "三星预备党员",
            unit=self.samsung,
            status="probationary",
            joined_on=dt.date.today() - dt.timedelta(days=100),
        )
        self.elsewhere = f.member(
            d.gaotang_committee,
            "三星外地关系",
            unit=self.samsung,
            status="probationary",
            home_organization=self.rb,
        )
        self.users = {
            "street_admin": f.user("xinqi", "street_admin", region=d.xinqi),
            "other_street_admin": f.user("xiaogang", "street_admin", region=d.xiaogang),
            "committee_secretary": f.user(
                "xinqi_wc", "secretary", organization=d.xinqi_wc, display_name="周建国"
            ),
            "regional_secretary": f.user("dagang", "secretary", organization=self.rb),
            "other_secretary": f.user("qingzhi", "secretary", organization=d.qingzhi_committee),
            "reviewer": f.user("pingshen", "reviewer"),
            "member": f.user("dangyuan"),
        }
        RoleAssignment.objects.create(user=self.users["member"], role="member")
        self.full[0].user = self.users["member"]
        self.full[0].save()
        self.rb_secretary.user = self.users["regional_secretary"]
        self.rb_secretary.save()
        self.wc_secretary.user = self.users["committee_secretary"]
        self.wc_secretary.save()

    def third_member_arrives(self, **kw) -> Member:
        m = f.member(self.rb, "三星第三名正式党员", unit=self.samsung, **kw)
        services.incubation_recheck(unit_ids=[self.samsung.pk], actor=None)
        return m

    def incubation(self) -> Incubation:
        return Incubation.objects.get(unit=self.samsung, lapsed_at__isnull=True)

    def proposed(self) -> Incubation:
        self.third_member_arrives()
        return services.incubation_propose(
            actor=self.users["regional_secretary"],
            incubation=self.incubation(),
            proposal_text="三星重工已有3名正式党员，申请单独组建党支部。",
        )

    def approved(self) -> Incubation:
        inc = self.proposed()
        return services.incubation_decide(
            actor=self.users["committee_secretary"], incubation=inc, approve=True
        )


@pytest.fixture
def world(district):
    return IncubatorWorld(district)


def _open(unit) -> list[Incubation]:
    return list(
        Incubation.objects.filter(
            unit=unit, state__in=["eligible", "proposed", "approved"], lapsed_at__isnull=True
        )
    )


# --- the seed's story -----------------------------------------------------------------------------
def test_the_third_full_member_of_samsung_makes_it_eligible_and_the_branch_is_established(world):
    d, users = world.d, world.users
    services.incubation_recheck(unit_ids=[world.samsung.pk])
    assert not Incubation.objects.exists()  # two full members: not yet

    third = world.third_member_arrives()
    inc = world.incubation()
    assert inc.state == IncubationState.ELIGIBLE
    assert (inc.regional_branch, inc.superior_committee) == (world.rb, d.xinqi_wc)
    assert inc.full_members_at_eligibility == 3
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert {"dagang", "xinqi"} <= told  # the regional branch's secretary and the street admin
    assert "xiaogang" not in told and "qingzhi" not in told

    inc = services.incubation_propose(
        actor=users["regional_secretary"], incubation=inc, proposal_text="申请单独组建党支部"
    )
    assert inc.state == IncubationState.PROPOSED
    assert inc.reply_due_on == _a_month_after(timezone.localdate())  # R7
    assert Notification.objects.filter(user__username="xinqi_wc").exists()

    inc = services.incubation_decide(
        actor=users["committee_secretary"], incubation=inc, approve=True, reason="同意"
    )
    assert inc.state == IncubationState.APPROVED

    inc = services.incubation_establish(
        actor=users["street_admin"],
        incubation=inc,
        name="三星重工（宁波）有限公司党支部",
        document_no="新碶党工〔2026〕7号",
    )
    branch = inc.established_organization
    assert inc.state == IncubationState.ESTABLISHED
    assert (branch.kind, branch.parent, branch.region) == ("branch", d.xinqi_wc, d.dagang)
    links = {(link.unit_id, link.is_primary) for link in branch.unit_links.all()}
    assert links == {(world.samsung.pk, True)}
    assert not OrganizationUnit.objects.filter(organization=world.rb, unit=world.samsung).exists()
    moved = [*world.full, third, world.probationary]
    for m in moved:
        m.refresh_from_db()
        assert (m.home_organization, m.organization) == (branch, branch)
    world.elsewhere.refresh_from_db()
    # Home moves; the relationship held by 高塘社区党委 stays where it is.
    assert world.elsewhere.home_organization == branch
    assert world.elsewhere.organization == d.gaotang_committee
    world.rb_secretary.refresh_from_db()
    assert world.rb_secretary.home_organization == world.rb  # not of the unit: stays

    # One of the area's N, beside "the 1".
    structure = area_structure(scope=scope_for(users["street_admin"]), region=d.dagang)
    assert structure["the_one"] == world.rb
    assert branch in structure["the_n"]

    # The audit trail shows every step.
    steps = list(history_for(inc).order_by("at", "id").values_list("action", flat=True))
    assert steps == [
        "incubation.eligible",
        "incubation.propose",
        "incubation.approve",
        "incubation.establish",
    ]
    assert AuditEntry.objects.filter(action="organization.create", object_id=str(branch.pk))
    member_moves = AuditEntry.objects.filter(action="incubation.member_move")
    assert {int(e.object_id) for e in member_moves} == {m.pk for m in [*moved, world.elsewhere]}
    assert history_for(inc).get(action="incubation.establish").after["moved_members"]


def _a_month_after(day: dt.date) -> dt.date:
    from gangwan.organizations.rules import add_months

    return add_months(day, 1)


def test_an_approval_attempted_by_a_user_outside_the_superior_committee_is_refused(world):
    inc = world.proposed()
    for outsider in ("regional_secretary", "other_street_admin", "other_secretary", "reviewer"):
        with pytest.raises(PermissionDenied):
            services.incubation_decide(
                actor=world.users[outsider], incubation=inc, approve=True, reason="同意"
            )
    inc.refresh_from_db()
    assert inc.state == IncubationState.PROPOSED
    assert not AuditEntry.objects.filter(action__in=["incubation.approve", "incubation.decline"])
    # The street administrator (whose region covers the working committee) may decide.
    services.incubation_decide(actor=world.users["street_admin"], incubation=inc, approve=True)


def test_only_the_regional_branch_or_those_above_it_propose(world):
    world.third_member_arrives()
    with pytest.raises(PermissionDenied):
        services.incubation_propose(
            actor=world.users["other_street_admin"],
            incubation=world.incubation(),
            proposal_text="越权提议",
        )
    with pytest.raises(ValidationError):
        services.incubation_propose(
            actor=world.users["regional_secretary"],
            incubation=world.incubation(),
            proposal_text=" ",
        )


def test_a_probationary_member_does_not_count(world):
    f.member(world.rb, unit=world.samsung, status="probationary")
    f.member(world.rb, unit=world.samsung, status="probationary")
    services.incubation_recheck(unit_ids=[world.samsung.pk])
    assert not Incubation.objects.exists()
    assert selectors.reservoir_full_counts(unit_ids=[world.samsung.pk]) == {
        world.samsung.pk: {world.rb.pk: 2}
    }


def test_a_status_change_from_probationary_to_full_makes_the_unit_eligible(world):
    m = world.probationary
    m.status = "full"
    m.save()
    # The members app announces the change; the incubator listens (IncubatorConfig.ready).
    events.publish(events.MEMBER_CHANGED, actor=None, members=[m], unit_ids={m.unit_id})
    assert world.incubation().state == IncubationState.ELIGIBLE


def test_a_member_registered_through_the_members_service_makes_the_unit_eligible(world):
    """Relies on gangwan.members.services publishing MEMBER_CHANGED."""
    from gangwan.members.services import member_create

    member_create(
        actor=world.users["regional_secretary"],
        name="三星新到党员",
        id_number=f.id_number(),
        organization=world.rb,
        home_organization=world.rb,
        unit=world.samsung,
        status="full",
    )
    assert world.incubation().state == IncubationState.ELIGIBLE


def test_the_recheck_is_idempotent_one_open_incubation_one_message(world):
    world.third_member_arrives()
    told = Notification.objects.count()
    for _ in range(3):
        assert services.incubation_recheck(unit_ids=[world.samsung.pk]) == []
    assert len(_open(world.samsung)) == 1
    assert Notification.objects.count() == told


def test_an_eligible_unit_falling_below_three_before_proposal_lapses_with_a_note(world):
    third = world.third_member_arrives()
    third.archived_on, third.archive_reason = timezone.localdate(), "调离"
    third.save()
    (lapsed,) = services.incubation_recheck(unit_ids=[world.samsung.pk])
    assert lapsed.lapsed_at is not None and "R1" in lapsed.lapse_note
    assert lapsed.state == IncubationState.ELIGIBLE and not lapsed.is_open
    assert _open(world.samsung) == []
    assert history_for(lapsed).filter(action="incubation.lapse").exists()
    with pytest.raises(ValidationError):
        services.incubation_propose(
            actor=world.users["regional_secretary"], incubation=lapsed, proposal_text="提议"
        )
    # A new arrival makes it eligible afresh.
    f.member(world.rb, unit=world.samsung)
    services.incubation_recheck(unit_ids=[world.samsung.pk])
    assert len(_open(world.samsung)) == 1


def test_a_declined_proposal_is_final(world):
    inc = world.proposed()
    with pytest.raises(ValidationError):  # a decline needs a reason
        services.incubation_decide(
            actor=world.users["committee_secretary"], incubation=inc, approve=False
        )
    inc = services.incubation_decide(
        actor=world.users["committee_secretary"],
        incubation=inc,
        approve=False,
        reason="企业即将搬迁，暂缓组建",
    )
    assert inc.state == IncubationState.DECLINED and inc.decision_reason
    actor = world.users["street_admin"]
    for step in (
        lambda: services.incubation_decide(actor=actor, incubation=inc, approve=True),
        lambda: services.incubation_propose(actor=actor, incubation=inc, proposal_text="再议"),
        lambda: services.incubation_establish(actor=actor, incubation=inc),
    ):
        with pytest.raises(ValidationError):
            step()
    inc.refresh_from_db()
    assert inc.state == IncubationState.DECLINED
    # The same facts do not reopen it; a further full member does (a new proposal).
    services.incubation_recheck(unit_ids=[world.samsung.pk])
    assert _open(world.samsung) == []
    f.member(world.rb, unit=world.samsung)
    services.incubation_recheck(unit_ids=[world.samsung.pk])
    (fresh,) = _open(world.samsung)
    assert fresh.pk != inc.pk and fresh.state == IncubationState.ELIGIBLE


def test_r7_a_proposal_is_overdue_after_a_month(world):
    inc = world.proposed()
    assert not inc.overdue
    assert not selectors.overdue_proposals(scope=scope_for(world.users["street_admin"])).exists()
    Incubation.objects.filter(pk=inc.pk).update(
        proposed_at=timezone.now() - dt.timedelta(days=40),
        reply_due_on=timezone.localdate() - dt.timedelta(days=9),
    )
    inc.refresh_from_db()
    assert inc.overdue
    assert list(selectors.overdue_proposals(scope=scope_for(world.users["street_admin"]))) == [inc]
    assert not selectors.overdue_proposals(scope=scope_for(world.users["other_street_admin"]))
    # Once decided, it is no longer overdue.
    inc = services.incubation_decide(
        actor=world.users["street_admin"], incubation=inc, approve=True
    )
    assert not inc.overdue


def test_establishment_is_one_transaction_r1_refusal_moves_nobody(world):
    inc = world.approved()
    # Before establishment two members leave: R1 refuses in organization_create, nothing is half-done.
    Member.objects.filter(name__startswith="三星员工").update(archived_on=timezone.localdate())
    with pytest.raises(ValidationError) as exc:
        services.incubation_establish(actor=world.users["street_admin"], incubation=inc)
    assert "R1" in str(exc.value)
    inc.refresh_from_db()
    assert inc.state == IncubationState.APPROVED and inc.established_organization is None
    assert not AuditEntry.objects.filter(action="incubation.member_move").exists()
    assert Member.objects.filter(home_organization=world.rb, unit=world.samsung).count() == 5


def test_a_unit_with_its_own_organization_is_not_incubated(world):
    other = f.unit(world.d.dagang, "宁波大港模具有限公司")
    f.organization("大港模具党支部", "branch", world.d.dagang, world.d.xinqi_wc, units=[other])
    for _ in range(3):
        f.member(world.rb, unit=other)
    f.member(world.rb, unit=world.office_unit)
    f.member(world.rb, unit=world.office_unit)
    services.incubation_recheck(unit_ids=[other.pk, world.office_unit.pk])
    assert not Incubation.objects.exists()


def test_r3_an_incubated_branch_below_three_is_flagged_with_the_joint_branch_suggestion(world):
    inc = services.incubation_establish(
        actor=world.users["street_admin"], incubation=world.approved()
    )
    branch = inc.established_organization
    scope = scope_for(world.users["street_admin"])
    assert selectors.incubated_branches_below_minimum(scope=scope) == []
    Member.objects.filter(organization=branch, status="full").first().delete()
    assert [o.pk for o in selectors.incubated_branches_below_minimum(scope=scope)] == [branch.pk]
    assert any(flag.rule == "R3" for flag in organization_flags(organization=branch))
    assert (
        selectors.incubated_branches_below_minimum(
            scope=scope_for(world.users["other_street_admin"])
        )
        == []
    )


def test_the_reservoir_groups_members_by_unit_with_counts_and_since_when(world):
    world.third_member_arrives()
    loner = f.member(world.rb, "无单位党员", joined_on=dt.date(2001, 7, 1))
    r = selectors.reservoir_groups(regional_branch=world.rb)
    by_unit = {g.unit.name: g for g in r.groups}
    samsung = by_unit[SAMSUNG]
    assert (samsung.full, samsung.probationary, samsung.eligible) == (3, 2, True)
    assert samsung.incubation is not None and samsung.incubation.state == "eligible"
    office = by_unit["大港社区服务中心"]
    assert office.settled and not office.eligible
    assert [row.member for row in r.without_unit] == [loner]
    assert (r.without_unit[0].since, r.without_unit[0].since_source) == (
        dt.date(2001, 7, 1),
        "joined",
    )
    assert r.member_count == 7 and r.full_count == 5


def test_since_when_comes_from_the_audit_trail_of_the_placement(world):
    from gangwan.core.audit import audit_record, snapshot

    m = world.full[0]
    before = snapshot(m)
    before["home_organization_id"] = world.d.gaotang_committee.pk
    entry = audit_record(
        actor=None, action="member.update", obj=m, before=before, after=snapshot(m)
    )
    AuditEntry.objects.filter(pk=entry.pk).update(at=timezone.now() - dt.timedelta(days=45))
    since = selectors.reservoir_groups(regional_branch=world.rb)
    row = next(r for g in since.groups for r in g.members if r.member.pk == m.pk)
    assert row.since_source == "audit" and row.days == 45


def test_dashboard_figures_are_cut_to_the_scope(world):
    world.third_member_arrives()
    inside, outside = (scope_for(world.users[k]) for k in ("street_admin", "other_street_admin"))
    assert selectors.reservoir_size(scope=inside) == 6  # 5 of 三星重工 + the secretary
    assert selectors.reservoir_size(scope=outside) == 0
    assert selectors.eligible_units_count(scope=inside) == 1
    assert selectors.eligible_units_count(scope=outside) == 0
    assert selectors.incubations_by_state(scope=inside)["eligible"] == 1
    assert sum(selectors.incubations_by_state(scope=outside).values()) == 0


def test_r1_minimum_is_a_district_setting(world):
    from gangwan.core.models import RuleSetting

    RuleSetting.objects.create(region=world.d.xinqi, key="R1.min_full_members", value=4)
    world.third_member_arrives()
    assert not Incubation.objects.exists()
    f.member(world.rb, unit=world.samsung)
    services.incubation_recheck(unit_ids=[world.samsung.pk])
    assert world.incubation().full_members_at_eligibility == 4
