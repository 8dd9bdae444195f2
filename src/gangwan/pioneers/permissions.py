"""Who may do what in a selection. A selection belongs to a region (the district): its
administrators (district or street admins whose region contains it) run its phases; secretaries
nominate for organizations they administer inside it; committee reviewers are users holding the
reviewer role on a region containing it, or district administrators of such a region."""

from __future__ import annotations

from gangwan.core.models import Role, RoleAssignment
from gangwan.core.permissions import administers_organization, administers_region
from gangwan.core.scopes import Scope
from gangwan.core.tree import ancestor_paths


def _covers(paths, region) -> bool:
    return any(region.path.startswith(p) for p in paths)


def reviewer_region_paths(user) -> tuple[str, ...]:
    """Regions on which the user reviews: reviewer roles (on a region, or on an organization —
    then its region) and district-admin roles."""
    if user is None or not user.is_authenticated:
        return ()
    out = []
    for ra in RoleAssignment.objects.filter(
        user=user, role__in=[Role.REVIEWER, Role.DISTRICT_ADMIN]
    ).select_related("region", "organization__region"):
        if ra.region_id:
            out.append(ra.region.path)
        elif ra.organization_id:
            out.append(ra.organization.region.path)
    return tuple(out)


def can_review(user, selection) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return _covers(reviewer_region_paths(user), selection.region)


def manages(scope: Scope, selection) -> bool:
    """Runs the selection's phases, answers objections, exports its figures."""
    return administers_region(scope, selection.region)


def may_nominate_for(scope: Scope, selection, organization) -> bool:
    return administers_organization(scope, organization) and organization.region.path.startswith(
        selection.region.path
    )


def sees(scope: Scope, user, selection) -> bool:
    """Reads the selection in the back office: anyone with structure access whose scope touches
    the selection's region (above, at or below it), and its reviewers."""
    if scope.everything:
        return True
    paths = (*scope.region_paths, *scope.organization_region_paths)
    if any(
        p.startswith(selection.region.path) or selection.region.path.startswith(p) for p in paths
    ):
        return True
    return can_review(user, selection)


def visible_region_paths(scope: Scope, user) -> tuple[set[str], tuple[str, ...]]:
    """(exact ancestor paths, subtree roots) that select the selections a user may read."""
    roots = (*scope.region_paths, *scope.organization_region_paths, *reviewer_region_paths(user))
    exact: set[str] = set()
    for p in roots:
        exact.update(ancestor_paths(p))
        exact.add(p)
    return exact, roots
