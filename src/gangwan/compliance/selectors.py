"""Compliance for a scope (SPEC §3): per organization and rule, the status of the current and the
previous period. The page's queries do not grow with organizations: one query for the
organizations, ONE aggregate over activities (GROUP BY organization, kind with the latest date
before each period boundary), one for sitting offices, one for Party groups, one for overrides."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from gangwan.activities.models import Activity, PartyGroup
from gangwan.core.tree import STEP_WIDTH, subtree_q
from gangwan.organizations.models import Office, Organization

from .rules import (
    DONE,
    DUE,
    MONTH,
    OVERDUE,
    PERIODS,
    QUARTER,
    RULES,
    YEAR,
    ComplianceRule,
    RuleConfig,
    applies,
    period_end,
    period_start,
    previous_period_start,
)


@dataclass
class RuleStatus:
    rule: ComplianceRule
    period: str
    current: str  # done | due | overdue
    previous: str  # done | overdue
    current_start: dt.date
    current_end: dt.date
    previous_start: dt.date
    last_held_on: dt.date | None


@dataclass
class OrgCompliance:
    id: int
    name: str
    kind: str
    region_id: int
    region_path: str
    region_name: str
    statuses: list[RuleStatus] = field(default_factory=list)

    def status_for(self, code: str) -> RuleStatus | None:
        return next((s for s in self.statuses if s.rule.code == code), None)

    @property
    def overdue(self) -> list[RuleStatus]:
        return [s for s in self.statuses if s.previous == OVERDUE or s.current == OVERDUE]


def scoped_organizations(*, scope, region=None, id_range: tuple[int, int] | None = None, ids=None):
    qs = scope.organizations(
        Organization.objects.filter(dissolved_on__isnull=True, kind__in=RULES[0].org_kinds)
    )
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    if id_range is not None:
        qs = qs.filter(pk__gte=id_range[0], pk__lt=id_range[1])
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs


def activity_aggregate(*, organizations, today: dt.date):
    """ONE query: per (organization, kind) the latest activity, and the latest before the start of
    the current month, quarter and year (enough to tell the current and previous periods apart)."""
    earliest = previous_period_start(today, YEAR)
    bounds = {p: period_start(today, p) for p in PERIODS}
    return (
        Activity.objects.filter(
            organization__in=organizations.values("pk"),
            kind__in=[r.kind for r in RULES],
            held_on__gte=earliest,
            held_on__lte=today,
        )
        .values("organization_id", "kind")
        .annotate(
            last=Max("held_on"),
            before_month=Max("held_on", filter=Q(held_on__lt=bounds[MONTH])),
            before_quarter=Max("held_on", filter=Q(held_on__lt=bounds[QUARTER])),
            before_year=Max("held_on", filter=Q(held_on__lt=bounds[YEAR])),
        )
        .order_by()
    )


def compliance_evaluate(
    *,
    scope,
    region=None,
    today: dt.date | None = None,
    id_range: tuple[int, int] | None = None,
    ids=None,
) -> list[OrgCompliance]:
    """Evaluate every organization of the scope (within `region`, and organization ids in
    `id_range` [from, to), or in `ids`, when given) against every rule that applies to it."""
    today = today or dt.date.today()
    orgs_qs = scoped_organizations(scope=scope, region=region, id_range=id_range, ids=ids)
    orgs = list(
        orgs_qs.order_by("region__path", "path").values(
            "id", "name", "kind", "region_id", "region__path", "region__name"
        )
    )
    if not orgs:
        return []
    ids = orgs_qs.values("pk")
    agg = {
        (r["organization_id"], r["kind"]): r
        for r in activity_aggregate(organizations=orgs_qs, today=today)
    }
    offices = dict(
        Office.objects.filter(organization__in=ids, ended_on__isnull=True)
        .values("organization_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("organization_id", "n")
    )
    grouped = set(
        PartyGroup.objects.filter(organization__in=ids, dissolved_on__isnull=True)
        .values_list("organization_id", flat=True)
        .distinct()
    )
    config = RuleConfig.load()
    before_key = {MONTH: "before_month", QUARTER: "before_quarter", YEAR: "before_year"}
    result = []
    for o in orgs:
        oc = OrgCompliance(
            id=o["id"],
            name=o["name"],
            kind=o["kind"],
            region_id=o["region_id"],
            region_path=o["region__path"],
            region_name=o["region__name"],
        )
        for rule in RULES:
            if not applies(
                rule,
                org_kind=o["kind"],
                offices=offices.get(o["id"], 0),
                has_groups=o["id"] in grouped,
            ):
                continue
            period = config.period(rule, o["region__path"])
            cur_start, prev_start = (
                period_start(today, period),
                previous_period_start(today, period),
            )
            row = agg.get((o["id"], rule.kind))
            last = row["last"] if row else None
            before = row[before_key[period]] if row else None
            current = DONE if last and last >= cur_start else DUE
            previous = DONE if before and before >= prev_start else OVERDUE
            oc.statuses.append(
                RuleStatus(
                    rule=rule,
                    period=period,
                    current=current,
                    previous=previous,
                    current_start=cur_start,
                    current_end=period_end(today, period),
                    previous_start=prev_start,
                    last_held_on=last,
                )
            )
        result.append(oc)
    return result


@dataclass
class RegionSummary:
    region_id: int
    name: str
    organizations: int = 0
    pairs: int = 0
    done_current: int = 0
    done_previous: int = 0
    overdue_orgs: int = 0

    @property
    def rate_previous(self) -> float:
        return round(100 * self.done_previous / self.pairs, 1) if self.pairs else 0.0

    @property
    def rate_current(self) -> float:
        return round(100 * self.done_current / self.pairs, 1) if self.pairs else 0.0


def summary_by_child_region(evaluated: list[OrgCompliance], children) -> list[RegionSummary]:
    """Roll organizations up to the child regions (streets, communities) they stand in."""
    if not children:
        return []
    width = len(children[0].path)
    by_path = {c.path: RegionSummary(region_id=c.pk, name=c.name) for c in children}
    for oc in evaluated:
        s = by_path.get(oc.region_path[:width])
        if s is None:
            continue
        s.organizations += 1
        s.pairs += len(oc.statuses)
        s.done_current += sum(st.current == DONE for st in oc.statuses)
        s.done_previous += sum(st.previous == DONE for st in oc.statuses)
        s.overdue_orgs += bool(oc.overdue)
    return list(by_path.values())


def rate_by_street(*, scope, today: dt.date | None = None) -> list[dict]:
    """Dashboard figure: per street (depth-2 region), the share of organization×rule pairs done
    in the last complete period. Region administrators read today's rollups when there are any;
    secretaries (a few organizations) are evaluated live."""
    from gangwan.regions.models import Region

    from . import rollups

    today = today or dt.date.today()
    streets = list(scope.regions(Region.objects.filter(depth=2)).order_by("path"))
    width = 2 * STEP_WIDTH
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    if not scope.organization_paths and rollups.is_fresh(today):
        roots = None if scope.everything else list(scope.region_paths)
        for row in rollups.sums_by_prefix(roots=roots, width=width):
            sums[row["prefix"]] = [row["done_previous"], row["pairs"]]
    else:
        for oc in compliance_evaluate(scope=scope, today=today):
            s = sums[oc.region_path[:width]]
            s[0] += sum(st.previous == DONE for st in oc.statuses)
            s[1] += len(oc.statuses)
    return [
        {
            "region_id": r.pk,
            "name": r.name,
            "done": sums[r.path][0],
            "pairs": sums[r.path][1],
            "rate": round(100 * sums[r.path][0] / sums[r.path][1], 1) if sums[r.path][1] else 0.0,
        }
        for r in streets
    ]


STATUSES = (DONE, DUE, OVERDUE)
