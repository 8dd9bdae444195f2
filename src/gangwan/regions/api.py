"""Regions in the API: read within one's scope; create and change where one administers regions."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import AuthorizationError
from ninja.pagination import paginate

from gangwan.core.api_auth import structure_scope
from gangwan.core.permissions import administers_region
from gangwan.core.schemas import DETAIL_ERRORS, READ_ERRORS, UPDATE_ERRORS, WRITE_ERRORS, Pagination

from . import selectors, services
from .models import Region
from .schemas import RegionFilters, RegionIn, RegionOut, RegionPatch

router = Router(tags=["regions"])


def region_in_scope(scope, pk: int | None, field: str) -> Region | None:
    """A region named in a request body: in scope, or a 422 that does not tell whether it exists."""
    if pk is None:
        return None
    region = selectors.region_list(scope=scope).filter(pk=pk).first()
    if region is None:
        raise ValidationError({field: _("No region %(pk)s in your scope.") % {"pk": pk}})
    return region


def _require_admin(scope, region: Region) -> None:
    if not administers_region(scope, region):
        raise AuthorizationError(
            message=_("You do not administer %(region)s.") % {"region": region}
        )


@router.get("", response={200: list[RegionOut], **READ_ERRORS}, summary="List regions")
@paginate(Pagination)
def region_list(request, filters: Query[RegionFilters]):
    scope = structure_scope(request)
    parent = None
    if filters.parent is not None:
        parent = selectors.region_list(scope=scope).filter(pk=filters.parent).first()
        if parent is None:
            return Region.objects.none()
    return selectors.region_list(
        scope=scope, parent=parent, q=filters.q.strip(), level=filters.level or ""
    )


@router.get("/{int:region_id}", response={200: RegionOut, **DETAIL_ERRORS}, summary="Get a region")
def region_detail(request, region_id: int):
    return selectors.region_get(scope=structure_scope(request), pk=region_id)


@router.post("", response={201: RegionOut, **WRITE_ERRORS}, summary="Create a region")
def region_create(request, payload: RegionIn):
    """Create a region under `parent`, which must lie in a region you administer: a street
    administrator adds communities and villages to its street, never a new street."""
    scope = structure_scope(request)
    parent = region_in_scope(scope, payload.parent, "parent")
    _require_admin(scope, parent)
    region = services.region_create(
        actor=request.auth,
        parent=parent,
        name=payload.name,
        level=payload.level,
        kind=payload.kind or "",
        code=payload.code,
        residents=payload.residents,
        newcomers=payload.newcomers,
    )
    return Status(201, region)


@router.patch(
    "/{int:region_id}", response={200: RegionOut, **UPDATE_ERRORS}, summary="Change a region"
)
def region_update(request, region_id: int, payload: RegionPatch):
    """Change name, kind, code or population figures of a region you administer."""
    scope = structure_scope(request)
    region = selectors.region_get(scope=scope, pk=region_id)
    _require_admin(scope, region)
    fields = payload.dict(exclude_unset=True)
    if "kind" in fields:
        fields["kind"] = fields["kind"] or ""
    return services.region_update(actor=request.auth, region=region, **fields)
