"""Factories for tests: small, explicit data that tells a story. No test relies on the demo data.

Structure is created directly (not through services) so a test sets up any state, including states
that the rules would refuse; the behaviour under test then goes through the services and views.
"""

from __future__ import annotations

import datetime as dt
import itertools

from gangwan.core.models import RoleAssignment, User
from gangwan.core.validators import credit_code_check_char, id_number_check_char
from gangwan.members.models import Member
from gangwan.organizations.models import Office, Organization, OrganizationUnit, Term
from gangwan.regions.models import Region
from gangwan.units.models import Unit

_seq = itertools.count(1)
PASSWORD = "Harbour-2013!"


def id_number(
    birth: dt.date = dt.date(1985, 6, 1), gender: str = "male", area: str = "990206"
) -> str:
    """A valid GB 11643 number under the test area prefix 99xxxx (no real person has it)."""
    n = next(_seq) % 500
    seq_digit = (n * 2 + (1 if gender == "male" else 0)) % 1000
    first17 = f"{area}{birth:%Y%m%d}{seq_digit:03d}"
    return first17 + id_number_check_char(first17)


def credit_code(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    first17 = f"91330206MA{n:07d}"[:17]
    return first17 + credit_code_check_char(first17)


def region(name: str, level: str, parent: Region | None = None, kind: str = "") -> Region:
    r = Region(name=name, level=level, kind=kind)
    r.place_under(parent)
    r.save()
    return r


def district(name: str = "北仑区") -> Region:
    return region(name, "district")


def street(parent: Region, name: str = "新碶街道") -> Region:
    return region(name, "street", parent)


def community(parent: Region, name: str = "高塘社区", kind: str = "residential") -> Region:
    return region(name, "village" if kind == "village" else "community", parent, kind)


def unit(region: Region, name: str | None = None, kind: str = "private_enterprise", **kw) -> Unit:
    kw.setdefault("credit_code", credit_code())
    return Unit.objects.create(name=name or f"单位{next(_seq)}", kind=kind, region=region, **kw)


def organization(
    name: str, kind: str, region: Region, parent: Organization | None = None, units=(), **kw
) -> Organization:
    o = Organization(
        name=name,
        kind=kind,
        region=region,
        established_on=kw.pop("established_on", dt.date(2012, 7, 1)),
        **kw,
    )
    o.place_under(parent)
    o.save()
    for i, u in enumerate(units):
        OrganizationUnit.objects.create(organization=o, unit=u, is_primary=(i == 0))
    return o


def member(
    organization: Organization,
    name: str | None = None,
    status: str = "full",
    unit: Unit | None = None,
    gender: str = "male",
    birth: dt.date = dt.date(1985, 6, 1),
    phone: str = "",
    **kw,
) -> Member:
    number = id_number(birth, gender)
    m = Member(
        name=name or f"党员{next(_seq)}",
        gender=gender,
        birth_date=birth,
        id_number=number,
        phone=phone or f"138{next(_seq):08d}"[-11:],
        organization=organization,
        home_organization=kw.pop("home_organization", organization),
        unit=unit,
        status=status,
        joined_on=kw.pop("joined_on", dt.date(2005, 7, 1)),
        **kw,
    )
    m.save()
    return m


def office(
    organization: Organization,
    member: Member,
    role: str = "secretary",
    started_on=dt.date(2022, 1, 1),
) -> Office:
    return Office.objects.create(
        organization=organization, member=member, role=role, started_on=started_on
    )


def term(organization: Organization, started_on: dt.date, ends_on: dt.date) -> Term:
    return Term.objects.create(organization=organization, started_on=started_on, ends_on=ends_on)


def user(
    username: str | None = None,
    role: str | None = None,
    region: Region | None = None,
    organization: Organization | None = None,
    **kw,
) -> User:
    u = User.objects.create_user(username=username or f"user{next(_seq)}", password=PASSWORD, **kw)
    if role:
        RoleAssignment.objects.create(user=u, role=role, region=region, organization=organization)
    return u
