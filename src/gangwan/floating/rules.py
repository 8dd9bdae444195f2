"""Rules for floating members (RULES.md R22, R23) and the placement rule of the service stations.

R22: a floating member belongs to one organization but may take part in organizational life in
several; the station follows up those without a home after N days (CONFIG, default 30).
R23: the holder of an activity certificate (流动党员活动证) joins organizational life and pays dues at
the inflow organization but has no right to vote, elect or be elected there; the certificate is
reviewed yearly.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from gangwan.core.tree import ancestor_paths, subtree_q
from gangwan.organizations.models import Organization, OrganizationKind

FOLLOW_UP_KEY = "R22.follow_up_days"
# Until settings.GANGWAN_RULE_DEFAULTS holds the key, this is the default (RULES.md R22, CONFIG 30).
FOLLOW_UP_DAYS_DEFAULT = 30
# R23: the certificate is reviewed every year, with the democratic appraisal.
CERTIFICATE_REVIEW_MONTHS = 12
# The figure "share found within 60 days" (SPEC §2).
HOME_WITHIN_DAYS = 60

PLACEMENT_KINDS = (OrganizationKind.FLOATING_BRANCH, OrganizationKind.REGIONAL_BRANCH)


def follow_up_days_default() -> int:
    from django.conf import settings

    return int(settings.GANGWAN_RULE_DEFAULTS.get(FOLLOW_UP_KEY, FOLLOW_UP_DAYS_DEFAULT))


def follow_up_days_for(regions) -> dict[str, int]:
    """R22 (CONFIG): the follow-up delay in force at each region, keyed by path; the nearest
    override up the tree wins (core.RuleSetting), as core.rules.rule_value decides. One query for
    any number of regions, so a district's list of stations costs the same as one station."""
    from gangwan.core.models import RuleSetting

    regions = list(regions)
    default = follow_up_days_default()
    wanted = {p for r in regions for p in [*ancestor_paths(r.path), r.path]}
    overrides = dict(
        RuleSetting.objects.filter(key=FOLLOW_UP_KEY, region__path__in=wanted).values_list(
            "region__path", "value"
        )
    )
    out = {}
    for r in regions:
        chain = [*ancestor_paths(r.path), r.path]
        hits = [overrides[p] for p in chain if p in overrides]
        out[r.path] = int(hits[-1]) if hits else default
    return out


def certificate_review_due_before(today: dt.date) -> dt.date:
    """R23: a certificate whose last review is on or before this date is due for its yearly review."""
    months = CERTIFICATE_REVIEW_MONTHS
    year, month = today.year - months // 12, today.month - months % 12
    if month < 1:
        year, month = year - 1, month + 12
    day = min(today.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    return dt.date(year, month, day)


def street_of(region):
    """The street (or town) an area belongs to; a street is its own street."""
    return region if region.level in ("street", "town") else region.parent


def placement_options(station) -> QuerySet[Organization]:
    """Where a station may place an arriving member: the active floating branches and regional
    branches located in the station's street (its own community included)."""
    street = street_of(station.region) or station.region
    return (
        Organization.objects.filter(
            subtree_q([street.path], "region__path"),
            kind__in=PLACEMENT_KINDS,
            dissolved_on__isnull=True,
        )
        .select_related("region")
        .order_by("kind", "path")
    )


def placement_default(station) -> Organization | None:
    """The placement rule: the floating members' branch of the station's community, else one in the
    station's street, else the community's regional branch (the reservoir, "the 1" of 1+N).
    None when the street has neither: the station must choose."""
    options = list(placement_options(station))
    floating = [o for o in options if o.kind == OrganizationKind.FLOATING_BRANCH]
    here = [o for o in floating if o.region_id == station.region_id]
    if here or floating:
        return (here or floating)[0]
    regional = [
        o
        for o in options
        if o.kind == OrganizationKind.REGIONAL_BRANCH and o.region_id == station.region_id
    ]
    return regional[0] if regional else None


def is_certificate_holder(member) -> bool:
    """Holds an activity certificate (R23): his membership stays with his origin organization."""
    floating = getattr(member, "floating", None)  # the reverse one-to-one raises when absent
    return bool(floating is not None and floating.certificate_no)


def has_vote_at(member, organization) -> bool:
    """R23 (with Party constitution art. 4): may this member vote, elect or be elected at
    `organization`? No for probationary members (anywhere); no for the holder of an activity
    certificate at any organization of this system, because his membership is held by his origin
    organization outside it (the system places him only for organizational life); no for former
    members; otherwise yes where the membership is held: the member's organization or one of its
    superiors (a general branch's assembly counts its branches' members)."""
    if member.archived_on is not None or member.status != "full":
        return False
    if is_certificate_holder(member):
        return False
    own = member.organization
    return own.pk == organization.pk or own.path.startswith(organization.path)
