"""The "1+N" organization tree of the demo district and the members in it.

中共北仑区委 → 区直机关工委 (agency and institution branches) and one working committee per street
(its own agency branch, street institutions) → per community or village its own committee,
general branch or branch (children by 5-digit path step) → the organizations of the area's units
("the N"), joint branches of 2–5 small units, and, in industrial communities and many other areas,
one regional comprehensive branch ("the 1") that holds the reservoir: the members of units
without an organization of their own, and floating members. The rules are kept as the services
would keep them: R1 (a standalone branch has ≥3 full members of its unit), R3 (≤5 units per
joint branch), 1+N (at most one regional branch per area).
"""

from __future__ import annotations

import datetime as dt
import math

from gangwan.organizations.models import Organization
from gangwan.units.models import Unit

from .names import ordinal
from .plan import REFERENCE_DATE, AreaInfo, Plan

D = dt.date


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _probationary(plan: Plan, n: int, share: float = 0.1) -> int:
    return sum(1 for _ in range(n) if plan.rng.random() < share)


def unit_organization(
    plan: Plan,
    parent: Organization,
    unit: Unit,
    region,
    full: int,
    probationary: int,
    profile: str,
    issuer: str,
    established: dt.date,
    base: str | None = None,
) -> list[Organization]:
    """A unit's own organization sized by R6 (committee at 100+, general branch at 50+, else a
    branch); committees and general branches get branches of ~40 members. Returns the branches."""
    base = base or unit.name
    kind, suffix = (
        ("committee", "党委")
        if full >= 100
        else ("general_branch", "党总支")
        if full >= 50
        else ("branch", "党支部")
    )
    assert full >= 3, "R1: a standalone branch needs 3 full members"
    org = plan.organization(parent, base + suffix, kind, region, established, issuer, primary=unit)
    if kind == "branch":
        plan.members_for(org, unit, full, probationary, profile)
        return [org]
    k = max(2, math.ceil((full + probationary) / 45))
    leaves = []
    for i, (f, p) in enumerate(zip(_split(full, k), _split(probationary, k), strict=True), start=1):
        latest = min(
            established + dt.timedelta(days=8 * 365), REFERENCE_DATE - dt.timedelta(days=100)
        )
        child = plan.organization(
            org,
            f"{base}第{ordinal(i)}党支部",
            "branch",
            region,
            plan.date_between(established, latest),
            issuer,
            primary=unit,
        )
        plan.members_for(child, unit, f, p, profile)
        leaves.append(child)
    return leaves


def _unit_members(plan: Plan, unit: Unit) -> int:
    rng = plan.rng
    if unit.kind == "social_organization":
        return rng.choice((0, 0, 0, 1, 1, 2, 3, 4))
    rate = math.exp(rng.gauss(math.log(0.009), 0.8))
    x = unit.employees * min(rate, 0.2)
    return int(x) + (1 if rng.random() < x - int(x) else 0)


def build_organizations(plan: Plan) -> None:
    rng = plan.rng
    district = plan.named["district"]
    agencies = plan.named["district_agencies"]
    top = plan.organization(
        None, "中共北仑区委", "committee", district, D(1985, 10, 8), "甬党", primary=agencies[0]
    )
    organs = plan.organization(
        top,
        "中共北仑区直属机关工作委员会",
        "working_committee",
        district,
        D(1992, 4, 16),
        "仑党",
        primary=agencies[1],
    )
    plan.named["top"], plan.named["enterprise_leaves"] = top, []
    for unit in agencies + plan.named["district_institutions"]:
        full = (
            120
            if "公安" in unit.name
            else max(3, min(150, int(unit.employees * rng.uniform(0.15, 0.4))))
        )
        unit_organization(
            plan,
            organs,
            unit,
            district,
            full,
            _probationary(plan, full, 0.08),
            "cadre",
            "仑直机党",
            plan.date_between(D(1993, 1, 1), D(2008, 12, 31)),
        )
    wcs = {}
    for street in (r for r in plan.regions if r.level == "street"):
        abbr = street.name.removesuffix("街道")
        wc = plan.organization(
            top,
            f"{street.name}党工委",
            "working_committee",
            street,
            plan.date_between(D(2001, 6, 1), D(2003, 12, 31)),
            "仑党",
            primary=plan.named["street_agency"][street.path],
        )
        wcs[street.path] = wc
        full = rng.randint(45, 110)
        unit_organization(
            plan,
            wc,
            plan.named["street_agency"][street.path],
            street,
            full,
            _probationary(plan, full, 0.08),
            "cadre",
            f"{abbr}党工",
            plan.date_between(D(2002, 1, 1), D(2005, 12, 31)),
            base=f"{street.name}机关",
        )
        for unit in plan.named["street_institutions"][street.path]:
            full = max(3, min(36, int(unit.employees * rng.uniform(0.06, 0.2))))
            unit_organization(
                plan,
                wc,
                unit,
                street,
                full,
                _probationary(plan, full, 0.08),
                "cadre",
                f"{abbr}党工",
                plan.date_between(D(1996, 1, 1), D(2015, 12, 31)),
            )
    for area in plan.areas:
        _build_area(plan, area, wcs[area.street.path])
    _floating_branch(plan)
    _temporary_branches(plan, wcs)


def _build_area(plan: Plan, area: AreaInfo, wc: Organization) -> None:
    rng = plan.rng
    region, issuer = area.region, f"{area.street_abbr}党工"
    kind = region.kind
    if kind != "industrial_community":
        n = (
            180
            if region.name == "高塘社区"
            else rng.randint(40, 150)
            if kind == "residential"
            else rng.randint(20, 85)
        )
        p = _probationary(plan, n, 0.1)
        leaves = unit_organization(
            plan,
            wc,
            area.unit,
            region,
            n - p,
            p,
            "resident" if kind == "residential" else "villager",
            issuer,
            plan.date_between(D(1995, 1, 1), D(2012, 12, 31)),
            base=region.name,
        )
        area.own = leaves[0].parent if leaves[0].parent is not wc else leaves[0]
    area.parent_for_n = area.own if area.own is not None and area.own.kind == "committee" else wc
    has_regional = (
        kind == "industrial_community"
        or region.name == "高塘社区"
        or rng.random() < (0.6 if kind == "residential" else 0.3)
    )
    small, eligible = [], []
    for unit in area.units:
        named = plan.named.get(unit.name)
        n = named[1] if isinstance(named, tuple) else _unit_members(plan, unit)
        p = _probationary(plan, n, 0.12)
        full = n - p
        if full >= 3 and not (has_regional and full <= 4 and rng.random() < 0.12):
            established = (
                D(2011, 10, 26)
                if unit.name.startswith("三星重工")
                else plan.date_between(D(2003, 1, 1), REFERENCE_DATE - dt.timedelta(days=200))
            )
            leaves = unit_organization(
                plan, area.parent_for_n, unit, region, full, p, "worker", issuer, established
            )
            if unit.kind.endswith("_enterprise"):
                plan.named["enterprise_leaves"] += [(leaf, unit) for leaf in leaves]
            if unit.name.startswith("三星重工"):
                plan.named["samsung_branch"] = leaves[0]
        elif full >= 3:  # incubator candidates: they meet R1 but are still in the reservoir
            eligible.append((unit, full, p))
        elif n:
            small.append((unit, full, p))
        else:
            area.uncovered.append(unit)
            if unit.kind in ("private_enterprise", "foreign_enterprise") and rng.random() < 0.3:
                gender = "male" if rng.random() < 0.6 else "female"
                unit.instructor_name = plan.people.name(gender, D(1975, 1, 1))
    joint, reservoir = [], list(eligible)
    for item in small:
        (joint if not has_regional or rng.random() < 0.45 else reservoir).append(item)
    leftovers = _joint_branches(plan, area, joint, issuer)
    reservoir += leftovers
    if reservoir or has_regional:
        _regional_branch(plan, area, reservoir, issuer)


def _joint_branches(plan: Plan, area: AreaInfo, items: list, issuer: str) -> list:
    """Group small units 2–5 at a time (R3) until each group has ≥3 full members; return the rest."""
    rng, k, i = plan.rng, 0, 0
    while i < len(items):
        target, group = rng.randint(2, 5), []
        while (
            i < len(items)
            and len(group) < 5
            and (len(group) < target or sum(g[1] for g in group) < 3)
        ):
            group.append(items[i])
            i += 1
        if len(group) < 2 or sum(g[1] for g in group) < 3:
            return group
        k += 1
        units = [g[0] for g in group]
        label = "非公企业" if all(u.kind.endswith("_enterprise") for u in units) else ""
        org = plan.organization(
            area.parent_for_n,
            f"{area.region.name}{label}第{ordinal(k)}联合党支部",
            "joint_branch",
            area.region,
            plan.date_between(D(2008, 1, 1), REFERENCE_DATE - dt.timedelta(days=150)),
            issuer,
            units=units,
            primary=units[0],
        )
        first = True
        for unit, full, p in group:
            for j in range(full + p):
                plan.member(
                    organization=org,
                    unit=unit,
                    profile="worker",
                    probationary=j >= full,
                    leader=first and j == 0,
                )
            first = False
    return []


def _regional_branch(plan: Plan, area: AreaInfo, reservoir: list, issuer: str) -> None:
    """The regional branch, "the 1" of 1+N: staff from the community, and the reservoir."""
    rng = plan.rng
    start = (
        D(2011, 6, 28)
        if area.region.name == "大港社区"
        else plan.date_between(D(2011, 3, 1), D(2013, 6, 30))
    )
    org = plan.organization(
        area.parent_for_n,
        f"{area.region.name}区域综合党支部",
        "regional_branch",
        area.region,
        start,
        issuer,
        # It covers the units whose members it holds and most units of the area without members.
        units=[u for u, _, _ in reservoir] + [u for u in area.uncovered if rng.random() < 0.7],
        primary=area.unit,
    )
    area.regional = org
    area.reservoir_units = [u for u, _, _ in reservoir]
    plan.members_for(org, area.unit, rng.randint(3, 6), 0, "cadre")
    for unit, full, p in reservoir:
        plan.members_for(org, unit, full, p, "worker")


def _floating_branch(plan: Plan) -> None:
    """The floating members' branch "新向家人"党支部 in 向家村, then the district's other floating
    members: most in the regional branches (weighted by newcomers), some in the branches of the
    enterprises they work for."""
    rng = plan.rng
    xiangjia = plan.named["向家村"]
    parent = (
        xiangjia.own
        if xiangjia.own.kind in ("committee", "general_branch")
        else xiangjia.parent_for_n
    )
    branch = plan.organization(
        parent,
        "“新向家人”党支部",
        "floating_branch",
        xiangjia.region,
        D(2012, 6, 18),
        f"{xiangjia.street_abbr}党工",
        primary=xiangjia.unit,
    )
    plan.named["floating_branch"] = branch
    total = plan.scaled(1551, 30)
    in_branch = max(14, round(64 * plan.scale))
    employers = [u for u in xiangjia.units if u.kind.endswith("_enterprise")]
    for i in range(in_branch):
        unit = rng.choice(employers) if employers and rng.random() < 0.5 else None
        plan.member(
            organization=branch, unit=unit, profile="floating", floating=True, leader=i == 0
        )
    gaotang = plan.named["高塘社区"]
    plan.named["sichuan_member"] = plan.member(
        organization=gaotang.regional,
        unit=None,
        profile="floating",
        floating=True,
        origin="四川",
        age=60.4,
        gender="male",
    )
    rest = total - in_branch - 1
    leaves = plan.named["enterprise_leaves"]
    regional_areas = [a for a in plan.areas if a.regional is not None]
    weights = [max(a.region.newcomers, 500) for a in regional_areas]
    for _ in range(rest):
        if leaves and rng.random() < 0.18:
            leaf, unit = rng.choices(leaves, weights=[u.employees for _, u in leaves])[0]
            plan.member(
                organization=leaf,
                unit=unit,
                profile="floating",
                floating=True,
                probationary=rng.random() < 0.03,
            )
        else:
            area = rng.choices(regional_areas, weights=weights)[0]
            # A third work in a unit without members of its own; the reservoir groups them by it.
            unit = rng.choice(area.uncovered) if area.uncovered and rng.random() < 0.35 else None
            if unit is not None:
                plan.link(area.regional, unit)
            plan.member(
                organization=area.regional,
                unit=unit,
                profile="floating",
                floating=True,
                probationary=rng.random() < 0.03,
            )


def _temporary_branches(plan: Plan, wcs: dict) -> None:
    """A project's temporary branch (R4: no recruiting, dues, elections): members of an enterprise
    branch take part in its life there (home) while their relationship stays with their branch."""
    rng = plan.rng
    projects = [("梅山街道", "梅山湾综合开发项目临时党支部")]
    if plan.scale >= 0.5:
        projects.append(("春晓街道", "春晓滨海新城建设项目临时党支部"))
    candidates = sorted(
        (leaf for leaf, _ in plan.named["enterprise_leaves"] if plan.full_count(leaf) >= 12),
        key=lambda o: -plan.full_count(o),
    )[:8]
    for street_name, name in projects:
        area = next(a for a in plan.areas if a.street.name == street_name)
        source = candidates.pop(rng.randrange(len(candidates))) if candidates else None
        if source is None:
            continue
        unit = plan.primary_unit[source.path]
        org = plan.organization(
            wcs[area.street.path],
            name,
            "temporary_branch",
            area.region,
            REFERENCE_DATE - dt.timedelta(days=rng.randint(30, 240)),
            f"{area.street_abbr}党工",
            primary=unit,
        )
        full = sorted(
            (m for m in plan.direct_members[source.path] if m.status == "full"),
            key=lambda m: m.joined_on,
        )
        for m in full[: rng.randint(6, 9)]:
            m.home_organization = org
            plan.direct_members.setdefault("home:" + org.path, []).append(m)
