"""The demo district (SPEC §12): a synthetic Beilun-like district built from the seed's figures.

`demo_load` builds the whole district in memory from `random.Random(seed)` (see plan.py for how
dates are chosen) and writes it with bulk inserts in one transaction, with one audit entry
("demo.load") that records the counts. Structure is written directly, not through the services,
because the services would write ~30,000 audit entries and run rule queries per row; the
generator keeps the same rules itself (R1, R3, R5, R8, one regional branch per area), and
tests/test_demo.py checks them on the result.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.contrib.auth.hashers import make_password
from django.db import transaction

from gangwan.core.audit import audit_record
from gangwan.core.models import RoleAssignment, User
from gangwan.members.models import Member
from gangwan.organizations.models import Office, Organization, OrganizationUnit, Term
from gangwan.regions.models import Region, RegionLevel
from gangwan.units.models import Unit

from . import names
from .offices import build_accounts, build_offices
from .organizations import build_organizations
from .plan import DISTRICT_CODE, Plan, structure_digest
from .structure import build_regions, build_units

DEMO_PASSWORD = "gangwan2013"
DEFAULT_SEED = 2013
BATCH = 1000
ACCOUNT_ORDER = [
    "admin",
    "district_admin",
    *[f"street_{p}" for _, p, *_ in names.STREETS],
    "secretary_gaotang",
    "secretary_dagang",
    "secretary_samsung",
    "secretary_xiangjia",
    "station_gaotang",
    "station_xiangjia",
    "reviewer",
    "reviewer2",
    "member",
]


class DemoAlreadyLoaded(Exception):
    """The demo district is in the database already; reset it first."""


def demo_is_loaded() -> bool:
    """Cheap: the demo district (GB/T 2260 code 330206) exists."""
    return Region.objects.filter(code=DISTRICT_CODE, level=RegionLevel.DISTRICT).exists()


def demo_plan(
    *, seed: int = DEFAULT_SEED, scale: float = 1.0, today: dt.date | None = None
) -> Plan:
    """The district in memory, unsaved. Same seed and scale → same district (digest())."""
    if not 0 < scale <= 4:
        raise ValueError("scale must lie in (0, 4]")
    plan = Plan(seed=seed, scale=scale, today=today or dt.date.today())
    build_regions(plan)
    build_units(plan)
    build_organizations(plan)
    build_offices(plan)
    build_accounts(plan)
    return plan


def _by_depth(nodes):
    depth: dict[int, list] = {}
    for n in nodes:
        depth.setdefault(n.depth, []).append(n)
    return [depth[d] for d in sorted(depth)]


@transaction.atomic
def demo_load(
    *, seed: int = DEFAULT_SEED, scale: float = 1.0, today: dt.date | None = None
) -> None:
    """Write the demo district: regions, units, organizations (with units, offices, terms),
    members, demo accounts (password DEMO_PASSWORD) and one audit entry. Refused when loaded."""
    if demo_is_loaded():
        raise DemoAlreadyLoaded("The demo district is already loaded; use `gangwan demo --reset`.")
    plan = demo_plan(seed=seed, scale=scale, today=today)
    for level in _by_depth(plan.regions):
        Region.objects.bulk_create(level, batch_size=BATCH)
    Unit.objects.bulk_create(plan.units, batch_size=BATCH)
    for level in _by_depth(plan.organizations):
        Organization.objects.bulk_create(level, batch_size=BATCH)
    OrganizationUnit.objects.bulk_create(plan.org_units, batch_size=BATCH)
    # One hash for every demo account: they share the printed password, and Argon2 is slow on purpose.
    password = make_password(DEMO_PASSWORD)
    # A username already taken (say, an `admin` made by createsuperuser) is left alone: no role
    # is granted to an account the demo did not make.
    taken = set(
        User.objects.filter(username__in=[a.username for a in plan.accounts]).values_list(
            "username", flat=True
        )
    )
    plan.accounts = [a for a in plan.accounts if a.username not in taken]
    users = {}
    for acc in plan.accounts:
        users[acc.username] = User(
            username=acc.username,
            password=password,
            display_name=acc.display_name,
            is_superuser=acc.role == "superuser",
            is_staff=acc.role == "superuser",
        )
    User.objects.bulk_create(list(users.values()), batch_size=BATCH)
    for acc in plan.accounts:
        if acc.member is not None:
            acc.member.user = users[acc.username]
    Member.objects.bulk_create(plan.members, batch_size=BATCH)
    Office.objects.bulk_create(plan.offices, batch_size=BATCH)
    Term.objects.bulk_create(plan.terms, batch_size=BATCH)
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                user=users[acc.username],
                role=acc.role,
                region=acc.scope if isinstance(acc.scope, Region) else None,
                organization=acc.scope if isinstance(acc.scope, Organization) else None,
            )
            for acc in plan.accounts
            if acc.role != "superuser"
        ]
    )
    # The seed's stories, one module per capability (demo/story_*.py, each with load(plan, users)),
    # written after the structure they stand on.
    for story in _stories():
        story.load(plan, users)
    counts = _plan_counts(plan)
    audit_record(
        actor=None,
        action="demo.load",
        obj=plan.named["district"],
        after=counts,
        reason=f"seed={seed} scale={scale}",
    )


def _stories():
    import importlib
    import pkgutil

    from gangwan import demo

    names_ = sorted(
        m.name for m in pkgutil.iter_modules(demo.__path__) if m.name.startswith("story_")
    )
    return [importlib.import_module(f"gangwan.demo.{n}") for n in names_]


def _plan_counts(plan: Plan) -> dict:
    return {
        "regions": dict(Counter(r.level for r in plan.regions)),
        "areas_by_kind": dict(Counter(a.region.kind for a in plan.areas)),
        "units": len(plan.units),
        "units_by_kind": dict(Counter(u.kind for u in plan.units)),
        "organizations": len(plan.organizations),
        "organizations_by_kind": dict(Counter(o.kind for o in plan.organizations)),
        "members": len(plan.members),
        "probationary": sum(1 for m in plan.members if m.status == "probationary"),
        "floating": sum(1 for m in plan.members if m.is_floating),
        "offices": len(plan.offices),
        "terms": len(plan.terms),
        "accounts": len(plan.accounts),
        "digest": plan.digest(),
    }


def demo_reset() -> None:
    """Empty the database (every table, like `flush`) so the demo can load afresh."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()


def demo_accounts() -> list[dict]:
    """The demo accounts with their role and a readable scope, in a fixed order."""
    rank = {u: i for i, u in enumerate(ACCOUNT_ORDER)}
    users = User.objects.filter(username__in=ACCOUNT_ORDER)
    roles = {
        ra.user_id: ra
        for ra in RoleAssignment.objects.filter(user__in=users).select_related(
            "region", "organization"
        )
    }
    out = []
    for user in sorted(users, key=lambda u: rank[u.username]):
        ra = roles.get(user.pk)
        if user.is_superuser:
            out.append(
                {"username": user.username, "role": "superuser", "scope": "全部 (superuser)"}
            )
        elif ra is not None:
            scope = ra.region or ra.organization
            out.append(
                {"username": user.username, "role": ra.role, "scope": str(scope) if scope else ""}
            )
    return out


def demo_summary() -> dict:
    """Counts of what is in the database now (for the command's report and the benchmark)."""
    from django.db.models import Count

    def by(qs, field):
        return {r[field]: r["n"] for r in qs.order_by().values(field).annotate(n=Count("id"))}

    return {
        "streets": Region.objects.filter(level__in=["street", "town"]).count(),
        "areas": by(Region.objects.filter(level__in=["community", "village"]), "kind"),
        "units": Unit.objects.count(),
        "units_by_kind": by(Unit.objects.all(), "kind"),
        "organizations": Organization.objects.count(),
        "organizations_by_kind": by(Organization.objects.all(), "kind"),
        "members": Member.objects.count(),
        "probationary": Member.objects.filter(status="probationary").count(),
        "floating": Member.objects.filter(is_floating=True).count(),
    }


def database_digest() -> str:
    """The same digest as Plan.digest(), computed from the database (decrypts ID numbers)."""
    return structure_digest(
        regions=list(Region.objects.values_list("path", "name", "kind", "code")),
        units=list(Unit.objects.values_list("credit_code", "name", "kind", "employees")),
        organizations=list(Organization.objects.values_list("path", "name", "kind", "document_no")),
        members=[
            (
                m.id_number,
                m.name,
                m.organization.path,
                m.home_organization.path,
                m.status,
                m.is_floating,
            )
            for m in Member.objects.select_related("organization", "home_organization")
        ],
    )
