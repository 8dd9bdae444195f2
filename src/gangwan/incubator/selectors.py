"""Reading incubations, cut to a scope. The reservoir's selectors live in reservoir.py."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gangwan.core.permissions import administers_organization
from gangwan.core.scopes import Scope
from gangwan.members.models import Member, MemberStatus
from gangwan.organizations.models import Organization, OrganizationKind
from gangwan.organizations.selectors import with_member_counts

from . import rules
from .models import OPEN_STATES, Incubation, IncubationState
from .reservoir import (  # noqa: F401  (re-exported: one place to import selectors from)
    reservoir_full_counts,
    reservoir_get,
    reservoir_groups,
    reservoir_list,
    reservoir_size,
    units_with_own_organization,
)


def incubation_full_members(*, incubation: Incubation) -> int:
    """Full members of the unit taking part in the incubation's regional branch, now."""
    return Member.objects.filter(
        unit_id=incubation.unit_id,
        home_organization_id=incubation.regional_branch_id,
        status=MemberStatus.FULL,
        archived_on__isnull=True,
    ).count()


def incubation_members_to_move(*, incubation: Incubation) -> int:
    """Members of the unit (full and probationary) taking part in the regional branch: those whom
    establishment moves to the new branch."""
    return Member.objects.filter(
        unit_id=incubation.unit_id,
        home_organization_id=incubation.regional_branch_id,
        archived_on__isnull=True,
    ).count()


def _scoped(scope: Scope) -> QuerySet[Incubation]:
    qs = Incubation.objects.select_related(
        "unit",
        "regional_branch__region",
        "superior_committee",
        "established_organization",
        "proposed_by",
        "decided_by",
    )
    return qs if scope.everything else qs.filter(scope.organization_q("regional_branch__"))


def incubation_list(
    *,
    scope: Scope,
    state: str = "",
    regional_branch: Organization | None = None,
    include_lapsed: bool = False,
) -> QuerySet[Incubation]:
    """Incubations whose regional branch lies in the scope. `state` may be a state or "open"
    (eligible, proposed, approved). Lapsed ones appear only with `include_lapsed`."""
    qs = _scoped(scope)
    if not include_lapsed:
        qs = qs.filter(lapsed_at__isnull=True)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    if regional_branch is not None:
        qs = qs.filter(regional_branch=regional_branch)
    return qs.order_by("reply_due_on", "-eligible_since", "-id")


def incubation_get(*, scope: Scope, pk: int) -> Incubation:
    return get_object_or_404(_scoped(scope), pk=pk)


def incubations_by_state(*, scope: Scope) -> dict[str, int]:
    """Incubations in scope by state (lapsed ones left out): a dashboard figure."""
    rows = (
        _scoped(scope)
        .filter(lapsed_at__isnull=True)
        .order_by()
        .values("state")
        .annotate(n=Count("id"))
    )
    found = {r["state"]: r["n"] for r in rows}
    return {s: found.get(s, 0) for s in IncubationState.values}


def eligible_units_count(*, scope: Scope) -> int:
    """Units eligible for their own branch and not yet proposed: a dashboard figure."""
    return incubation_list(scope=scope, state=IncubationState.ELIGIBLE).count()


def overdue_proposals(*, scope: Scope, today: dt.date | None = None) -> QuerySet[Incubation]:
    """Proposals whose reply is overdue (R7)."""
    today = today or timezone.localdate()
    return incubation_list(scope=scope, state=IncubationState.PROPOSED).filter(
        reply_due_on__lt=today
    )


def is_overdue(incubation: Incubation, today: dt.date | None = None) -> bool:
    if today is None:
        return incubation.overdue
    return (
        incubation.state == IncubationState.PROPOSED
        and incubation.reply_due_on is not None
        and incubation.reply_due_on < today
    )


def incubated_branches_below_minimum(*, scope: Scope) -> list[Organization]:
    """Branches set up through the incubator that now have fewer full members than R1's minimum:
    flagged with the joint-branch suggestion (R3). Their relationship count decides, as on the
    organization's own page (organizations.selectors.organization_flags)."""
    incubated = _scoped(scope).filter(
        state=IncubationState.ESTABLISHED,
        established_organization__dissolved_on__isnull=True,
        established_organization__kind=OrganizationKind.BRANCH,
    )
    minimum = rules.min_full_members_resolver()
    orgs = (
        with_member_counts(
            Organization.objects.filter(
                pk__in=incubated.values("established_organization_id")
            ).select_related("region")
        )
        .filter(full_count__lt=minimum.highest)
        .order_by("path")
    )
    return [o for o in orgs if o.full_count < minimum(o.region)]


def incubation_actions(*, scope: Scope, incubation: Incubation) -> set[str]:
    """What the user may do with this incubation now: propose, decide, establish."""
    out = set()
    if incubation.lapsed_at is not None:
        return out
    if incubation.state == IncubationState.ELIGIBLE and administers_organization(
        scope, incubation.regional_branch
    ):
        out.add("propose")
    if incubation.state == IncubationState.PROPOSED and administers_organization(
        scope, incubation.superior_committee
    ):
        out.add("decide")
    if incubation.state == IncubationState.APPROVED and administers_organization(
        scope, incubation.superior_committee
    ):
        out.add("establish")
    return out


def incubations_of_unit(*, scope: Scope, unit) -> QuerySet[Incubation]:
    return _scoped(scope).filter(unit=unit).order_by("-eligible_since")
