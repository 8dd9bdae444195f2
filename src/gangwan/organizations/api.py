"""Organizations in the API: the organization tree cut to one's scope, established and changed
through the same services (and rules R1–R8) as the back office."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import AuthorizationError
from ninja.pagination import paginate

from gangwan.core.api_auth import structure_scope
from gangwan.core.permissions import administers_organization
from gangwan.core.schemas import (
    DETAIL_ERRORS,
    READ_ERRORS,
    UPDATE_ERRORS,
    WRITE_ERRORS,
    Pagination,
    ReasonRequiredOut,
)
from gangwan.regions.api import region_in_scope
from gangwan.regions.selectors import region_list
from gangwan.units.selectors import unit_list

from . import selectors, services
from .models import Organization
from .schemas import (
    OrganizationDetailOut,
    OrganizationFilters,
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
)

router = Router(tags=["organizations"])


def _scoped(scope, **filters):
    return selectors.with_member_counts(selectors.organization_list(scope=scope, **filters))


def _visible(scope, pk: int | None) -> bool:
    if pk is None:
        return False
    return selectors.organization_list(scope=scope, include_dissolved=True).filter(pk=pk).exists()


def _detail(scope, pk: int) -> dict:
    org = get_object_or_404(_scoped(scope, include_dissolved=True), pk=pk)
    return {
        **OrganizationOut.from_orm(org).dict(),
        # The parent of one's own root lies outside the scope: its name is not shown.
        "parent": org.parent if _visible(scope, org.parent_id) else None,
        "units": list(selectors.organization_units(organization=org)),
        "offices": list(selectors.organization_offices(organization=org)),
    }


def _parent_in_scope(scope, pk: int | None) -> Organization | None:
    if pk is None:
        return None
    parent = selectors.organization_list(scope=scope, include_dissolved=True).filter(pk=pk).first()
    if parent is None:
        raise ValidationError({"parent": _("No organization %(pk)s in your scope.") % {"pk": pk}})
    if not administers_organization(scope, parent):
        raise AuthorizationError(message=_("You do not administer %(org)s.") % {"org": parent})
    return parent


def _units_in_scope(scope, ids: list[int], field: str = "units", keep=()) -> list:
    """Units named in a request body: in scope (or among `keep`, the units already attached)."""
    ids = list(dict.fromkeys(ids))
    found = {u.pk: u for u in keep if u.pk in ids}
    rest = [pk for pk in ids if pk not in found]
    if rest:
        found.update({u.pk: u for u in unit_list(scope=scope).filter(pk__in=rest)})
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {field: _("No unit %(pks)s in your scope.") % {"pks": ", ".join(map(str, missing))}}
        )
    return [found[pk] for pk in ids]


@router.get("", response={200: list[OrganizationOut], **READ_ERRORS}, summary="List organizations")
@paginate(Pagination)
def organization_list(request, filters: Query[OrganizationFilters]):
    """Active organizations in your scope (dissolved ones too with `include_dissolved`), in tree
    order, each with its member counts."""
    scope = structure_scope(request)
    region = None
    if filters.region is not None:
        region = region_list(scope=scope).filter(pk=filters.region).first()
        if region is None:
            return Organization.objects.none()
    return _scoped(
        scope,
        q=filters.q.strip(),
        kind=filters.kind or "",
        region=region,
        include_dissolved=filters.include_dissolved,
    )


@router.get(
    "/{int:organization_id}",
    response={200: OrganizationDetailOut, **DETAIL_ERRORS},
    summary="Get an organization",
)
def organization_detail(request, organization_id: int):
    """An organization with its units, sitting offices and member counts."""
    return _detail(structure_scope(request), organization_id)


@router.post(
    "",
    response={201: OrganizationDetailOut, 409: ReasonRequiredOut, **WRITE_ERRORS},
    summary="Establish an organization",
)
def organization_create(request, payload: OrganizationIn):
    """Establish an organization under a parent you administer, in an area of your scope, attached
    to units of your scope. A secretary establishes only inside its own organization's subtree, a
    street administrator only in its street; top-level organizations are set up by superusers.

    Refused (422, the message names the rule): a place the tree does not allow, a second regional
    branch in an area (1+N), a standalone branch with fewer than 3 full members in its unit (R1).
    Warned (409 with `warnings`; resend with a `reason`): a joint branch over 5 units (R3), sizes
    outside R2/R6."""
    scope = structure_scope(request)
    region = region_in_scope(scope, payload.region, "region")
    parent = _parent_in_scope(scope, payload.parent)
    if parent is None and not scope.everything:
        # As in the back office: only a superuser sets up a top-level organization.
        raise ValidationError({"parent": _("Choose the superior organization.")})
    units = _units_in_scope(scope, payload.units)
    primary = (
        _units_in_scope(scope, [payload.primary_unit], "primary_unit")[0]
        if payload.primary_unit
        else None
    )
    org = services.organization_create(
        actor=request.auth,
        name=payload.name,
        kind=payload.kind,
        region=region,
        parent=parent,
        units=units,
        primary_unit=primary,
        established_on=payload.established_on,
        document_no=payload.document_no,
        reason=payload.reason,
    )
    return Status(201, _detail(scope, org.pk))


@router.patch(
    "/{int:organization_id}",
    response={200: OrganizationDetailOut, 409: ReasonRequiredOut, **UPDATE_ERRORS},
    summary="Change an organization",
)
def organization_update(request, organization_id: int, payload: OrganizationPatch):
    """Rename, re-document, change the kind, area or attached units of an organization you
    administer, with the same rules (and the same 422/409 answers) as establishing."""
    scope = structure_scope(request)
    org = selectors.organization_get(scope=scope, pk=organization_id)
    if not administers_organization(scope, org):
        raise AuthorizationError(message=_("You do not administer %(org)s.") % {"org": org})
    if not org.is_active:
        raise ValidationError(_("This organization has been dissolved."))
    fields = payload.dict(exclude_unset=True)
    reason = fields.pop("reason", "")
    if fields.get("region") is not None:
        fields["region"] = region_in_scope(scope, fields["region"], "region")
    else:
        fields.pop("region", None)
    units = fields.pop("units", None)
    primary_id = fields.pop("primary_unit", None)
    # Units already attached stay selectable even where they lie outside the editor's scope
    # (a joint branch across two streets), as in the back office.
    attached = [link.unit for link in selectors.organization_units(organization=org)]
    if units is not None:
        units = _units_in_scope(scope, units, keep=attached)
    primary = (
        _units_in_scope(scope, [primary_id], "primary_unit", keep=attached)[0]
        if primary_id
        else None
    )
    if primary is not None and units is None:
        # The service keeps the current primary unit when no units are given: pass them along.
        units = attached
    services.organization_update(
        actor=request.auth,
        organization=org,
        reason=reason,
        units=units,
        primary_unit=primary,
        **fields,
    )
    return _detail(scope, org.pk)
