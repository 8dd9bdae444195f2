from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Substr
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gangwan.core.errors import Finding
from gangwan.core.rules import rule_value
from gangwan.core.scopes import Scope
from gangwan.core.tree import STEP_WIDTH, subtree_q
from gangwan.members.models import Member, MemberStatus
from gangwan.regions.models import Region
from gangwan.units.models import NON_PUBLIC_KINDS, Unit

from . import rules
from .models import Office, Organization, OrganizationKind, OrganizationUnit, Term

OWN_KINDS = (OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH, OrganizationKind.BRANCH)


def _member_count(field: str, status: str | None = None):
    qs = Member.objects.filter(**{field: OuterRef("pk")}, archived_on__isnull=True)
    if status:
        qs = qs.filter(status=status)
    return Coalesce(
        Subquery(
            qs.order_by().values(field).annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def with_member_counts(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    """Annotate members held (relationship), full members and members taking part (home)."""
    return qs.annotate(
        member_count=_member_count("organization"),
        full_count=_member_count("organization", MemberStatus.FULL),
        home_count=_member_count("home_organization"),
    )


def organization_list(
    *,
    scope: Scope,
    q: str = "",
    kind: str = "",
    region: Region | None = None,
    include_dissolved: bool = False,
) -> QuerySet[Organization]:
    qs = scope.organizations(Organization.objects.select_related("region", "parent"))
    if not include_dissolved:
        qs = qs.filter(dissolved_on__isnull=True)
    if q:
        qs = qs.filter(name__icontains=q)
    if kind:
        qs = qs.filter(kind=kind)
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    return qs.order_by("path")


def organization_get(*, scope: Scope, pk: int) -> Organization:
    return get_object_or_404(
        scope.organizations(Organization.objects.select_related("region", "parent")), pk=pk
    )


def organization_parents_assignable(*, scope: Scope) -> QuerySet[Organization]:
    return organization_list(scope=scope).filter(kind__in=rules.PARENT_KINDS)


def organization_children(*, organization: Organization) -> QuerySet[Organization]:
    return with_member_counts(
        organization.children.filter(dissolved_on__isnull=True).select_related("region")
    ).order_by("path")


def organization_units(*, organization: Organization):
    return (
        OrganizationUnit.objects.filter(organization=organization)
        .select_related("unit")
        .order_by("-is_primary", "unit__name")
    )


def organization_offices(*, organization: Organization, include_past: bool = False):
    qs = Office.objects.filter(organization=organization).select_related("member")
    return qs if include_past else qs.filter(ended_on__isnull=True)


def organization_flags(*, organization: Organization) -> list[Finding]:
    """Standing warnings about an organization (R3, R5, R2/R6) to show on its page."""
    full = Member.objects.filter(
        organization=organization, status=MemberStatus.FULL, archived_on__isnull=True
    ).count()
    sitting = Office.objects.filter(organization=organization, ended_on__isnull=True).count()
    flags = [
        *rules.check_r3_below_minimum(
            kind=organization.kind, full_members=full, region=organization.region
        ),
        *rules.check_r5_committee_due(
            organization=organization, full_members=full, sitting_total=sitting
        ),
        *rules.check_r2_r6_size(
            kind=organization.kind, full_members=full, region=organization.region
        ),
    ]
    if organization.kind == OrganizationKind.JOINT_BRANCH:
        flags += rules.check_r3_joint_units(
            kind=organization.kind,
            unit_count=organization.unit_links.count(),
            region=organization.region,
        )
    return flags


def area_structure(*, scope: Scope, region: Region) -> dict:
    """1+N of an area: its regional comprehensive branch ("the 1") and the organizations of the
    area's units ("the N"), each with member counts."""
    orgs = with_member_counts(
        organization_list(scope=scope)
        .filter(region=region)
        .exclude(kind__in=[OrganizationKind.COMMITTEE, OrganizationKind.WORKING_COMMITTEE])
    )
    the_one = next((o for o in orgs if o.kind == OrganizationKind.REGIONAL_BRANCH), None)
    the_n = [o for o in orgs if o.kind != OrganizationKind.REGIONAL_BRANCH]
    committees = organization_list(scope=scope).filter(
        region=region, kind__in=[OrganizationKind.COMMITTEE, OrganizationKind.WORKING_COMMITTEE]
    )
    return {"the_one": the_one, "the_n": the_n, "committees": list(committees)}


def terms_ending_soon(
    *, scope: Scope, today: dt.date | None = None, months: int | None = None
) -> QuerySet[Term]:
    """Open terms of active organizations ending within the reminder window (R8: 6 months), overdue included."""
    today = today or timezone.localdate()
    months = months if months is not None else rule_value("R8.reminder_months")
    limit = rules.add_months(today, int(months))
    return (
        Term.objects.filter(
            closed_on__isnull=True, ends_on__lte=limit, organization__dissolved_on__isnull=True
        )
        .filter(organization__in=scope.organizations(Organization.objects.all()).values("pk"))
        .select_related("organization", "organization__region")
        .order_by("ends_on")
    )


def organizations_by_kind(*, scope: Scope) -> dict[str, int]:
    rows = organization_list(scope=scope).order_by().values("kind").annotate(n=Count("id"))
    return {r["kind"]: r["n"] for r in rows}


# --- coverage (R47) -------------------------------------------------------------------------
def _coverage_annotations(qs: QuerySet[Unit]) -> QuerySet[Unit]:
    active = OrganizationUnit.objects.filter(
        unit=OuterRef("pk"), organization__dissolved_on__isnull=True
    )
    return qs.annotate(
        is_covered=Exists(active),
        has_own=Exists(active.filter(is_primary=True, organization__kind__in=OWN_KINDS)),
    )


def coverage_units(
    *, scope: Scope, region: Region | None = None, non_public_only: bool = True
) -> QuerySet[Unit]:
    qs = scope.units(Unit.objects.filter(is_operating=True))
    if non_public_only:
        qs = qs.filter(kind__in=NON_PUBLIC_KINDS)
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    return _coverage_annotations(qs)


def _rates(row: dict) -> dict:
    total = row["total"] or 0

    def pct(n):
        return round(100.0 * n / total, 1) if total else None

    return {
        **row,
        "organization_coverage": pct(row["covered"]),
        "own_organization_rate": pct(row["own"]),
        "union_coverage": pct(row["union"]),
        "work_coverage": pct(row["work"]),
    }


_COUNTS = {
    "total": Count("id"),
    "covered": Count("id", filter=Q(is_covered=True)),
    "own": Count("id", filter=Q(has_own=True)),
    "union": Count("id", filter=Q(has_union=True)),
    # Work coverage (R47, formula UNCONFIRMED): an organization, a Party-building instructor or a union.
    "work": Count("id", filter=Q(is_covered=True) | ~Q(instructor_name="") | Q(has_union=True)),
}


def coverage(*, scope: Scope, region: Region | None = None, non_public_only: bool = True) -> dict:
    """Coverage of operating units (R47): organization coverage = own or covered by a joint/regional
    organization ÷ operating units; own-organization rate; union coverage; work coverage."""
    row = coverage_units(scope=scope, region=region, non_public_only=non_public_only).aggregate(
        **_COUNTS
    )
    return _rates(row)


def coverage_by_child_region(
    *, scope: Scope, region: Region, non_public_only: bool = True
) -> list[dict]:
    """The same figures for each child region of `region` (streets of a district, communities of a street)."""
    width = region.depth * STEP_WIDTH + STEP_WIDTH
    rows = (
        coverage_units(scope=scope, region=region, non_public_only=non_public_only)
        .annotate(child_path=Substr("region__path", 1, width))
        .order_by()
        .values("child_path")
        .annotate(**_COUNTS)
    )
    children = {
        path: (pk, name)
        for path, pk, name in Region.objects.filter(parent=region).values_list("path", "id", "name")
    }
    # Units placed on `region` itself (not in a child) form a row of their own under its name.
    out = [
        _rates(
            {
                **r,
                "region_id": children.get(r["child_path"], (region.pk, region.name))[0],
                "name": children.get(r["child_path"], (region.pk, region.name))[1],
            }
        )
        for r in rows
    ]
    return sorted(out, key=lambda r: r["child_path"])


def organizations_of_unit(*, scope: Scope, unit: Unit) -> QuerySet[Organization]:
    """Organizations a unit is attached to (its own, a joint or a regional branch), in scope."""
    return with_member_counts(
        organization_list(scope=scope, include_dissolved=True).filter(unit_links__unit=unit)
    ).order_by("dissolved_on", "path")
