"""Compliance rules (RULES R10–R17): which activity each organization owes, and how often.

A rule's period comes from the rule settings (`<rule>.<kind>_period` = "month" | "quarter" | "year")
and a region may override it (gangwan.core.models.RuleSetting, nearest ancestor wins). Until the keys
are in settings.GANGWAN_RULE_DEFAULTS the module defaults below apply.

Which organizations a rule applies to:
- every active branch-level organization (branch, joint, regional, floating and temporary branches)
  and general branches hold general meetings, lectures, theme days and life meetings;
- committee meetings (R11) only where a committee sits: at least 3 sitting offices;
- Party group meetings (R12) only where the organization has an undissolved Party group;
- democratic appraisal (R17) not in temporary branches: R4 keeps discipline and membership matters
  (recruiting, dues, elections) with the member's own branch, so its members are appraised there.
  Temporary branches still owe every meeting (R4 does not exclude organizational life).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from gangwan.activities.models import ActivityKind
from gangwan.core.tree import ancestor_paths
from gangwan.organizations.models import OrganizationKind

MONTH, QUARTER, YEAR = "month", "quarter", "year"
PERIODS = (MONTH, QUARTER, YEAR)

DONE, DUE, OVERDUE = "done", "due", "overdue"
STATUS_LABELS = {DONE: _("done"), DUE: _("due"), OVERDUE: _("overdue")}

# Reminder timing: "upcoming" reminders go out this many days before a period ends.
REMIND_DAYS_KEY = "R10.remind_days_before_end"

MEETING_KINDS = frozenset(
    {
        OrganizationKind.BRANCH,
        OrganizationKind.JOINT_BRANCH,
        OrganizationKind.REGIONAL_BRANCH,
        OrganizationKind.FLOATING_BRANCH,
        OrganizationKind.TEMPORARY_BRANCH,
        OrganizationKind.GENERAL_BRANCH,
    }
)
APPRAISAL_KINDS = MEETING_KINDS - {OrganizationKind.TEMPORARY_BRANCH}

COMMITTEE_MIN_OFFICES = 3


@dataclass(frozen=True)
class ComplianceRule:
    code: str  # the rule's number in RULES.md, e.g. "R10"
    kind: str  # the ActivityKind that fulfils it
    default_period: str
    org_kinds: frozenset
    needs: str = ""  # "committee" | "party_group" | ""

    @property
    def key(self) -> str:
        return f"{self.code}.{self.kind}_period"

    @property
    def label(self) -> str:
        return str(ActivityKind(self.kind).label)


RULES: tuple[ComplianceRule, ...] = (
    ComplianceRule("R10", ActivityKind.GENERAL_MEETING, QUARTER, MEETING_KINDS),
    ComplianceRule("R11", ActivityKind.COMMITTEE_MEETING, MONTH, MEETING_KINDS, "committee"),
    ComplianceRule("R12", ActivityKind.GROUP_MEETING, MONTH, MEETING_KINDS, "party_group"),
    ComplianceRule("R13", ActivityKind.LECTURE, QUARTER, MEETING_KINDS),
    ComplianceRule("R14", ActivityKind.THEME_DAY, MONTH, MEETING_KINDS),
    ComplianceRule("R15", ActivityKind.LIFE_MEETING, YEAR, MEETING_KINDS),
    ComplianceRule("R17", ActivityKind.APPRAISAL, YEAR, APPRAISAL_KINDS),
)
RULES_BY_CODE = {r.code: r for r in RULES}

# The keys the lead adds to settings.GANGWAN_RULE_DEFAULTS (read with this fallback meanwhile).
DEFAULTS = {r.key: r.default_period for r in RULES} | {REMIND_DAYS_KEY: 7}


def default_value(key: str):
    return settings.GANGWAN_RULE_DEFAULTS.get(key, DEFAULTS[key])


def applies(rule: ComplianceRule, *, org_kind: str, offices: int, has_groups: bool) -> bool:
    if org_kind not in rule.org_kinds:
        return False
    if rule.needs == "committee":
        return offices >= COMMITTEE_MIN_OFFICES
    if rule.needs == "party_group":
        return has_groups
    return True


# --- periods -----------------------------------------------------------------------------------
def period_start(day: dt.date, period: str) -> dt.date:
    if period == MONTH:
        return day.replace(day=1)
    if period == QUARTER:
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if period == YEAR:
        return dt.date(day.year, 1, 1)
    raise ValueError(f"unknown period {period}")


def period_end(day: dt.date, period: str) -> dt.date:
    start = period_start(day, period)
    months = {MONTH: 1, QUARTER: 3, YEAR: 12}[period]
    last_month = start.month + months - 1
    return dt.date(start.year, last_month, calendar.monthrange(start.year, last_month)[1])


def previous_period_start(day: dt.date, period: str) -> dt.date:
    return period_start(period_start(day, period) - dt.timedelta(days=1), period)


def period_label(start: dt.date, period: str) -> str:
    if period == MONTH:
        return f"{start.year}-{start.month:02d}"
    if period == QUARTER:
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


# --- configuration per region -----------------------------------------------------------------
class RuleConfig:
    """Rule values for many regions, read in one query and resolved in memory (nearest override)."""

    def __init__(self, overrides: dict[str, dict[str, object]]):
        self.overrides = overrides  # key -> {region path: value}
        self._cache: dict[tuple[str, str], object] = {}

    @classmethod
    def load(cls) -> RuleConfig:
        from gangwan.core.models import RuleSetting

        overrides: dict[str, dict[str, object]] = {}
        rows = RuleSetting.objects.filter(key__in=list(DEFAULTS)).values_list(
            "key", "region__path", "value"
        )
        for key, path, value in rows:
            overrides.setdefault(key, {})[path] = value
        return cls(overrides)

    def value(self, key: str, region_path: str):
        hit = self._cache.get((key, region_path))
        if hit is not None:
            return hit
        value = default_value(key)
        by_path = self.overrides.get(key)
        if by_path:
            for p in [*ancestor_paths(region_path), region_path]:
                if p in by_path:
                    value = by_path[p]
        if key.endswith("_period") and value not in PERIODS:
            value = default_value(key)
        self._cache[(key, region_path)] = value
        return value

    def period(self, rule: ComplianceRule, region_path: str) -> str:
        return self.value(rule.key, region_path)
