"""Precomputed dashboards for region administrators (district and street admins, superusers).

The worker computes the figures of every region scope that has an administrator, in every
language, every scheduler run (15 minutes); the page shows a snapshot younger than MAX_AGE with its
time and a "refresh now" link, and computes live otherwise (secretaries always: their scope is a
few organizations). Figures are JSON: what the page needs of them survives the round trip."""

from __future__ import annotations

import datetime as dt
import json
import time

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation

from gangwan.core.models import RoleAssignment
from gangwan.core.scopes import Scope

from .models import DashboardSnapshot
from .selectors import dashboard_figures, members_issue_figures, organizational_life_figures

MAX_AGE = dt.timedelta(minutes=20)
REGION_ROLES = ("district_admin", "street_admin")


def scope_key(scope: Scope) -> str | None:
    """The key of a region scope; None for scopes that include organizations (computed live)."""
    if scope.everything:
        return "everything"
    if scope.organization_paths or not scope.region_paths:
        return None
    return "regions:" + ",".join(sorted(scope.region_paths))


def compute(scope: Scope) -> dict:
    figures = {
        "figures": dashboard_figures(scope=scope),
        "more": members_issue_figures(scope=scope),
        "life": organizational_life_figures(scope=scope),
    }
    # The same shapes the page gets live, through JSON (dates become ISO strings).
    return json.loads(json.dumps(figures, cls=DjangoJSONEncoder))


def snapshot_for(scope: Scope, *, language: str, now=None) -> DashboardSnapshot | None:
    key = scope_key(scope)
    if key is None:
        return None
    now = now or timezone.now()
    return DashboardSnapshot.objects.filter(
        scope_key=key, language=language, computed_at__gte=now - MAX_AGE
    ).first()


def _region_scopes() -> list[Scope]:
    paths: dict[int, set] = {}
    for user_id, path in RoleAssignment.objects.filter(
        role__in=REGION_ROLES, region__isnull=False
    ).values_list("user_id", "region__path"):
        paths.setdefault(user_id, set()).add(path)
    # Users with organization roles too are computed live; the set of region scopes is small.
    with_orgs = set(
        RoleAssignment.objects.filter(organization__isnull=False).values_list("user_id", flat=True)
    )
    scopes = {Scope(everything=True)}
    for user_id, user_paths in paths.items():
        if user_id not in with_orgs:
            scopes.add(Scope(region_paths=tuple(sorted(user_paths))))
    return sorted(scopes, key=lambda s: scope_key(s) or "")


def snapshot_store(scope: Scope, *, language: str) -> DashboardSnapshot | None:
    """Compute the scope's dashboard now, in `language`, and keep it (None: not a region scope)."""
    key = scope_key(scope)
    if key is None:
        return None
    with translation.override(language):
        t = time.perf_counter()
        figures = compute(scope)
        snapshot, _created = DashboardSnapshot.objects.update_or_create(
            scope_key=key,
            language=language,
            defaults={
                "figures": figures,
                "computed_at": timezone.now(),
                "seconds": round(time.perf_counter() - t, 3),
            },
        )
    return snapshot


def snapshots_refresh() -> int:
    """Compute and store every region scope's dashboard in every language; returns how many."""
    n = 0
    for scope in _region_scopes():
        for language, _name in settings.LANGUAGES:
            snapshot_store(scope, language=language)
            n += 1
    return n
