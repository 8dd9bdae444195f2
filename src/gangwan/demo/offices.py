"""Offices, terms and demo accounts.

Every organization gets a sitting secretary with at least a year of Party standing (R8) and, as
R5 asks of branch-level organizations, a committee of 3–5 (at most 7) when it has 7 or more full
members, otherwise a secretary and at most one deputy. Terms follow R8 (5 years for committees and
village/community organizations, 3 for branches and general branches); they are dated from the day
of loading (see plan.py) so that about one in eight ends within the next six months and a few are
overdue. Temporary branches hold no elections (R4) and so have no term.
"""

from __future__ import annotations

import datetime as dt

from gangwan.core.models import Role
from gangwan.members.models import Member
from gangwan.organizations.models import Office, Organization, Term

from . import names
from .people import add_years
from .plan import REFERENCE_DATE, Account, Plan

PARENT_KINDS = ("committee", "working_committee", "general_branch")


def _pool(plan: Plan, org: Organization, want: int = 40) -> list[Member]:
    """Members an organization can seat: its own and those taking part in it, else its subtree's."""
    own = plan.direct_members[org.path] + plan.direct_members.get("home:" + org.path, [])
    if own or org.kind not in PARENT_KINDS:
        return own
    out, queue = [], list(plan.child_orgs[org.path])
    while queue and len(out) < want:
        child = queue.pop(0)
        out += plan.direct_members[child.path]
        queue += plan.child_orgs[child.path]
    return out


def term_years(plan: Plan, org: Organization) -> int:
    if org.kind in ("committee", "working_committee"):
        return 5
    primary = plan.primary_unit.get(org.path)
    return 5 if primary is not None and primary.kind in ("village", "community") else 3


def _term(plan: Plan, org: Organization) -> Term | None:
    rng = plan.rng
    years = term_years(plan, org)
    u, soon, later = rng.random(), rng.randint(1, 182), rng.randint(183, years * 365 - 30)
    overdue = rng.randint(1, 60)
    if org.kind == "temporary_branch":
        return None
    remaining = -overdue if u < 0.02 else soon if u < 0.14 else later
    ends = plan.today + dt.timedelta(days=remaining)
    starts = add_years(ends, -years)
    if starts < org.established_on:
        starts, ends = org.established_on, add_years(org.established_on, years)
    term = Term(organization=org, started_on=starts, ends_on=ends)
    plan.terms.append(term)
    return term


def build_offices(plan: Plan) -> None:
    rng = plan.rng
    standing = add_years(REFERENCE_DATE, -6)
    plan.named["secretary"] = {}
    for org in plan.organizations:
        term = _term(plan, org)
        started = term.started_on if term else org.established_on
        pool = [m for m in _pool(plan, org) if m.status == "full"]
        if not pool:
            continue
        senior = [m for m in pool if m.joined_on <= standing] or sorted(
            pool, key=lambda m: m.joined_on
        )[:1]
        secretary = rng.choice(senior[:5])
        others = [m for m in pool if m is not secretary]
        full = plan.full_count(org)
        if org.kind in PARENT_KINDS:
            total = rng.choice((5, 7)) if org.kind != "general_branch" else rng.choice((3, 5))
            deputies = 2 if total == 7 else 1
        elif full >= 7:  # R5: a committee of 3–5, at most 7
            total = (
                3 if full < 15 else rng.choice((3, 5, 5)) if full < 50 else rng.choice((5, 5, 7))
            )
            deputies = 1 if rng.random() < 0.6 else 0
        else:  # R5: a secretary and at most one deputy
            total = 2 if full >= 4 and rng.random() < 0.4 else 1
            deputies = total - 1
        seated = rng.sample(others, min(total - 1, len(others)))
        plan.offices.append(
            Office(organization=org, member=secretary, role="secretary", started_on=started)
        )
        for i, m in enumerate(seated):
            role = "deputy_secretary" if i < deputies else "committee_member"
            plan.offices.append(Office(organization=org, member=m, role=role, started_on=started))
        plan.named["secretary"][org.path] = secretary


def build_accounts(plan: Plan) -> None:
    """Accounts for each role; secretaries and the member are linked to their member records."""
    named, sec = plan.named, plan.named["secretary"]
    accounts = [
        Account("admin", "superuser", None, display_name="系统管理员"),
        Account(
            "district_admin", Role.DISTRICT_ADMIN, named["district"], display_name="区委组织部"
        ),
    ]
    for _, pinyin, *_ in names.STREETS:
        street = named["streets"][pinyin]
        accounts.append(
            Account(
                f"street_{pinyin}", Role.STREET_ADMIN, street, display_name=f"{street.name}党工委"
            )
        )
    for username, org in (
        ("secretary_gaotang", named["高塘社区"].own),
        ("secretary_dagang", named["大港社区"].regional),
        ("secretary_samsung", named.get("samsung_branch")),
        ("secretary_xiangjia", named["floating_branch"]),
    ):
        if org is not None and org.path in sec:
            accounts.append(
                Account(
                    username,
                    Role.SECRETARY,
                    org,
                    member=sec[org.path],
                    display_name=sec[org.path].name,
                )
            )
    accounts.append(
        Account("reviewer", Role.REVIEWER, named["district"], display_name="区委评审组")
    )
    member = named["sichuan_member"]
    accounts.append(
        Account("member", Role.MEMBER, member.organization, member=member, display_name=member.name)
    )
    plan.accounts = accounts
