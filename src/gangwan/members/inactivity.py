"""Inactivity (R27): members without organizational life or without dues for N months.

Counted from the last organizational life attended (`last_life_on`, written by attendance) and the
month paid up to (`dues_paid_until`, written by dues). A member with no record at all counts from
arrival here (a date an upper app registers, e.g. a floating member's arrival) or else from joining.
Warned at R27.warn_months (3), escalated at R27.escalate_months (6). The list is for a human
decision (党章 第九条): nothing here changes a member.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Expression,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from gangwan.core.rules import rule_value
from gangwan.core.scopes import Scope

from .models import Member
from .selectors import ACTIVE, RELATED, organization_subtree_q

WARN_KEY, ESCALATE_KEY = "R27.warn_months", "R27.escalate_months"
DEFAULTS = {WARN_KEY: 3, ESCALATE_KEY: 6}

WARN, ESCALATE = "warn", "escalate"
LIFE, DUES = "life", "dues"

# Callables returning an expression (e.g. a Subquery over OuterRef("pk")) for the date a member
# arrived here. Upper apps register them in AppConfig.ready(), so this app imports none of them.
_ARRIVAL_SOURCES: list[Callable[[], Expression]] = []


def register_arrival_source(source: Callable[[], Expression]) -> None:
    """Count a member with no record from this date (e.g. floating: the arrival date) if set."""
    if source not in _ARRIVAL_SOURCES:
        _ARRIVAL_SOURCES.append(source)


def unregister_arrival_source(source: Callable[[], Expression]) -> None:
    if source in _ARRIVAL_SOURCES:
        _ARRIVAL_SOURCES.remove(source)


def _months_before(d: dt.date, months: int) -> dt.date:
    index = d.year * 12 + d.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last_day = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last_day))


def _setting(key: str, region) -> int:
    try:
        return int(rule_value(key, region))
    except KeyError:  # until the key is in settings.GANGWAN_RULE_DEFAULTS
        return DEFAULTS[key]


def _scope_region(scope: Scope, organization=None):
    """The region whose settings apply: the filtered organization's, else the scope's first root."""
    if organization is not None:
        return organization.region
    from gangwan.regions.models import Region

    paths = scope.region_paths or scope.organization_region_paths
    return Region.objects.filter(path=paths[0]).first() if paths else None


def inactivity_thresholds(*, scope: Scope, organization=None) -> dict:
    region = _scope_region(scope, organization)
    return {"warn": _setting(WARN_KEY, region), "escalate": _setting(ESCALATE_KEY, region)}


def _level(since: str, warn_cut: dt.date, escalate_cut: dt.date) -> Case:
    return Case(
        When(**{f"{since}__isnull": True}, then=Value(ESCALATE)),
        When(**{f"{since}__lt": escalate_cut}, then=Value(ESCALATE)),
        When(**{f"{since}__lt": warn_cut}, then=Value(WARN)),
        default=Value(""),
        output_field=CharField(),
    )


def inactive_members(
    *,
    scope: Scope,
    organization=None,
    level: str = "",
    condition: str = "",
    today: dt.date | None = None,
    thresholds: dict | None = None,
) -> QuerySet[Member]:
    """Current members in the scope past the warning threshold for organizational life or dues,
    annotated with `life_since`, `dues_since` (the dates counted from), `life_level`, `dues_level`
    ("", "warn" or "escalate"). `level="escalate"` keeps the escalated ones only; `condition`
    ("life" or "dues") keeps those past a threshold for that condition."""
    today = today or timezone.localdate()
    t = thresholds or inactivity_thresholds(scope=scope, organization=organization)
    arrivals = [source() for source in _ARRIVAL_SOURCES]
    baseline = (
        Coalesce(*arrivals, F("joined_on"), output_field=DateField())
        if arrivals
        else F("joined_on")
    )
    life_warn, life_esc = _months_before(today, t["warn"]), _months_before(today, t["escalate"])
    # Dues are paid by the month: a month counts once it is over.
    month = today.replace(day=1)
    dues_warn, dues_esc = _months_before(month, t["warn"]), _months_before(month, t["escalate"])
    qs = scope.members(Member.objects.filter(ACTIVE)).select_related(*RELATED)
    if organization is not None:
        qs = qs.filter(organization_subtree_q(organization))
    qs = qs.annotate(
        life_since=Coalesce(F("last_life_on"), baseline, output_field=DateField()),
        dues_since=Coalesce(F("dues_paid_until"), baseline, output_field=DateField()),
    ).annotate(
        life_level=_level("life_since", life_warn, life_esc),
        dues_level=_level("dues_since", dues_warn, dues_esc),
    )
    cut = {LIFE: (life_warn, life_esc), DUES: (dues_warn, dues_esc)}
    wanted = [condition] if condition in cut else list(cut)
    q = Q(pk__in=[])
    for c in wanted:
        field = f"{c}_since"
        warn_cut, esc_cut = cut[c]
        limit = esc_cut if level == ESCALATE else warn_cut
        q |= Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": limit})
    return qs.filter(q).order_by(F("life_since").asc(nulls_first=True), "name", "id")


def inactivity_counts(*, scope: Scope, today: dt.date | None = None) -> dict[str, int]:
    """Dashboard figures: members past the warning threshold, and those escalated (R27)."""
    counts = (
        inactive_members(scope=scope, today=today)
        .order_by()
        .aggregate(
            warned=Count("pk"),
            escalated=Count("pk", filter=Q(life_level=ESCALATE) | Q(dues_level=ESCALATE)),
        )
    )
    return {"inactive_warn": counts["warned"], "inactive_escalate": counts["escalated"]}
