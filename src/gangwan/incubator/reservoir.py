"""The reservoir (SPEC §2): the members taking part in an area's regional branch (home
organization = the regional branch, not archived), grouped by unit with full/probationary counts,
the members without a unit, and how long each has been there.

"Since when" a member has been in the reservoir, in this order:
1. the floating record's placement date (`Floating.placed_on`, else `Floating.arrived_on`) when the
   floating app keeps one for the member — read defensively, the app may not provide those fields;
2. the audit trail: the latest entry that put the member's home in this branch (registration,
   change, transfer…), used instead of (1) when it is later (the member moved here afterwards);
3. the member's joined-the-Party date, labelled as such, for records written without a trail
   (imports, the demo district).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gangwan.core.models import AuditEntry
from gangwan.core.scopes import Scope
from gangwan.members.models import Member, MemberStatus
from gangwan.organizations.models import Organization, OrganizationKind, OrganizationUnit
from gangwan.units.models import Unit

from . import rules
from .models import OPEN_STATES, Incubation, IncubationState

# A joint branch does not make a unit "settled": it may still set up a branch of its own.
SETTLED_EXCLUDE = (OrganizationKind.JOINT_BRANCH,)

SINCE_FLOATING, SINCE_AUDIT, SINCE_JOINED = "floating", "audit", "joined"


def reservoir_full_counts(*, unit_ids: Sequence[int]) -> dict[int, dict[int, int]]:
    """Full members (not archived) of these units taking part in an active regional branch,
    per unit and regional branch: {unit_id: {regional_branch_id: n}}. Probationary members do not
    count (R1)."""
    rows = (
        Member.objects.filter(
            unit_id__in=unit_ids,
            status=MemberStatus.FULL,
            archived_on__isnull=True,
            home_organization__kind=OrganizationKind.REGIONAL_BRANCH,
            home_organization__dissolved_on__isnull=True,
        )
        .order_by()
        .values("unit_id", "home_organization_id")
        .annotate(n=Count("id"))
    )
    out: dict[int, dict[int, int]] = {}
    for r in rows:
        out.setdefault(r["unit_id"], {})[r["home_organization_id"]] = r["n"]
    return out


def units_with_own_organization(*, unit_ids: Sequence[int]) -> set[int]:
    """Units that are the primary unit of an active organization (their own branch, or the
    community office of a regional branch): they are not incubated."""
    return set(
        OrganizationUnit.objects.filter(
            unit_id__in=unit_ids, is_primary=True, organization__dissolved_on__isnull=True
        )
        .exclude(organization__kind__in=SETTLED_EXCLUDE)
        .values_list("unit_id", flat=True)
    )


def _home_count(q: Q | None = None):
    qs = Member.objects.filter(home_organization=OuterRef("pk"), archived_on__isnull=True)
    if q is not None:
        qs = qs.filter(q)
    return Coalesce(
        Subquery(
            qs.order_by().values("home_organization").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _distinct_units():
    qs = Member.objects.filter(
        home_organization=OuterRef("pk"), archived_on__isnull=True, unit__isnull=False
    )
    return Coalesce(
        Subquery(
            qs.order_by()
            .values("home_organization")
            .annotate(n=Count("unit", distinct=True))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _eligible_count():
    qs = Incubation.objects.filter(
        regional_branch=OuterRef("pk"), state=IncubationState.ELIGIBLE, lapsed_at__isnull=True
    )
    return Coalesce(
        Subquery(
            qs.order_by().values("regional_branch").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def reservoir_list(*, scope: Scope) -> QuerySet[Organization]:
    """The active regional branches in the scope, each with its reservoir's figures: members
    taking part (`member_count`), full and probationary among them, units, members without a
    unit, and units eligible for their own branch."""
    qs = scope.organizations(
        Organization.objects.filter(
            kind=OrganizationKind.REGIONAL_BRANCH, dissolved_on__isnull=True
        ).select_related("region", "parent")
    )
    return qs.annotate(
        member_count=_home_count(),
        full_count=_home_count(Q(status=MemberStatus.FULL)),
        probationary_count=_home_count(Q(status=MemberStatus.PROBATIONARY)),
        without_unit_count=_home_count(Q(unit__isnull=True)),
        unit_count=_distinct_units(),
        eligible_count=_eligible_count(),
    ).order_by("region__path", "path")


def reservoir_get(*, scope: Scope, pk: int) -> Organization:
    """A regional branch in the scope (404 otherwise)."""
    return get_object_or_404(
        scope.organizations(
            Organization.objects.filter(kind=OrganizationKind.REGIONAL_BRANCH).select_related(
                "region", "parent"
            )
        ),
        pk=pk,
    )


def reservoir_size(*, scope: Scope) -> int:
    """Members taking part in the active regional branches of the scope: a dashboard figure."""
    qs = Member.objects.filter(
        archived_on__isnull=True,
        home_organization__kind=OrganizationKind.REGIONAL_BRANCH,
        home_organization__dissolved_on__isnull=True,
    )
    if not scope.everything:
        qs = qs.filter(scope.organization_q("home_organization__"))
    return qs.count()


def open_incubations_of(*, regional_branch: Organization) -> dict[int, Incubation]:
    """The open incubation of each unit of a reservoir, by unit id."""
    return {
        inc.unit_id: inc
        for inc in Incubation.objects.filter(
            regional_branch=regional_branch, state__in=OPEN_STATES, lapsed_at__isnull=True
        )
    }


# --- since when ---------------------------------------------------------------------------------
def _floating_dates(member_ids: Sequence[int]) -> dict[int, dt.date]:
    """Placement (else arrival) dates from the floating app, if it keeps them; {} otherwise."""
    try:
        from gangwan.floating.models import Floating
    except ImportError:
        return {}
    names = {f.name for f in Floating._meta.concrete_fields}
    dates = [n for n in ("placed_on", "arrived_on") if n in names]
    if "member" not in names or not dates or not member_ids:
        return {}
    expr = Coalesce(*dates) if len(dates) > 1 else dates[0]
    try:
        with transaction.atomic():  # a savepoint: a missing table must not break the page
            rows = (
                Floating.objects.filter(member_id__in=member_ids)
                .annotate(since=expr)
                .values_list("member_id", "since")
            )
            out: dict[int, dt.date] = {}
            for member_id, since in rows:
                if since is not None and (member_id not in out or since > out[member_id]):
                    out[member_id] = since
            return out
    except DatabaseError:
        return {}


def _audit_dates(member_ids: Sequence[int], regional_branch: Organization) -> dict[int, dt.date]:
    """The latest audit entry that put each member's home in this branch."""
    if not member_ids:
        return {}
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Member),
        object_id__in=[str(pk) for pk in member_ids],
        after__home_organization_id=regional_branch.pk,
    ).values_list("object_id", "at", "before")
    out: dict[int, dt.date] = {}
    for object_id, at, before in entries:
        if before and before.get("home_organization_id") == regional_branch.pk:
            continue  # a change that left the home where it was
        pk, day = int(object_id), timezone.localtime(at).date()
        if pk not in out or day > out[pk]:
            out[pk] = day
    return out


def member_since(
    members: Sequence[Member], regional_branch: Organization
) -> dict[int, tuple[dt.date | None, str]]:
    """{member_id: (since, source)} where source is floating, audit or joined (see the module)."""
    ids = [m.pk for m in members]
    floating, audited = _floating_dates(ids), _audit_dates(ids, regional_branch)
    out = {}
    for m in members:
        candidates = [
            (d, src)
            for d, src in ((floating.get(m.pk), SINCE_FLOATING), (audited.get(m.pk), SINCE_AUDIT))
            if d is not None
        ]
        out[m.pk] = max(candidates) if candidates else (m.joined_on, SINCE_JOINED)
    return out


# --- the reservoir, grouped -----------------------------------------------------------------------
@dataclass
class ReservoirMember:
    member: Member
    since: dt.date | None
    since_source: str
    days: int | None


@dataclass
class UnitGroup:
    unit: Unit
    full: int = 0
    probationary: int = 0
    members: list[ReservoirMember] = field(default_factory=list)
    incubation: Incubation | None = None
    settled: bool = False  # the unit has an organization of its own (or is the branch's office)
    eligible: bool = False  # enough full members (R1) and not settled

    @property
    def total(self) -> int:
        return self.full + self.probationary


@dataclass
class Reservoir:
    regional_branch: Organization
    minimum: int
    groups: list[UnitGroup]
    without_unit: list[ReservoirMember]

    @property
    def member_count(self) -> int:
        return sum(g.total for g in self.groups) + len(self.without_unit)

    @property
    def full_count(self) -> int:
        return sum(g.full for g in self.groups) + sum(
            1 for r in self.without_unit if r.member.status == MemberStatus.FULL
        )

    @property
    def probationary_count(self) -> int:
        return self.member_count - self.full_count


def reservoir_groups(*, regional_branch: Organization, today: dt.date | None = None) -> Reservoir:
    """The reservoir of one regional branch: its members grouped by unit (most full members
    first), each group with its counts, its open incubation and whether it meets R1; the members
    without a unit; for each member since when and for how many days it has been there."""
    today = today or timezone.localdate()
    members = list(
        Member.objects.filter(home_organization=regional_branch, archived_on__isnull=True)
        .select_related("unit", "organization")
        .order_by("name", "id")
    )
    since = member_since(members, regional_branch)
    groups: dict[int, UnitGroup] = {}
    without_unit = []
    for m in members:
        d, src = since[m.pk]
        row = ReservoirMember(m, d, src, (today - d).days if d else None)
        if m.unit_id is None:
            without_unit.append(row)
            continue
        g = groups.setdefault(m.unit_id, UnitGroup(unit=m.unit))
        g.members.append(row)
        if m.status == MemberStatus.FULL:
            g.full += 1
        else:
            g.probationary += 1
    minimum = rules.min_full_members(regional_branch.region)
    settled = units_with_own_organization(unit_ids=list(groups))
    incubations = open_incubations_of(regional_branch=regional_branch)
    for unit_id, g in groups.items():
        g.settled = unit_id in settled
        g.eligible = not g.settled and g.full >= minimum
        g.incubation = incubations.get(unit_id)
    ordered = sorted(groups.values(), key=lambda g: (g.settled, -g.full, -g.total, g.unit.name))
    return Reservoir(regional_branch, minimum, ordered, without_unit)
