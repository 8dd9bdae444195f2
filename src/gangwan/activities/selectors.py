"""Reading activities, always cut to a scope (SPEC §0)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from gangwan.core.scopes import Scope
from gangwan.members.models import Member
from gangwan.organizations.models import Office, Organization

from .models import Activity, ActivityKind, Attendance, AttendanceStatus, PartyGroup


def activity_list(
    *,
    scope: Scope,
    kind: str = "",
    organization: Organization | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Activity]:
    qs = Activity.objects.filter(scope.organization_q("organization__")).select_related(
        "organization", "party_group"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if organization is not None:
        qs = qs.filter(organization=organization)
    if date_from:
        qs = qs.filter(held_on__gte=date_from)
    if date_to:
        qs = qs.filter(held_on__lte=date_to)
    # Correlated counts rather than JOIN + GROUP BY: the database then counts attendance only for
    # the page of rows it returns, not for every activity in the scope before the LIMIT.
    return qs.annotate(
        n_expected=_attendance_count(~Q(status=AttendanceStatus.EXEMPT)),
        n_present=_attendance_count(Q(status=AttendanceStatus.PRESENT)),
    ).order_by("-held_on", "-id")


def _attendance_count(condition: Q):
    counted = (
        Attendance.objects.filter(condition, activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def activity_get(*, scope: Scope, pk: int) -> Activity:
    qs = Activity.objects.filter(scope.organization_q("organization__")).select_related(
        "organization__region", "party_group", "created_by"
    )
    return get_object_or_404(qs, pk=pk)


def activity_organizations(*, scope: Scope) -> QuerySet[Organization]:
    """Organizations in scope that hold organizational life."""
    return scope.organizations(
        Organization.objects.filter(dissolved_on__isnull=True).select_related("region")
    ).order_by("path")


def partner_organizations(*, scope: Scope, organization: Organization) -> QuerySet[Organization]:
    """Possible partners of a joint activity (1+N): the other active organizations of the same
    area inside the scope."""
    return (
        activity_organizations(scope=scope)
        .filter(region_id=organization.region_id)
        .exclude(pk=organization.pk)
    )


def party_groups(*, organization: Organization) -> QuerySet[PartyGroup]:
    return organization.party_groups.filter(dissolved_on__isnull=True)


def expected_members(
    *, organization: Organization, kind: str, party_group: PartyGroup | None = None
) -> list[Member]:
    """Who should attend (应到): the group's members for a group meeting, the sitting office
    holders for a committee meeting, otherwise the members taking part at the organization."""
    base = Member.objects.filter(archived_on__isnull=True).select_related(
        "organization", "floating"
    )
    if kind == ActivityKind.GROUP_MEETING and party_group is not None:
        qs = base.filter(party_groups=party_group)
    elif kind == ActivityKind.COMMITTEE_MEETING:
        qs = base.filter(
            pk__in=Office.objects.filter(organization=organization, ended_on__isnull=True).values(
                "member_id"
            )
        )
    else:
        qs = base.filter(home_organization=organization)
    return list(qs.order_by("name", "pk"))


def activity_attendances(*, activity: Activity) -> QuerySet[Attendance]:
    return activity.attendances.select_related("member").order_by("member__name", "member_id")


def attendance_rate(*, scope: Scope, since: dt.date, until: dt.date | None = None) -> dict:
    """Dashboard figure: present / expected (exempt removed) over activities in scope."""
    qs = Attendance.objects.filter(
        scope.organization_q("activity__organization__"), activity__held_on__gte=since
    )
    if until:
        qs = qs.filter(activity__held_on__lte=until)
    agg = qs.exclude(status=AttendanceStatus.EXEMPT).aggregate(
        expected=Count("pk"), present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT))
    )
    expected, present = agg["expected"], agg["present"]
    return {
        "expected": expected,
        "present": present,
        "rate": round(100 * present / expected, 1) if expected else None,
    }
