"""The demo district as a plan: unsaved model instances that reference each other, built in memory
from one random.Random and written by `demo.services` with bulk inserts.

Dates: everything is dated relative to REFERENCE_DATE (a constant), so the same seed gives the same
district whatever the day. Two kinds of dates follow the day of loading instead, because their
meaning depends on "now": term dates (a realistic share must end within the next 6 months, so the
R8 reminder list has content on any day) and the joining dates of probationary members (who joined
less than a year ago). Both use draws made regardless of the day, so the rest of the district does
not change with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field

from gangwan.core.tree import STEP_WIDTH, step
from gangwan.members.models import Member
from gangwan.organizations.models import Office, Organization, OrganizationUnit, Term
from gangwan.regions.models import Region
from gangwan.units.models import Unit

from .names import LOCAL_AREAS, ORIGIN_AREAS
from .people import People, add_years

REFERENCE_DATE = dt.date(2026, 1, 1)
DISTRICT_CODE = "330206"
ORIGINS = list(ORIGIN_AREAS)  # provinces floating members come from, in a fixed order


@dataclass
class Account:
    username: str
    role: str  # a core.models.Role value, or "superuser"
    scope: Region | Organization | None = None
    member: Member | None = None
    display_name: str = ""


@dataclass
class AreaInfo:
    """An area (community or village) while it is being filled."""

    region: Region
    street: Region
    street_abbr: str
    unit: Unit | None = None
    # the area's enterprises and social organizations
    units: list[Unit] = field(default_factory=list)
    own: Organization | None = None  # the community's/village's own organization
    regional: Organization | None = None  # "the 1"
    parent_for_n: Organization | None = None  # where the area's unit organizations hang
    reservoir_units: list[Unit] = field(default_factory=list)
    uncovered: list[Unit] = field(default_factory=list)  # units without any Party member


@dataclass
class Plan:
    seed: int
    scale: float
    today: dt.date
    rng: random.Random = field(init=False)
    people: People = field(init=False)
    regions: list[Region] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    org_units: list[OrganizationUnit] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    offices: list[Office] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    areas: list[AreaInfo] = field(default_factory=list)
    # bookkeeping, keyed by tree path (unsaved instances are not hashable)
    children: dict[str, int] = field(default_factory=dict)
    direct_members: dict[str, list[Member]] = field(default_factory=dict)
    child_orgs: dict[str, list[Organization]] = field(default_factory=dict)
    primary_unit: dict[str, Unit] = field(default_factory=dict)
    links: dict[str, set[int]] = field(default_factory=dict)  # ids of the units linked to an org
    doc_counters: dict[tuple[str, int], int] = field(default_factory=dict)
    named: dict[str, object] = field(default_factory=dict)  # the seed's named places and bodies

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.people = People(self.rng, REFERENCE_DATE)

    # --- scale -----------------------------------------------------------------------------
    def scaled(self, n: float, minimum: int = 0) -> int:
        """n × scale, rounded stochastically so small scales keep the proportions on average."""
        x = n * self.scale
        whole = int(x)
        return max(minimum, whole + (1 if self.rng.random() < x - whole else 0))

    # --- trees ---------------------------------------------------------------------------------
    def _child_path(self, parent_path: str) -> str:
        n = self.children.get(parent_path, 0) + 1
        self.children[parent_path] = n
        return parent_path + step(n)

    def region(
        self,
        parent: Region | None,
        name: str,
        level: str,
        kind: str = "",
        code: str = "",
        residents: int = 0,
        newcomers: int = 0,
    ) -> Region:
        r = Region(
            parent=parent,
            name=name,
            level=level,
            kind=kind,
            code=code,
            residents=residents,
            newcomers=newcomers,
        )
        r.path = self._child_path(parent.path if parent else "")
        r.depth = len(r.path) // STEP_WIDTH
        self.regions.append(r)
        return r

    def unit(self, region: Region, name: str, kind: str, employees: int, **kw) -> Unit:
        u = Unit(
            region=region,
            name=name,
            kind=kind,
            employees=employees,
            credit_code=self.people.credit_code(kind),
            **kw,
        )
        self.units.append(u)
        return u

    def document_no(self, issuer: str, year: int) -> str:
        n = self.doc_counters.get((issuer, year), 0) + self.rng.randint(1, 4)
        self.doc_counters[(issuer, year)] = n
        return f"{issuer}〔{year}〕{n}号"

    def organization(
        self,
        parent: Organization | None,
        name: str,
        kind: str,
        region: Region,
        established_on: dt.date,
        issuer: str,
        units: list[Unit] = (),
        primary: Unit | None = None,
    ) -> Organization:
        o = Organization(
            parent=parent,
            name=name,
            kind=kind,
            region=region,
            established_on=established_on,
            document_no=self.document_no(issuer, established_on.year),
        )
        o.path = self._child_path(parent.path if parent else "")
        o.depth = len(o.path) // STEP_WIDTH
        self.organizations.append(o)
        self.direct_members[o.path] = []
        self.child_orgs[o.path] = []
        if parent is not None:
            self.child_orgs[parent.path].append(o)
        self.links[o.path] = set()
        for u in ([primary] if primary else []) + list(units):
            self.link(o, u, primary=u is primary)
        if primary is not None:
            self.primary_unit[o.path] = primary
        return o

    def link(self, org: Organization, unit: Unit, primary: bool = False) -> None:
        """Attach a unit to an organization once (OrganizationUnit)."""
        if id(unit) not in self.links[org.path]:
            self.links[org.path].add(id(unit))
            self.org_units.append(OrganizationUnit(organization=org, unit=unit, is_primary=primary))

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    # --- members -------------------------------------------------------------------------------
    def member(
        self,
        *,
        organization: Organization,
        unit: Unit | None,
        profile: str,
        probationary: bool = False,
        home: Organization | None = None,
        floating: bool = False,
        leader: bool = False,
        origin: str | None = None,
        age: float | None = None,
        gender: str | None = None,
    ) -> Member:
        p, rng = self.people, self.rng
        lo, hi, mode, male_share, local_share = PROFILES["leader" if leader else profile]
        if probationary:
            lo, hi, mode = 20, 45, 28
        age = age or rng.triangular(lo, hi, mode)
        birth = REFERENCE_DATE - dt.timedelta(days=int(age * 365.25))
        gender = gender or ("male" if rng.random() < male_share else "female")
        if floating:
            local = False
            area = rng.choice(ORIGIN_AREAS[origin or rng.choice(ORIGINS)])
        else:
            local = rng.random() < local_share
            area = (
                rng.choice(LOCAL_AREAS) if local else rng.choice(ORIGIN_AREAS[rng.choice(ORIGINS)])
            )
        number = p.id_number(area, birth, gender)
        name = p.name(gender, birth, local=local)
        recent_days = rng.randint(20, 340)  # drawn always, so the stream does not depend on status
        if probationary:
            joined = self.today - dt.timedelta(days=recent_days)
        elif leader:
            joined = p.joined_on(birth, latest=add_years(REFERENCE_DATE, -7))
        else:
            joined = p.joined_on(birth, latest=REFERENCE_DATE - dt.timedelta(days=400))
        m = Member(
            name=name,
            gender=gender,
            birth_date=birth,
            id_number=number,
            phone=p.phone(),
            organization=organization,
            home_organization=home or organization,
            unit=unit,
            status="probationary" if probationary else "full",
            joined_on=joined,
            is_floating=floating,
        )
        self.members.append(m)
        self.direct_members[organization.path].append(m)
        if home is not None and home is not organization:
            self.direct_members.setdefault("home:" + home.path, []).append(m)
        return m

    def members_for(
        self,
        organization: Organization,
        unit: Unit | None,
        full: int,
        probationary: int,
        profile: str,
    ) -> list[Member]:
        """`full` + `probationary` members; the first full one has the standing to be secretary (R8)."""
        out = [
            self.member(organization=organization, unit=unit, profile=profile, leader=(i == 0))
            for i in range(full)
        ]
        out += [
            self.member(organization=organization, unit=unit, profile=profile, probationary=True)
            for _ in range(probationary)
        ]
        return out

    def full_count(self, org: Organization) -> int:
        return sum(1 for m in self.direct_members[org.path] if m.status == "full")

    # --- digest ------------------------------------------------------------------------------
    def digest(self) -> str:
        return structure_digest(
            regions=[(r.path, r.name, r.kind, r.code) for r in self.regions],
            units=[(u.credit_code, u.name, u.kind, u.employees) for u in self.units],
            organizations=[(o.path, o.name, o.kind, o.document_no) for o in self.organizations],
            members=[
                (
                    m.id_number,
                    m.name,
                    m.organization.path,
                    m.home_organization.path,
                    m.status,
                    m.is_floating,
                )
                for m in self.members
            ],
        )


# profile: (min age, max age, mode, share of men, share born locally)
PROFILES = {
    "resident": (25, 90, 70, 0.6, 0.93),
    "villager": (25, 88, 62, 0.72, 0.98),
    "worker": (23, 58, 34, 0.7, 0.5),
    "cadre": (24, 60, 42, 0.6, 0.8),
    "floating": (22, 63, 37, 0.74, 0.0),
    "leader": (36, 59, 47, 0.7, 0.8),
}


def structure_digest(*, regions, units, organizations, members) -> str:
    """A digest of what the seed decides: names, paths, codes, people and where they belong."""
    h = hashlib.sha256()
    for rows in (regions, units, organizations, members):
        for row in sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r)):
            h.update("\x1f".join("" if v is None else str(v) for v in row).encode())
            h.update(b"\x1e")
        h.update(b"\x1d")
    return h.hexdigest()
