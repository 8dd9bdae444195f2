"""Write permissions on top of scopes: who may change which node. Reading is cut by Scope itself."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from .scopes import Scope


def _inside(path: str, roots) -> bool:
    return any(path.startswith(r) for r in roots)


def administers_region(scope: Scope, region) -> bool:
    """Region scopes (district/street admins) may change regions and units inside their subtree."""
    return scope.everything or _inside(region.path, scope.region_paths)


def administers_region_strictly_below(scope: Scope, region) -> bool:
    """May move or re-place this region: it must lie strictly inside one of the user's region scopes."""
    return scope.everything or any(
        region.path.startswith(r) and region.path != r for r in scope.region_paths
    )


def administers_organization(scope: Scope, organization) -> bool:
    """Organizations inside an organization scope or located inside a region scope."""
    return (
        scope.everything
        or _inside(organization.path, scope.organization_paths)
        or _inside(organization.region.path, scope.region_paths)
    )


def administers_organization_strictly_below(scope: Scope, organization) -> bool:
    """May move or dissolve: not the root of one's own scope."""
    if scope.everything:
        return True
    if any(
        organization.path.startswith(r) and organization.path != r for r in scope.organization_paths
    ):
        return True
    return (
        _inside(organization.region.path, scope.region_paths)
        and organization.path not in scope.organization_paths
        and organization.parent_id is not None
        and _inside(organization.parent.region.path, scope.region_paths)
    )


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def require_structure_access(scope: Scope) -> None:
    if not scope.has_structure_access:
        raise PermissionDenied
