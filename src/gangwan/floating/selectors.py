"""Reading floating members, stations and self-registrations, always cut to a Scope.

Who sees what:
- station staff (role `station_staff` on a community, core.RoleAssignment): the stations in that
  region and the floating members they registered, and the portal registrations sent to them;
- district and street administrators (scope.region_paths): the same for every station in their
  regions, plus the floating members whose organization or home lies in their regions;
- secretaries (scope.organization_paths): the floating members whose organization or home lies in
  their organization's subtree, and the stations of the areas where their organizations stand.
Station staff have no structure access (scope.has_structure_access is False): this module reads
their role assignments itself (`station_region_paths`), so core.scopes stays as it is.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gangwan.core.models import Role, RoleAssignment
from gangwan.core.scopes import Scope
from gangwan.core.tree import subtree_q
from gangwan.members.models import Member

from . import rules
from .models import Floating, SelfRegistration, SelfRegistrationStatus, ServiceStation


# --- who operates which station ------------------------------------------------------------
def station_region_paths(scope: Scope) -> tuple[str, ...]:
    """The regions on which the user holds the role `station_staff` (one query; none for others)."""
    if scope.user_id is None or Role.STATION_STAFF not in scope.roles:
        return ()
    return tuple(
        RoleAssignment.objects.filter(
            user_id=scope.user_id, role=Role.STATION_STAFF, region__isnull=False
        ).values_list("region__path", flat=True)
    )


def operator_paths(scope: Scope) -> tuple[str, ...]:
    """Regions whose stations the user runs: as station staff, or as district/street admin."""
    return station_region_paths(scope) + tuple(scope.region_paths)


def _station_q(scope: Scope, prefix: str = "") -> Q:
    if scope.everything:
        return Q()
    paths = operator_paths(scope) + tuple(scope.organization_region_paths)
    return subtree_q(paths, f"{prefix}region__path")


def _operated_station_q(scope: Scope, prefix: str = "") -> Q:
    if scope.everything:
        return Q()
    return subtree_q(operator_paths(scope), f"{prefix}region__path")


def floating_q(scope: Scope) -> Q:
    """Floating records the user may see (see the module's docstring)."""
    if scope.everything:
        return Q()
    q = scope.organization_q("member__organization__") | scope.organization_q(
        "member__home_organization__"
    )
    paths = operator_paths(scope)
    if paths:
        q |= subtree_q(paths, "station__region__path")
    return q


# --- stations --------------------------------------------------------------------------------
def station_list(*, scope: Scope, include_inactive: bool = False) -> QuerySet[ServiceStation]:
    qs = ServiceStation.objects.filter(_station_q(scope)).select_related("region", "region__parent")
    if not include_inactive:
        qs = qs.filter(active=True)
    return qs.order_by("region__path", "name")


def station_get(*, scope: Scope, pk: int) -> ServiceStation:
    return get_object_or_404(
        ServiceStation.objects.filter(_station_q(scope)).select_related("region", "region__parent"),
        pk=pk,
    )


def stations_operated(*, scope: Scope) -> QuerySet[ServiceStation]:
    """Active stations where the user may register and place members."""
    return (
        ServiceStation.objects.filter(_operated_station_q(scope), active=True)
        .select_related("region", "region__parent")
        .order_by("region__path", "name")
    )


def station_staff(*, station: ServiceStation) -> QuerySet:
    from gangwan.core.models import User

    return User.objects.filter(
        roles__role=Role.STATION_STAFF, roles__region=station.region
    ).order_by("username")


def stations_public() -> QuerySet[ServiceStation]:
    """Active stations for the public portal (no scope: a station's name and address are public)."""
    return (
        ServiceStation.objects.filter(active=True)
        .select_related("region", "region__parent")
        .order_by("region__path", "name")
    )


# --- floating members ------------------------------------------------------------------------
def floating_list(
    *,
    scope: Scope,
    station: ServiceStation | None = None,
    q: str = "",
    home: str = "",
    include_archived: bool = False,
) -> QuerySet[Floating]:
    """Floating records in scope; `home` = "found" or "pending" filters on home_found_on."""
    qs = Floating.objects.filter(floating_q(scope)).select_related(
        "member", "member__organization", "member__home_organization", "station"
    )
    if not include_archived:
        qs = qs.filter(member__archived_on__isnull=True)
    if station is not None:
        qs = qs.filter(station=station)
    if q:
        qs = qs.filter(
            Q(member__name__icontains=q.strip()) | Q(origin_region_name__icontains=q.strip())
        )
    if home == "found":
        qs = qs.filter(home_found_on__isnull=False)
    elif home == "pending":
        qs = qs.filter(home_found_on__isnull=True)
    return qs.order_by("-arrived_on", "member__name", "pk")


def floating_get(*, scope: Scope, pk: int) -> Floating:
    return get_object_or_404(
        Floating.objects.filter(floating_q(scope)).select_related(
            "member",
            "member__organization",
            "member__home_organization",
            "member__home_organization__region",
            "member__unit",
            "station",
            "station__region",
        ),
        pk=pk,
    )


def floating_of_member(member: Member) -> Floating | None:
    return Floating.objects.filter(member=member).first()


def follow_up_list(*, scope: Scope, today: dt.date | None = None) -> list[Floating]:
    """R22: floating members registered at a station (in scope) who have not found a home N days
    after they were placed (N per station's region, CONFIG, default 30), longest waiting first."""
    today = today or timezone.localdate()
    stations = list(
        ServiceStation.objects.filter(_station_q(scope))
        .select_related("region")
        .only("pk", "region__path")
    )
    if not stations:
        return []
    days = rules.follow_up_days_for([s.region for s in stations])
    by_days: dict[int, list[int]] = defaultdict(list)
    for s in stations:
        by_days[days[s.region.path]].append(s.pk)
    due = Q(pk__in=[])
    for n, ids in by_days.items():
        due |= Q(station_id__in=ids, since__lte=today - dt.timedelta(days=n))
    qs = (
        Floating.objects.filter(floating_q(scope))
        .filter(home_found_on__isnull=True, member__archived_on__isnull=True)
        .annotate(since=Coalesce("placed_on", "arrived_on"))
        .filter(due)
        .select_related("member", "member__home_organization__region", "station", "station__region")
        .order_by("since", "member__name", "pk")
    )
    rows = list(qs)
    for f in rows:
        f.waiting_days = (today - f.since).days
    return rows


def certificate_reminders(*, scope: Scope, today: dt.date | None = None) -> QuerySet[Floating]:
    """R23: activity certificates never reviewed or last reviewed 12 months ago or more."""
    today = today or timezone.localdate()
    limit = rules.certificate_review_due_before(today)
    return (
        Floating.objects.filter(floating_q(scope))
        .exclude(certificate_no="")
        .filter(member__archived_on__isnull=True)
        .filter(Q(certificate_reviewed_on__isnull=True) | Q(certificate_reviewed_on__lte=limit))
        .select_related("member", "member__home_organization__region", "station", "station__region")
        .order_by(Coalesce("certificate_reviewed_on", "arrived_on"), "member__name", "pk")
    )


# --- figures ---------------------------------------------------------------------------------
def _summary(rows: list[tuple[dt.date, dt.date | None]], today: dt.date) -> dict:
    """Median days from arrival to home over those who found one; the share found within 60 days
    over those whose outcome is known (found a home, or arrived 60 days ago or more)."""
    days = [(found - arrived).days for arrived, found in rows if found is not None]
    known = [
        (arrived, found)
        for arrived, found in rows
        if found is not None or (today - arrived).days >= rules.HOME_WITHIN_DAYS
    ]
    within = sum(
        1
        for arrived, found in known
        if found is not None and (found - arrived).days <= rules.HOME_WITHIN_DAYS
    )
    return {
        "total": len(rows),
        "home_found": len(days),
        "pending": len(rows) - len(days),
        "median_days_to_home": statistics.median(days) if days else None,
        "share_within_60_days": round(100 * within / len(known), 1) if known else None,
    }


def floating_figures(*, scope: Scope, today: dt.date | None = None) -> dict:
    """Days to home (SPEC §2): median and share within 60 days, overall, by station and by street
    (the station's street; members without a station count under their home organization's
    street). Two queries; the medians are taken in Python over the durations of the scope."""
    today = today or timezone.localdate()
    raw = list(
        Floating.objects.filter(floating_q(scope))
        .filter(member__archived_on__isnull=True)
        .values_list(
            "station_id",
            "arrived_on",
            "home_found_on",
            "station__region__parent_id",
            "member__home_organization__region__level",
            "member__home_organization__region_id",
            "member__home_organization__region__parent_id",
        )
    )
    by_station: dict[int | None, list] = defaultdict(list)
    by_street: dict[int | None, list] = defaultdict(list)
    for station_id, arrived, found, st_street, level, region_id, parent_id in raw:
        by_station[station_id].append((arrived, found))
        street = st_street or (region_id if level in ("street", "town") else parent_id)
        by_street[street].append((arrived, found))
    from gangwan.regions.models import Region

    stations = {
        s.pk: s
        for s in ServiceStation.objects.filter(pk__in=[k for k in by_station if k]).select_related(
            "region"
        )
    }
    streets = dict(
        Region.objects.filter(pk__in=[k for k in by_street if k]).values_list("pk", "name")
    )
    return {
        **_summary([(a, f) for _, a, f, *_ in raw], today),
        "by_station": sorted(
            (
                {
                    "station_id": k,
                    "station": stations[k].name if k else "",
                    "community": stations[k].region.name if k else "",
                    **_summary(v, today),
                }
                for k, v in by_station.items()
            ),
            key=lambda r: (r["station"] == "", r["community"], r["station"]),
        ),
        "by_street": sorted(
            (
                {"street_id": k, "street": streets.get(k, ""), **_summary(v, today)}
                for k, v in by_street.items()
            ),
            key=lambda r: (r["street"] == "", r["street"]),
        ),
    }


# --- self-registrations ------------------------------------------------------------------------
def self_registration_list(
    *, scope: Scope, status: str = SelfRegistrationStatus.PENDING, station=None
) -> QuerySet[SelfRegistration]:
    """Portal registrations sent to the stations the user runs (not to secretaries: they do not
    run stations). Unverified ones are never listed: nobody proved the phone yet."""
    qs = SelfRegistration.objects.filter(_operated_station_q(scope, "station__")).exclude(
        status=SelfRegistrationStatus.UNVERIFIED
    )
    if status:
        qs = qs.filter(status=status)
    if station is not None:
        qs = qs.filter(station=station)
    return qs.select_related("station", "station__region").order_by("created_at", "pk")


def self_registration_get(*, scope: Scope, pk: int) -> SelfRegistration:
    return get_object_or_404(
        SelfRegistration.objects.filter(_operated_station_q(scope, "station__"))
        .exclude(status=SelfRegistrationStatus.UNVERIFIED)
        .select_related("station", "station__region", "station__region__parent", "member"),
        pk=pk,
    )


def self_registration_pending_counts(*, scope: Scope) -> int:
    return self_registration_list(scope=scope).count()


def station_figures(*, station: ServiceStation, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    rows = list(
        Floating.objects.filter(station=station, member__archived_on__isnull=True).values_list(
            "arrived_on", "home_found_on"
        )
    )
    return _summary(rows, today)


def floating_count_by_station(*, scope: Scope) -> dict[int, int]:
    rows = (
        Floating.objects.filter(floating_q(scope), member__archived_on__isnull=True)
        .values("station_id")
        .annotate(n=Count("pk"))
    )
    return {r["station_id"]: r["n"] for r in rows}
