from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from gangwan.core.scopes import Scope
from gangwan.core.tree import subtree_q

from .models import Unit


def unit_list(
    *, scope: Scope, q: str = "", kind: str = "", region=None, operating: bool | None = None
) -> QuerySet[Unit]:
    qs = scope.units(Unit.objects.select_related("region"))
    if q:
        qs = qs.filter(name__icontains=q) if len(q) != 18 else qs.filter(credit_code=q.upper())
    if kind:
        qs = qs.filter(kind=kind)
    if region is not None:
        qs = qs.filter(subtree_q([region.path], "region__path"))
    if operating is not None:
        qs = qs.filter(is_operating=operating)
    return qs.order_by("name", "id")


def unit_get(*, scope: Scope, pk: int) -> Unit:
    return get_object_or_404(scope.units(Unit.objects.select_related("region")), pk=pk)
