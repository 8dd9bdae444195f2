"""Reading dues, always through a scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gangwan.core.scopes import Scope
from gangwan.core.tree import subtree_q
from gangwan.members.models import Member
from gangwan.members.selectors import ACTIVE
from gangwan.organizations.models import Organization

from . import rules
from .models import DuesAssessment, DuesReduction, ReductionState


def organization_get(*, scope: Scope, pk: int) -> Organization:
    return get_object_or_404(scope.organizations(Organization.objects.all()), pk=pk)


def member_get(*, scope: Scope, pk: int) -> Member:
    qs = scope.members(Member.objects.filter(ACTIVE)).select_related("organization__region")
    return get_object_or_404(qs, pk=pk)


def previous_month(today: dt.date) -> dt.date:
    return rules.month_from_index(rules.month_index(today) - 1)


def overview(*, scope: Scope, organization: Organization, year: int) -> QuerySet[Member]:
    """Members whose membership lies in the organization's subtree (R36: dues follow the
    relationship), each with the monthly amount in force this year (one query)."""
    current = DuesAssessment.objects.filter(member=OuterRef("pk"), year=year).order_by(
        "-valid_from"
    )
    return (
        scope.members(Member.objects.filter(ACTIVE))
        .filter(subtree_q([organization.path], "organization__path"))
        .select_related("organization")
        .annotate(
            dues_monthly=Subquery(current.values("monthly_amount")[:1]),
            dues_reduced=Subquery(current.values("reduction__monthly_amount")[:1]),
            dues_reduction_approved=Subquery(current.values("reduction__approved_on")[:1]),
        )
        .order_by("organization__path", "name", "pk")
    )


def overview_rows(members, today: dt.date):
    for m in members:
        due = m.dues_reduced if m.dues_reduction_approved else m.dues_monthly
        m.dues_due = rules.money(due) if due is not None else None
        m.dues_behind = rules.months_behind(m.dues_paid_until, today)
        yield m


def paid_up_rate(*, scope: Scope, organization: Organization | None = None, today=None) -> dict:
    """Share of members (active) paid up to the previous month, in the scope (dashboard figure)."""
    today = today or timezone.localdate()
    qs = scope.members(Member.objects.filter(ACTIVE))
    if organization is not None:
        qs = qs.filter(subtree_q([organization.path], "organization__path"))
    row = qs.aggregate(
        total=Count("pk"), paid=Count("pk", filter=Q(dues_paid_until__gte=previous_month(today)))
    )
    total, paid = row["total"], row["paid"]
    return {"members": total, "paid_up": paid, "rate": round(paid / total, 4) if total else None}


def assessments(*, scope: Scope, member: Member) -> QuerySet[DuesAssessment]:
    return (
        DuesAssessment.objects.filter(member__in=scope.members(Member.objects.filter(pk=member.pk)))
        .select_related("reduction")
        .order_by("-valid_from")
    )


def reduction_queue(*, scope: Scope) -> QuerySet[DuesReduction]:
    """Pending reductions (R35) for committees the user administers."""
    orgs = scope.organizations(Organization.objects.all()).values("pk")
    return (
        DuesReduction.objects.filter(state=ReductionState.PENDING, approving_organization__in=orgs)
        .select_related("member__organization", "approving_organization")
        .order_by("requested_on", "pk")
    )
