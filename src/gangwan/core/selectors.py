from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import AuditEntry
from .scopes import Scope
from .tree import subtree_q


def audit_list(
    *, scope: Scope, q: str = "", action: str = "", actor: str = "", date_from=None, date_to=None
) -> QuerySet[AuditEntry]:
    """The audit trail of the user's region scopes (district administrators see their district's)."""
    qs = AuditEntry.objects.select_related("actor", "content_type")
    if not scope.everything:
        qs = (
            qs.filter(subtree_q(scope.region_paths, "region_path"))
            if scope.region_paths
            else qs.none()
        )
    if q:
        qs = qs.filter(object_repr__icontains=q)
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(
            Q(actor__username__icontains=actor) | Q(actor__display_name__icontains=actor)
        )
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")
