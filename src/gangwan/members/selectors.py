from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from gangwan.core import crypto
from gangwan.core.scopes import Scope
from gangwan.core.tree import subtree_q
from gangwan.core.validators import normalize_id_number

from .models import Member, MemberStatus

ACTIVE = Q(archived_on__isnull=True)


def full_member_count_of_units(unit_ids: Sequence[int]) -> int:
    """Full (not probationary, not archived) members working in these units (R1)."""
    return Member.objects.filter(ACTIVE, unit_id__in=unit_ids, status=MemberStatus.FULL).count()


def full_member_count_of_organization(organization) -> int:
    """Full members whose relationship is held by this organization."""
    return Member.objects.filter(
        ACTIVE, organization=organization, status=MemberStatus.FULL
    ).count()


def member_count_in_organization(organization) -> int:
    return (
        Member.objects.filter(ACTIVE)
        .filter(Q(organization=organization) | Q(home_organization=organization))
        .count()
    )


def subtree_member_count(*, path: str) -> int:
    """Members whose relationship is in the organization subtree at `path` (one range join)."""
    return Member.objects.filter(ACTIVE).filter(subtree_q([path], "organization__path")).count()


def member_list(
    *, scope: Scope, q: str = "", status: str = "", organization=None, floating: bool | None = None
) -> QuerySet[Member]:
    qs = scope.members(
        Member.objects.filter(ACTIVE).select_related("organization", "home_organization", "unit")
    )
    if q:
        q = q.strip()
        if q.isdigit() and len(q) == 11:
            qs = qs.filter(phone_hash__in=crypto.blind_indexes(q))
        elif len(q) == 18:
            qs = qs.filter(id_number_hash__in=crypto.blind_indexes(normalize_id_number(q)))
        else:
            qs = qs.filter(name__icontains=q)
    if status:
        qs = qs.filter(status=status)
    if organization is not None:
        qs = qs.filter(
            subtree_q([organization.path], "organization__path") | Q(home_organization=organization)
        )
    if floating is not None:
        qs = qs.filter(is_floating=floating)
    return qs.order_by("name", "id")


def member_get(*, scope: Scope, pk: int) -> Member:
    return get_object_or_404(
        scope.members(Member.objects.select_related("organization", "home_organization", "unit")),
        pk=pk,
    )


def member_find_by_id_number(id_number: str) -> Member | None:
    """The member with this ID number, whatever its scope (for duplicate checks, not for display)."""
    return Member.objects.filter(
        id_number_hash__in=crypto.blind_indexes(normalize_id_number(id_number))
    ).first()


def members_by_status(*, scope: Scope) -> dict[str, int]:
    from django.db.models import Count

    rows = scope.members(Member.objects.filter(ACTIVE)).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def floating_count(*, scope: Scope) -> int:
    return scope.members(Member.objects.filter(ACTIVE, is_floating=True)).count()
