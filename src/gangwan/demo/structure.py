"""Regions and units of the demo district: 北仑区 → 9 streets → about 200 communities and villages,
and about 5,000 units (enterprises, social organizations, agencies, institutions, villages,
communities). Figures of the seed: 大港社区 is industrial with 327 enterprises and ~90,000
employees; 向家村 has 1,500 locals and over 10,000 newcomers."""

from __future__ import annotations

import datetime as dt
import math

from . import names
from .plan import DISTRICT_CODE, REFERENCE_DATE, AreaInfo, Plan

DAGANG_ENTERPRISES = 327
DAGANG_EMPLOYEES = 90_000


def build_regions(plan: Plan) -> None:
    rng = plan.rng
    district = plan.region(None, "北仑区", "district", code=DISTRICT_CODE)
    plan.named["district"] = district
    used = {name for _, name, *_ in names.NAMED_AREAS}
    residential_pool = [n + "社区" for n in names.RESIDENTIAL_NAMES if n + "社区" not in used]
    industrial_pool = [n + "社区" for n in names.INDUSTRIAL_NAMES if n + "社区" not in used]
    village_pool = sorted(
        {a + b + "村" for a in names.VILLAGE_FIRST for b in names.VILLAGE_SECOND if a != b} - used
    )
    rng.shuffle(residential_pool)
    rng.shuffle(industrial_pool)
    rng.shuffle(village_pool)
    plan.named["streets"] = {}
    for i, (street_name, pinyin, n_res, n_vil, n_ind) in enumerate(names.STREETS, start=1):
        street = plan.region(district, street_name, "street", code=f"{DISTRICT_CODE}{i:03d}")
        plan.named["streets"][pinyin] = street
        named_here = [a for a in names.NAMED_AREAS if a[0] == street_name]
        wanted = []
        for kind, n, pool in (
            ("residential", n_res, residential_pool),
            ("village", n_vil, village_pool),
            ("industrial_community", n_ind, industrial_pool),
        ):
            count = plan.scaled(n - sum(1 for a in named_here if a[2] == kind))
            wanted += [(pool.pop(), kind, None, None) for _ in range(count)]
        wanted += [
            (name, kind, residents, newcomers) for _, name, kind, residents, newcomers in named_here
        ]
        if not wanted:  # at small scales, still one area per street
            kind, pool = (
                ("residential", residential_pool) if n_res >= n_vil else ("village", village_pool)
            )
            wanted.append((pool.pop(), kind, None, None))
        wanted.sort(key=lambda w: w[0])  # communities listed in name order, as an office would
        for j, (name, kind, residents, newcomers) in enumerate(wanted, start=1):
            if residents is None:
                residents, newcomers = _population(plan, kind)
            area = plan.region(
                street,
                name,
                "village" if kind == "village" else "community",
                kind=kind,
                code=f"{street.code}{j:03d}",
                residents=residents,
                newcomers=newcomers,
            )
            info = AreaInfo(
                region=area, street=street, street_abbr=street_name.removesuffix("街道")
            )
            plan.areas.append(info)
            plan.named[name] = info


def _population(plan: Plan, kind: str) -> tuple[int, int]:
    rng = plan.rng
    if kind == "residential":
        return rng.randint(30, 150) * 100, rng.randint(10, 80) * 100
    if kind == "village":
        return rng.randint(8, 40) * 100, rng.randint(3, 60) * 100
    return 0, rng.randint(80, 400) * 100


def _employees(plan: Plan, kind: str, industrial: bool) -> int:
    rng = plan.rng
    median, sigma, lo, hi = {
        "private_enterprise": (28, 1.1, 3, 3000),
        "foreign_enterprise": (150, 0.9, 20, 5000),
        "state_enterprise": (200, 0.9, 30, 6000),
    }[kind]
    if industrial:
        median *= 2.5
    return max(lo, min(hi, int(math.exp(rng.gauss(math.log(median), sigma)))))


def _union(plan: Plan, unit_kind: str, employees: int) -> dict:
    rng = plan.rng
    share = (
        1.0
        if unit_kind == "state_enterprise"
        else 0.9
        if employees >= 300
        else 0.7
        if employees >= 100
        else (0.4 if employees >= 25 else 0.12)
    )
    if rng.random() >= share:
        return {"has_union": False}
    return {
        "has_union": True,
        "union_founded_on": plan.date_between(REFERENCE_DATE.replace(year=1998), REFERENCE_DATE),
    }


def _enterprise_name(plan: Plan, kind: str, used: set[str]) -> str:
    rng = plan.rng
    while True:
        trade = rng.choice(names.TRADE_FIRST) + rng.choice(names.TRADE_SECOND)
        industry = rng.choice(names.INDUSTRIES)
        r = rng.random()
        if kind == "foreign_enterprise":
            name = (
                f"{trade}（宁波）{industry}有限公司"
                if r < 0.6
                else f"宁波{trade}{industry}有限公司"
            )
        elif kind == "state_enterprise":
            name = (
                f"宁波北仑{trade}{industry}集团有限公司"
                if r < 0.5
                else f"北仑区{trade}{industry}有限公司"
            )
        else:
            name = (
                f"宁波{trade}{industry}有限公司"
                if r < 0.8
                else f"宁波{trade}{industry}股份有限公司"
                if r < 0.88
                else f"宁波市北仑{trade}{industry}有限公司"
                if r < 0.96
                else f"浙江{trade}{industry}有限公司"
            )
        if name not in used:
            used.add(name)
            return name


def _enterprise(plan: Plan, area: AreaInfo, used: set[str], industrial: bool):
    r = plan.rng.random()
    kind = (
        "foreign_enterprise"
        if r < (0.1 if industrial else 0.04)
        else "state_enterprise"
        if r < (0.12 if industrial else 0.05)
        else "private_enterprise"
    )
    employees = _employees(plan, kind, industrial)
    return plan.unit(
        area.region,
        _enterprise_name(plan, kind, used),
        kind,
        employees,
        **_union(plan, kind, employees),
    )


def build_units(plan: Plan) -> None:
    rng = plan.rng
    district = plan.named["district"]
    used: set[str] = set()
    # District agencies and institutions (宁波市北仑区…).
    agencies = names.DISTRICT_AGENCIES[:2] + rng.sample(
        names.DISTRICT_AGENCIES[2:], plan.scaled(len(names.DISTRICT_AGENCIES) - 2, 2)
    )
    plan.named["district_agencies"] = [
        plan.unit(
            district,
            "宁波市北仑" + (a if a.startswith("区") else "区" + a),
            "agency",
            rng.randint(20, 120),
        )
        for a in agencies
    ]
    plan.named["district_institutions"] = [
        plan.unit(
            district,
            "宁波市北仑" + a,
            "institution",
            rng.randint(500, 1200) if "医院" in a else rng.randint(40, 200),
        )
        for a in rng.sample(
            names.DISTRICT_INSTITUTIONS, plan.scaled(len(names.DISTRICT_INSTITUTIONS), 1)
        )
    ]
    plan.named["street_agency"], plan.named["street_institutions"] = {}, {}
    for _, pinyin, *_ in names.STREETS:
        street = plan.named["streets"][pinyin]
        plan.named["street_agency"][street.path] = plan.unit(
            street, f"北仑区{street.name}办事处", "agency", rng.randint(60, 160)
        )
        plan.named["street_institutions"][street.path] = [
            plan.unit(
                street,
                f"北仑区{street.name.removesuffix('街道')}{n}",
                "institution",
                rng.randint(15, 180),
            )
            for n in rng.sample(
                names.STREET_INSTITUTIONS, plan.scaled(len(names.STREET_INSTITUTIONS), 1)
            )
        ]
    # Each area: its own community/village unit, enterprises, a few social organizations.
    for area in plan.areas:
        region = area.region
        kind = region.kind
        area.unit = plan.unit(
            region,
            (
                f"{region.name}村民委员会"
                if kind == "village"
                else f"{region.name}居民委员会"
                if kind == "residential"
                else f"{region.name}服务中心"
            ),
            "village" if kind == "village" else "community",
            rng.randint(5, 30),
        )
        industrial = kind == "industrial_community"
        if region.name == "大港社区":
            count = max(8, round(DAGANG_ENTERPRISES * plan.scale)) - 1  # 三星重工 comes on top
        else:
            count = {"residential": rng.randint(14, 34), "village": rng.randint(4, 18)}.get(
                kind
            ) or rng.randint(120, 200)
        area.units = [_enterprise(plan, area, used, industrial) for _ in range(count)]
        for _ in range(rng.choice((0, 1, 1, 2)) + (1 if industrial else 0)):
            short = region.name.removesuffix("社区").removesuffix("村")
            name = f"北仑区{area.street_abbr}{short}{rng.choice(names.SOCIAL_BODIES)}"
            if name not in used:
                used.add(name)
                area.units.append(
                    plan.unit(region, name, "social_organization", rng.randint(2, 25))
                )
    _named_units(plan, used)


def _named_units(plan: Plan, used: set[str]) -> None:
    """三星重工 in 大港社区, 吉利 and 宁波钢铁 in industrial areas of 大碶 and 霞浦; 大港's employees
    are scaled so that its enterprises employ about 90,000 people in all (at scale 1)."""
    for area_name, name, kind, employees, members, union in names.NAMED_UNITS:
        if area_name.endswith("*"):
            street_name = area_name[:-1]
            candidates = [a for a in plan.areas if a.street.name == street_name]
            area = next(
                (a for a in candidates if a.region.kind == "industrial_community"), candidates[0]
            )
        else:
            area = plan.named[area_name]
        unit = plan.unit(
            area.region,
            name,
            kind,
            employees,
            has_union=True,
            union_founded_on=dt.date.fromisoformat(union),
        )
        used.add(name)
        area.units.insert(0, unit)
        plan.named[name] = (unit, members)
    dagang = plan.named["大港社区"]
    enterprises = [u for u in dagang.units if u.kind.endswith("_enterprise")]
    fixed = plan.named["三星重工（宁波）有限公司"][0]
    others = [u for u in enterprises if u is not fixed]
    target = DAGANG_EMPLOYEES * len(enterprises) / DAGANG_ENTERPRISES - fixed.employees
    factor = target / max(1, sum(u.employees for u in others))
    for u in others:
        u.employees = max(3, round(u.employees * factor))
