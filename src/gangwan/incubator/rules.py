"""The incubator's rule values: R1 (3 full members make a unit eligible) and R7 (the superior
committee replies to a proposal within 1 month). Both are CONFIG values read through `rule_value`;
R7's key falls back to this module's default until settings.GANGWAN_RULE_DEFAULTS carries it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from gangwan.core.rules import rule_value
from gangwan.organizations.rules import add_months

R7_KEY = "R7.reply_months"
R7_DEFAULT_MONTHS = 1


def min_full_members(region=None) -> int:
    """R1: the full members a unit needs for a branch of its own (probationary ones do not count)."""
    return int(rule_value("R1.min_full_members", region))


def reply_months(region=None) -> int:
    """R7: months within which the superior committee answers a proposal."""
    if R7_KEY in settings.GANGWAN_RULE_DEFAULTS:
        return int(rule_value(R7_KEY, region))
    return R7_DEFAULT_MONTHS


def reply_due_on(proposed_on: dt.date, region=None) -> dt.date:
    return add_months(proposed_on, reply_months(region))


def min_full_members_resolver():
    """R1's minimum for many regions with one query: a function region → minimum, resolving each
    region's nearest override (RuleSetting) up the tree, else the default."""
    from gangwan.core.models import RuleSetting
    from gangwan.core.tree import ancestor_paths

    key = "R1.min_full_members"
    overrides = dict(RuleSetting.objects.filter(key=key).values_list("region__path", "value"))
    default = settings.GANGWAN_RULE_DEFAULTS[key]

    def minimum(region) -> int:
        for path in [region.path, *reversed(ancestor_paths(region.path))]:
            if path in overrides:
                return int(overrides[path])
        return int(default)

    minimum.highest = max([int(default), *(int(v) for v in overrides.values())])
    return minimum
