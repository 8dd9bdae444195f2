"""Rule values (RULES.md R1…R53). A rule's number lives here once; defaults come from
settings.GANGWAN_RULE_DEFAULTS and a region (or an ancestor) may override them (RuleSetting)."""

from __future__ import annotations

from django.conf import settings

from .tree import ancestor_paths


def rule_value(key: str, region=None):
    """The value in force for `key` at `region`: the nearest override up the tree, else the default."""
    if key not in settings.GANGWAN_RULE_DEFAULTS:
        raise KeyError(f"unknown rule setting {key}")
    if region is not None:
        from .models import RuleSetting

        paths = [*ancestor_paths(region.path), region.path]
        hit = (
            RuleSetting.objects.filter(key=key, region__path__in=paths)
            .order_by("-region__depth")
            .values_list("value", flat=True)
            .first()
        )
        if hit is not None:
            return hit
    return settings.GANGWAN_RULE_DEFAULTS[key]
