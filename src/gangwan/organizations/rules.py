"""Structure rules (RULES.md R1–R8), each a function returning Findings. Services enforce them;
views show them. Values come from `rule_value`, so a district can configure them."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gangwan.core.errors import Finding
from gangwan.core.rules import rule_value
from gangwan.regions.models import AREA_LEVELS

from .models import PARENT_KINDS, OfficeRole, OrganizationKind


def check_placement(*, kind: str, parent, region) -> list[Finding]:
    """Where an organization may stand in the tree and in the regions (structural, hard)."""
    out = []
    if parent is not None:
        if parent.kind not in PARENT_KINDS:
            out.append(
                Finding(
                    "structure",
                    "hard",
                    _("A %(kind)s cannot have organizations under it.")
                    % {"kind": parent.get_kind_display()},
                )
            )
        if not parent.is_active:
            out.append(
                Finding(
                    "structure", "hard", _("%(parent)s has been dissolved.") % {"parent": parent}
                )
            )
        if region.path != parent.region.path and not region.path.startswith(parent.region.path):
            out.append(
                Finding(
                    "structure",
                    "hard",
                    _(
                        "The area %(region)s lies outside the area of %(parent)s (%(parent_region)s)."
                    )
                    % {"region": region, "parent": parent, "parent_region": parent.region},
                )
            )
    if kind == OrganizationKind.REGIONAL_BRANCH and region.level not in AREA_LEVELS:
        out.append(
            Finding(
                "1+N",
                "hard",
                _("A regional comprehensive branch belongs to a community or village."),
            )
        )
    return out


def check_regional_branch_unique(*, kind: str, region, exclude_pk=None) -> list[Finding]:
    from .models import Organization

    if kind != OrganizationKind.REGIONAL_BRANCH:
        return []
    qs = Organization.objects.filter(region=region, kind=kind, dissolved_on__isnull=True)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    existing = qs.first()
    if existing:
        return [
            Finding(
                "1+N",
                "hard",
                _("1+N: %(region)s already has its regional comprehensive branch (%(org)s).")
                % {"region": region, "org": existing},
            )
        ]
    return []


def check_r1_standalone_branch(
    *, kind: str, primary_unit, full_members: int, region=None
) -> list[Finding]:
    """R1: a standalone branch needs at least 3 full members (probationary members do not count)."""
    if kind != OrganizationKind.BRANCH:
        return []
    minimum = rule_value("R1.min_full_members", region)
    if primary_unit is None:
        return [
            Finding(
                "R1", "hard", _("R1: a standalone branch is set up in a unit; choose its unit.")
            )
        ]
    if full_members < minimum:
        return [
            Finding(
                "R1",
                "hard",
                _(
                    "R1: a standalone branch needs at least %(min)d full members; %(unit)s has %(count)d. "
                    "Keep its members in the regional branch or set up a joint branch."
                )
                % {"min": minimum, "unit": primary_unit, "count": full_members},
            )
        ]
    return []


def check_r2_r6_size(*, kind: str, full_members: int, region=None) -> list[Finding]:
    """R2: a branch is normally at most 50 members. R6: general branch at 50+, committee at 100+."""
    out = []
    if kind == OrganizationKind.BRANCH and full_members > rule_value(
        "R2.max_branch_members", region
    ):
        out.append(
            Finding(
                "R2",
                "warn",
                _("R2: a branch normally has at most %(max)d members; this one has %(count)d.")
                % {"max": rule_value("R2.max_branch_members", region), "count": full_members},
            )
        )
    if kind == OrganizationKind.GENERAL_BRANCH and full_members < rule_value(
        "R6.general_branch_members", region
    ):
        out.append(
            Finding(
                "R6",
                "warn",
                _(
                    "R6: a general branch is normally set up with %(min)d or more members; there are %(count)d. Record the approval as the reason."
                )
                % {"min": rule_value("R6.general_branch_members", region), "count": full_members},
            )
        )
    if kind == OrganizationKind.COMMITTEE and full_members < rule_value(
        "R6.committee_members", region
    ):
        out.append(
            Finding(
                "R6",
                "warn",
                _(
                    "R6: a grassroots committee is normally set up with %(min)d or more members; there are %(count)d. Record the approval as the reason."
                )
                % {"min": rule_value("R6.committee_members", region), "count": full_members},
            )
        )
    return out


def check_r3_joint_units(*, kind: str, unit_count: int, region=None) -> list[Finding]:
    """R3: a joint branch should cover no more than 5 units."""
    maximum = rule_value("R3.max_joint_units", region)
    if kind == OrganizationKind.JOINT_BRANCH and unit_count > maximum:
        return [
            Finding(
                "R3",
                "warn",
                _(
                    "R3: a joint branch should cover no more than %(max)d units; this one covers %(count)d."
                )
                % {"max": maximum, "count": unit_count},
            )
        ]
    return []


def check_r3_below_minimum(*, kind: str, full_members: int, region=None) -> list[Finding]:
    """After establishment a branch that falls below R1's minimum is flagged with a joint-branch suggestion."""
    if kind == OrganizationKind.BRANCH and full_members < rule_value("R1.min_full_members", region):
        return [
            Finding(
                "R3",
                "warn",
                _(
                    "R1/R3: this branch has %(count)d full members, fewer than %(min)d; consider a joint branch."
                )
                % {"count": full_members, "min": rule_value("R1.min_full_members", region)},
            )
        ]
    return []


# R4: what a temporary branch may not do.
TEMPORARY_FORBIDDEN = {  # marked for translation below
    "recruit": gettext_noop("R4: a temporary branch cannot recruit members."),
    "discipline": gettext_noop("R4: a temporary branch cannot discipline members."),
    "collect_dues": gettext_noop("R4: a temporary branch cannot collect dues."),
    "hold_election": gettext_noop(
        "R4: a temporary branch cannot hold term elections or elect delegates."
    ),
}


def check_r4_temporary(*, organization, function: str) -> list[Finding]:
    if organization.kind == OrganizationKind.TEMPORARY_BRANCH and function in TEMPORARY_FORBIDDEN:
        return [Finding("R4", "hard", _(TEMPORARY_FORBIDDEN[function]))]
    return []


def check_r5_office(
    *, organization, role: str, full_members: int, sitting: dict[str, int]
) -> list[Finding]:
    """R5: with 7+ full members a committee of 3–5 (at most 7); below 7, a secretary and at most one deputy."""
    from .models import BRANCH_KINDS

    if organization.kind not in BRANCH_KINDS:
        return []
    region = organization.region
    threshold = rule_value("R5.committee_threshold", region)
    maximum = rule_value("R5.committee_max", region)
    total = sum(sitting.values())
    if role == OfficeRole.DEPUTY_SECRETARY and sitting.get(OfficeRole.DEPUTY_SECRETARY, 0) >= 1:
        return [Finding("R5", "hard", _("R5: a branch has at most one deputy secretary."))]
    if full_members < threshold:
        if role == OfficeRole.COMMITTEE_MEMBER:
            return [
                Finding(
                    "R5",
                    "hard",
                    _(
                        "R5: a branch with fewer than %(n)d full members has a secretary (and at most one deputy), not a committee; it has %(count)d."
                    )
                    % {"n": threshold, "count": full_members},
                )
            ]
    elif total + 1 > maximum:
        return [
            Finding(
                "R5",
                "hard",
                _("R5: a branch committee has at most %(max)d members.") % {"max": maximum},
            )
        ]
    return []


def check_r5_committee_due(*, organization, full_members: int, sitting_total: int) -> list[Finding]:
    from .models import BRANCH_KINDS

    if organization.kind not in BRANCH_KINDS:
        return []
    region = organization.region
    if full_members >= rule_value("R5.committee_threshold", region) and sitting_total < rule_value(
        "R5.committee_min", region
    ):
        return [
            Finding(
                "R5",
                "warn",
                _("R5: with %(count)d full members this branch should elect a committee of 3–5.")
                % {"count": full_members},
            )
        ]
    return []


def check_secretary_standing(*, member, started_on: dt.date) -> list[Finding]:
    """R8: a secretary normally has at least one year of Party standing."""
    if member.status != "full":
        return [
            Finding(
                "R8",
                "warn",
                _(
                    "R8: a secretary is normally a full member with at least one year of Party standing."
                ),
            )
        ]
    joined = member.joined_on
    if joined and (started_on - joined).days < 365:
        return [
            Finding(
                "R8", "warn", _("R8: a secretary normally has at least one year of Party standing.")
            )
        ]
    return []


def term_years(organization) -> int:
    """R8: 5 years for committees and village/community organizations, 3 for branches and general branches."""
    region = organization.region
    if organization.kind in (OrganizationKind.COMMITTEE, OrganizationKind.WORKING_COMMITTEE):
        return rule_value("R8.term_years_committee", region)
    primary = next((link.unit for link in organization.unit_links.all() if link.is_primary), None)
    if primary is not None and primary.kind in ("village", "community"):
        return rule_value("R8.term_years_village_community", region)
    return rule_value("R8.term_years_branch", region)


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later (the month's last day when it is shorter)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return d.replace(year=year, month=month, day=min(d.day, calendar.monthrange(year, month)[1]))


def check_r8_term(*, organization, started_on: dt.date, ends_on: dt.date) -> list[Finding]:
    """R8: the term length is fixed by kind; bringing forward or extending needs approval, at most 1 year."""
    region = organization.region
    if ends_on <= started_on:
        return [Finding("R8", "hard", _("A term ends after it starts."))]
    regular = add_years(started_on, term_years(organization))
    max_shift = int(rule_value("R8.max_shift_years", region))
    # Calendar years, not a count of days: "at most one year" earlier or later than the regular end.
    if not add_years(regular, -max_shift) <= ends_on <= add_years(regular, max_shift):
        return [
            Finding(
                "R8",
                "hard",
                _(
                    "R8: a term may be extended or shortened by at most one year; the regular end is %(date)s."
                )
                % {"date": regular.isoformat()},
            )
        ]
    if ends_on != regular:
        return [
            Finding(
                "R8",
                "warn",
                _(
                    "R8: the regular end of this term is %(date)s; extending or bringing it forward needs approval."
                )
                % {"date": regular.isoformat()},
            )
        ]
    return []
