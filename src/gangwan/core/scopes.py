"""Scopes (SPEC §0): what a user may see and change is the union of the nodes its roles sit on.

Every selector takes a `Scope` and cuts its queryset with the methods here, so one place decides.
Region scopes cover the region subtree and everything located in it; organization scopes cover
the organization subtree and what is attached to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from .models import Role
from .tree import subtree_q

STRUCTURE_ROLES = {Role.DISTRICT_ADMIN, Role.STREET_ADMIN, Role.SECRETARY}


@dataclass(frozen=True)
class Scope:
    user_id: int | None = None
    everything: bool = False
    roles: frozenset = frozenset()
    region_paths: tuple[str, ...] = ()  # region nodes the user administers
    organization_paths: tuple[str, ...] = ()  # organization nodes the user administers
    organization_region_paths: tuple[str, ...] = ()  # the regions those organizations sit in
    member_ids: tuple[int, ...] = field(default=())  # the user's own member record(s)

    # --- who is this ---------------------------------------------------------------------
    @property
    def is_district_admin(self) -> bool:
        return self.everything or Role.DISTRICT_ADMIN in self.roles

    @property
    def has_structure_access(self) -> bool:
        return self.everything or bool(self.region_paths or self.organization_paths)

    def has_role(self, *roles: str) -> bool:
        return self.everything or bool(self.roles & set(roles))

    # --- cutting querysets -------------------------------------------------------------------
    def _none(self) -> Q:
        return Q(pk__in=[])

    def regions(self, qs: QuerySet) -> QuerySet:
        if self.everything:
            return qs
        q = subtree_q(self.region_paths)
        if self.organization_paths:
            # A secretary sees the areas where its organizations stand, not their neighbours.
            from gangwan.organizations.models import Organization

            located = Organization.objects.filter(subtree_q(self.organization_paths)).values(
                "region_id"
            )
            q |= Q(pk__in=located)
        return qs.filter(q)

    def organizations(self, qs: QuerySet, prefix: str = "") -> QuerySet:
        return qs if self.everything else qs.filter(self.organization_q(prefix))

    def organization_q(self, prefix: str = "") -> Q:
        if self.everything:
            return Q()
        q = self._none()
        if self.region_paths:
            q |= subtree_q(self.region_paths, f"{prefix}region__path")
        if self.organization_paths:
            q |= subtree_q(self.organization_paths, f"{prefix}path")
        return q

    def units(self, qs: QuerySet) -> QuerySet:
        if self.everything:
            return qs
        from gangwan.organizations.models import OrganizationUnit

        q = self._none()
        if self.region_paths:
            q |= subtree_q(self.region_paths, "region__path")
        if self.organization_paths:
            attached = OrganizationUnit.objects.filter(
                subtree_q(self.organization_paths, "organization__path")
            )
            q |= Q(pk__in=attached.values("unit_id"))
        return qs.filter(q)

    def members(self, qs: QuerySet) -> QuerySet:
        """Members whose relationship or home organization is in scope, and the user's own."""
        if self.everything:
            return qs
        q = self._none()
        if self.region_paths:
            q |= subtree_q(self.region_paths, "organization__region__path")
            q |= subtree_q(self.region_paths, "home_organization__region__path")
        if self.organization_paths:
            # IN over the organizations' ids lets the database use the member table's foreign-key
            # indexes (10× faster for a secretary on the demo district than joining on paths).
            from gangwan.organizations.models import Organization

            orgs = Organization.objects.filter(subtree_q(self.organization_paths)).values("pk")
            q |= Q(organization_id__in=orgs) | Q(home_organization_id__in=orgs)
        if self.member_ids:
            q |= Q(pk__in=self.member_ids)
        return qs.filter(q)

    def region_admin_paths(self) -> tuple[str, ...]:
        return self.region_paths


ANONYMOUS = Scope()


def scope_for(user) -> Scope:
    """Build the scope of a user from its role assignments (one query)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    if user.is_superuser:
        return Scope(user_id=user.pk, everything=True, roles=frozenset(Role.values))
    from .models import RoleAssignment

    roles, regions, orgs, org_regions = set(), [], [], []
    for ra in RoleAssignment.objects.filter(user=user).select_related(
        "region", "organization__region"
    ):
        roles.add(ra.role)
        if ra.role not in STRUCTURE_ROLES:
            continue
        if ra.region_id:
            regions.append(ra.region.path)
        elif ra.organization_id and ra.organization.dissolved_on is None:
            orgs.append(ra.organization.path)
            org_regions.append(ra.organization.region.path)
    member_ids = ()
    if roles:
        from gangwan.members.models import Member

        member_ids = tuple(Member.objects.filter(user=user).values_list("pk", flat=True))
    return Scope(
        user_id=user.pk,
        roles=frozenset(roles),
        region_paths=tuple(regions),
        organization_paths=tuple(orgs),
        organization_region_paths=tuple(org_regions),
        member_ids=member_ids,
    )
