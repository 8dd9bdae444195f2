"""Who may do what with floating members. Station staff have no structure access, so the back
office's `require_structure_access` does not fit here; these helpers do, on top of the selectors'
station_region_paths (reading is cut by the selectors; these decide writing and page access)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gangwan.core.permissions import administers_organization
from gangwan.core.scopes import Scope

from .selectors import operator_paths, station_region_paths


def _inside(path: str, roots) -> bool:
    return any(path.startswith(r) for r in roots)


def is_station_staff(scope: Scope) -> bool:
    return bool(station_region_paths(scope))


def can_see_floating(scope: Scope) -> bool:
    """The floating pages are for structure users (admins, secretaries) and station staff."""
    return scope.everything or scope.has_structure_access or is_station_staff(scope)


def require_floating_access(scope: Scope) -> None:
    if not can_see_floating(scope):
        raise PermissionDenied


def operates_station(scope: Scope, station, paths: tuple[str, ...] | None = None) -> bool:
    """Registers, places and decides portal registrations at this station: its staff, and the
    administrators of its district or street."""
    if scope.everything:
        return True
    paths = operator_paths(scope) if paths is None else paths
    return _inside(station.region.path, paths)


def can_operate_stations(scope: Scope) -> bool:
    return scope.everything or bool(operator_paths(scope))


def can_follow_up(scope: Scope, floating, paths: tuple[str, ...] | None = None) -> bool:
    """Records the first organizational life or the yearly certificate review: the station that
    registered the member, or whoever administers the member's home organization. Pass `paths`
    (selectors.operator_paths) when checking many rows."""
    if scope.everything:
        return True
    if floating.station_id and operates_station(scope, floating.station, paths):
        return True
    return administers_organization(scope, floating.member.home_organization)


def can_manage_stations(scope: Scope) -> bool:
    """Opening stations and naming their staff: district and street administrators."""
    return scope.everything or bool(scope.region_paths)


def manages_region(scope: Scope, region) -> bool:
    return scope.everything or _inside(region.path, scope.region_paths)


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied
