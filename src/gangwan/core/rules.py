"""Rule values (RULES.md R1…R53). A rule's number lives here once; defaults come from
settings.GANGWAN_RULE_DEFAULTS, then from the `rule_defaults` dict an app's AppConfig may declare
(settings win), and a region (or an ancestor) may override them (RuleSetting)."""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.conf import settings

from .tree import ancestor_paths


@cache
def _app_defaults() -> dict:
    merged: dict = {}
    for config in apps.get_app_configs():
        merged.update(getattr(config, "rule_defaults", {}) or {})
    return merged


def rule_defaults() -> dict:
    """Every rule setting's default: the apps' declarations overridden by settings."""
    return {**_app_defaults(), **settings.GANGWAN_RULE_DEFAULTS}


def rule_value(key: str, region=None):
    """The value in force for `key` at `region`: the nearest override up the tree, else the default."""
    overrides = settings.GANGWAN_RULE_DEFAULTS
    if key in overrides:
        default = overrides[key]
    else:
        declared = _app_defaults()
        if key not in declared:
            raise KeyError(f"unknown rule setting {key}")
        default = declared[key]
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
    return default
