from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from gangwan.core.scopes import Scope
from gangwan.core.tree import ancestor_paths, subtree_q

from .models import Region


def region_list(
    *, scope: Scope, parent: Region | None = None, q: str = "", level: str = ""
) -> QuerySet[Region]:
    qs = scope.regions(Region.objects.all())
    if parent is not None:
        qs = qs.filter(parent=parent)
    if q:
        qs = qs.filter(name__icontains=q)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("path")


def region_get(*, scope: Scope, pk: int) -> Region:
    """The region if it is in scope, else 404 (never reveal what exists outside one's scope)."""
    return get_object_or_404(scope.regions(Region.objects.all()), pk=pk)


def region_roots(*, scope: Scope) -> QuerySet[Region]:
    """The topmost regions the user can see (the district for its admins, a street for its admin…)."""
    if scope.everything:
        return Region.objects.filter(parent__isnull=True).order_by("path")
    paths = set(scope.region_paths + scope.organization_region_paths)
    roots = [p for p in paths if not any(a in paths for a in ancestor_paths(p))]
    return Region.objects.filter(path__in=roots).order_by("path")


def region_subtree(*, region: Region) -> QuerySet[Region]:
    return Region.objects.filter(subtree_q([region.path]))


def regions_assignable(*, scope: Scope) -> QuerySet[Region]:
    """Regions where the user may place things (its region scopes, or its organizations' areas)."""
    return scope.regions(Region.objects.all()).order_by("path")
