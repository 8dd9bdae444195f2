"""The reservoir and the incubator in the demo district (SPEC §2, §12).

大港社区's regional branch holds its reservoir: members of units without an organization of their
own, grouped by unit. The story adds, on top of the structure:
- 三星重工 (a foreign-invested enterprise): its branch (2011-10-26) was set up through the
  incubator from the regional branch (established 2011-06-28), and its union came after
  (2012-05-18): an `established` incubation with its history;
- every unit of every reservoir in the district re-checked against R1 (the services open
  `eligible` incubations and tell the secretaries); where 大港's reservoir has fewer than two such
  units, members without a unit
  are recorded as working in an uncovered unit of the area until it has, so the story holds at any
  scale (a member's unit is not part of the plan's digest);
- one of them proposed five weeks ago and still unanswered: overdue (R7); the others await a
  proposal.
Dates that depend on "now" (the proposal, its due date) follow plan.today.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from gangwan.core.audit import audit_record, history_for, snapshot
from gangwan.core.models import AuditEntry
from gangwan.incubator import rules, services
from gangwan.incubator.models import Incubation, IncubationState
from gangwan.incubator.reservoir import units_with_own_organization
from gangwan.members.models import Member, MemberStatus
from gangwan.organizations.models import Organization, OrganizationKind, OrganizationUnit
from gangwan.units.models import Unit

SAMSUNG = "三星重工（宁波）有限公司"


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _backdate(entry: AuditEntry, when: dt.datetime) -> None:
    AuditEntry.objects.filter(pk=entry.pk).update(at=when)


def load(plan, users) -> None:
    area = plan.named.get("大港社区")
    if area is None or area.regional is None:
        return
    rb = Organization.objects.select_related("region", "parent").get(path=area.regional.path)
    rng = random.Random(plan.seed * 7919 + 3)
    _samsung_history(plan, rb)
    eligible = _eligible_units(plan, rb, area, rng)
    _propose_one(plan, users, eligible)


def _samsung_history(plan, rb: Organization) -> None:
    leaf = plan.named.get("samsung_branch")
    named = plan.named.get(SAMSUNG)
    if leaf is None or named is None:
        return
    branch = Organization.objects.select_related("parent").get(path=leaf.path)
    unit = Unit.objects.get(credit_code=named[0].credit_code)
    established = branch.established_on  # 2011-10-26
    eligible_on = established - dt.timedelta(days=74)
    proposed_on = established - dt.timedelta(days=51)
    decided_on = established - dt.timedelta(days=27)
    inc = Incubation.objects.create(
        unit=unit,
        regional_branch=rb,
        superior_committee=branch.parent,
        state=IncubationState.ESTABLISHED,
        full_members_at_eligibility=3,
        eligible_since=_at(eligible_on),
        proposed_at=_at(proposed_on),
        proposal_text="三星重工（宁波）有限公司在大港社区区域综合党支部已有3名正式党员，"
        "企业支持党建工作，申请单独组建党支部。",
        reply_due_on=rules.reply_due_on(proposed_on),
        decided_at=_at(decided_on),
        decision_reason="同意组建中共三星重工（宁波）有限公司支部委员会。",
        full_members_at_decision=3,
        established_at=_at(established),
        established_organization=branch,
    )
    steps = [
        ("incubation.eligible", eligible_on, {"state": "eligible"}),
        ("incubation.propose", proposed_on, {"state": "proposed"}),
        ("incubation.approve", decided_on, {"state": "approved"}),
        ("incubation.establish", established, snapshot(inc)),
    ]
    for action, day, after in steps:
        _backdate(audit_record(actor=None, action=action, obj=inc, after=after), _at(day))


def _reservoir_units() -> list[int]:
    """Units of the members taking part in any regional branch."""
    return sorted(
        set(
            Member.objects.filter(
                home_organization__kind=OrganizationKind.REGIONAL_BRANCH, archived_on__isnull=True
            )
            .exclude(unit=None)
            .values_list("unit_id", flat=True)
        )
    )


def _eligible_units(plan, rb: Organization, area, rng: random.Random) -> list[Incubation]:
    """Re-check the reservoir's units; make sure at least two are eligible."""
    services.incubation_recheck(unit_ids=_reservoir_units())
    open_ = list(_open(rb))
    minimum = rules.min_full_members(rb.region)
    uncovered = [
        u
        for u in Unit.objects.filter(
            credit_code__in=[u.credit_code for u in area.uncovered if u.credit_code]
        ).order_by("name")
        if u.pk not in units_with_own_organization(unit_ids=[u.pk])
        and not Incubation.objects.filter(unit=u).exists()
    ]
    loose = list(
        Member.objects.filter(
            home_organization=rb,
            unit=None,
            status=MemberStatus.FULL,
            archived_on__isnull=True,
            is_floating=True,
        ).order_by("pk")
    )
    while len(open_) < 2 and uncovered and len(loose) >= minimum:
        unit = uncovered.pop(rng.randrange(len(uncovered)))
        picked = [loose.pop(rng.randrange(len(loose))) for _ in range(minimum)]
        Member.objects.filter(pk__in=[m.pk for m in picked]).update(unit=unit)
        OrganizationUnit.objects.get_or_create(organization=rb, unit=unit)
        services.incubation_recheck(unit_ids=[unit.pk])
        open_ = list(_open(rb))
    return open_


def _open(rb: Organization):
    return Incubation.objects.filter(
        regional_branch=rb, state=IncubationState.ELIGIBLE, lapsed_at__isnull=True
    ).order_by("-full_members_at_eligibility", "unit__name")


def _propose_one(plan, users, eligible: list[Incubation]) -> None:
    """The unit with the most full members was proposed 5 weeks ago; no reply yet (R7 overdue)."""
    actor = users.get("secretary_dagang") or users.get("admin")
    if len(eligible) < 2 or actor is None:
        return
    inc = eligible[0]
    proposed_on = plan.today - dt.timedelta(days=35)
    inc = services.incubation_propose(
        actor=actor,
        incubation=inc,
        proposal_text=f"{inc.unit.name}在本支部已有{inc.full_members_at_eligibility}名正式党员，"
        "企业负责人支持，建议单独组建党支部，请街道党工委审批。",
    )
    Incubation.objects.filter(pk=inc.pk).update(
        eligible_since=_at(proposed_on - dt.timedelta(days=20)),
        proposed_at=_at(proposed_on),
        reply_due_on=rules.reply_due_on(proposed_on, inc.regional_branch.region),
    )
    for entry in history_for(inc):
        day = (
            proposed_on if entry.action == "incubation.propose" else proposed_on - dt.timedelta(20)
        )
        _backdate(entry, _at(day))
