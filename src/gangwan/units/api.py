"""Units in the API: read within one's scope; registered by the administrators of their region."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import AuthorizationError
from ninja.pagination import paginate

from gangwan.core.api_auth import structure_scope
from gangwan.core.permissions import administers_region
from gangwan.core.schemas import DETAIL_ERRORS, READ_ERRORS, UPDATE_ERRORS, WRITE_ERRORS, Pagination
from gangwan.regions.api import region_in_scope
from gangwan.regions.selectors import region_list

from . import selectors, services
from .models import Unit
from .schemas import UnitFilters, UnitIn, UnitOut, UnitPatch

router = Router(tags=["units"])


def _require_admin(scope, region) -> None:
    if not administers_region(scope, region):
        raise AuthorizationError(
            message=_("Units are registered and changed by the administrators of %(region)s.")
            % {"region": region}
        )


@router.get("", response={200: list[UnitOut], **READ_ERRORS}, summary="List units")
@paginate(Pagination)
def unit_list(request, filters: Query[UnitFilters]):
    scope = structure_scope(request)
    region = None
    if filters.region is not None:
        region = region_list(scope=scope).filter(pk=filters.region).first()
        if region is None:
            return Unit.objects.none()
    return selectors.unit_list(
        scope=scope,
        q=filters.q.strip(),
        kind=filters.kind or "",
        region=region,
        operating=filters.operating,
    )


@router.get("/{int:unit_id}", response={200: UnitOut, **DETAIL_ERRORS}, summary="Get a unit")
def unit_detail(request, unit_id: int):
    return selectors.unit_get(scope=structure_scope(request), pk=unit_id)


@router.post("", response={201: UnitOut, **WRITE_ERRORS}, summary="Register a unit")
def unit_create(request, payload: UnitIn):
    """Register a unit in a region you administer (district and street administrators).

    Refused (422): a wrong or already registered credit code."""
    scope = structure_scope(request)
    data = payload.dict()
    data["region"] = region_in_scope(scope, payload.region, "region")
    _require_admin(scope, data["region"])
    unit = services.unit_create(actor=request.auth, **data)
    return Status(201, unit)


@router.patch("/{int:unit_id}", response={200: UnitOut, **UPDATE_ERRORS}, summary="Change a unit")
def unit_update(request, unit_id: int, payload: UnitPatch):
    """Change a unit in a region you administer (as in the back office, secretaries see the units
    of their organizations but do not change them). A new region must be one you administer too."""
    scope = structure_scope(request)
    unit = selectors.unit_get(scope=scope, pk=unit_id)
    _require_admin(scope, unit.region)
    fields = payload.dict(exclude_unset=True)
    if fields.get("region") is not None:
        fields["region"] = region_in_scope(scope, fields["region"], "region")
        _require_admin(scope, fields["region"])
    else:
        fields.pop("region", None)
    return services.unit_update(actor=request.auth, unit=unit, **fields)
