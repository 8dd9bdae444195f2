from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from gangwan.core import crypto
from gangwan.core.scopes import Scope
from gangwan.core.tree import subtree_q
from gangwan.core.validators import normalize_id_number

from .models import Member, MemberStatus

ACTIVE = Q(archived_on__isnull=True)
RELATED = ("organization", "home_organization", "unit")


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


def search_q(q: str) -> Q:
    """What a search box means: a full phone or ID number (by keyed hash), the last 4 characters of
    an ID number or a phone, else part of the name or of the unit's name."""
    q = unicodedata.normalize("NFKC", q or "").strip()
    if not q:
        return Q()
    if re.fullmatch(r"1[0-9]{10}", q):
        return Q(phone_hash__in=crypto.blind_indexes(q))
    if len(q) == 18 and re.fullmatch(r"[0-9]{17}[0-9Xx]", q.replace(" ", "")):
        return Q(id_number_hash__in=crypto.blind_indexes(normalize_id_number(q)))
    if re.fullmatch(r"[0-9]{4}", q):
        return Q(id_suffix=q) | Q(phone_suffix=q)
    if re.fullmatch(r"[0-9]{3}[Xx]", q):
        return Q(id_suffix=q.upper())
    return Q(name__icontains=q) | Q(unit__name__icontains=q)


def organization_subtree_q(organization) -> Q:
    """Members whose relationship or home organization lies in the organization's subtree."""
    return subtree_q([organization.path], "organization__path") | subtree_q(
        [organization.path], "home_organization__path"
    )


def member_list(
    *,
    scope: Scope,
    q: str = "",
    status: str = "",
    organization=None,
    floating: bool | None = None,
    on_call: bool | None = None,
    archived: bool = False,
) -> QuerySet[Member]:
    """Members in the scope (former members instead with `archived`), searched and filtered."""
    qs = Member.objects.filter(archived_on__isnull=not archived)
    qs = scope.members(qs.select_related(*RELATED))
    if q:
        qs = qs.filter(search_q(q))
    if status:
        qs = qs.filter(status=status)
    if organization is not None:
        qs = qs.filter(organization_subtree_q(organization))
    if floating is not None:
        qs = qs.filter(is_floating=floating)
    if on_call is not None:
        qs = qs.filter(on_call=on_call)
    return qs.order_by("name", "id")


def member_get(*, scope: Scope, pk: int) -> Member:
    return get_object_or_404(scope.members(Member.objects.select_related(*RELATED)), pk=pk)


def member_find_by_id_number(id_number: str) -> Member | None:
    """The member with this ID number, whatever its scope (for duplicate checks, not for display)."""
    return Member.objects.filter(
        id_number_hash__in=crypto.blind_indexes(normalize_id_number(id_number))
    ).first()


def members_by_status(*, scope: Scope) -> dict[str, int]:
    rows = scope.members(Member.objects.filter(ACTIVE)).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def floating_count(*, scope: Scope) -> int:
    return scope.members(Member.objects.filter(ACTIVE, is_floating=True)).count()


def on_call_count(*, scope: Scope) -> int:
    """Members in the scope who can be called on at any time (for task forces and needs)."""
    return scope.members(Member.objects.filter(ACTIVE, on_call=True)).count()
