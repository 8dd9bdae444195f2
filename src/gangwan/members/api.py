"""Members in the API: listed, searched and filtered like the back office's list, cut to the
caller's scope; registered, changed and archived through the same services (and rules)."""

from django.core.exceptions import ValidationError
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
from gangwan.organizations.selectors import organization_list
from gangwan.units.selectors import unit_list

from . import inactivity, selectors, services
from .models import Member
from .schemas import (
    ArchiveIn,
    InactiveFilters,
    InactiveOut,
    MemberFilters,
    MemberIn,
    MemberOut,
    MemberPatch,
)

router = Router(tags=["members"])


def _organization(scope, pk: int | None, field: str, *, administer: bool = False):
    """An organization named in a request: in scope, or a 422 that does not tell whether it exists."""
    if pk is None:
        return None
    org = organization_list(scope=scope).filter(pk=pk).first()
    if org is None:
        raise ValidationError({field: _("No organization %(pk)s in your scope.") % {"pk": pk}})
    if administer and not administers_organization(scope, org):
        raise AuthorizationError(message=_("You do not administer %(org)s.") % {"org": org})
    return org


def _unit(scope, pk: int | None, keep=None):
    if pk is None:
        return None
    if keep is not None and keep.pk == pk:
        return keep
    unit = unit_list(scope=scope).filter(pk=pk).first()
    if unit is None:
        raise ValidationError({"unit": _("No unit %(pk)s in your scope.") % {"pk": pk}})
    return unit


def _editable(scope, member_id: int) -> Member:
    member = selectors.member_get(scope=scope, pk=member_id)
    if not administers_organization(scope, member.organization):
        raise AuthorizationError(
            message=_("You do not administer %(org)s.") % {"org": member.organization}
        )
    return member


def _out(scope, pk: int) -> Member:
    return selectors.member_get(scope=scope, pk=pk)


@router.get("", response={200: list[MemberOut], **READ_ERRORS}, summary="List members")
@paginate(Pagination)
def member_list(request, filters: Query[MemberFilters]):
    """Current members of your scope (former ones with `archived`), by name."""
    scope = structure_scope(request)
    org = None
    if filters.organization is not None:
        org = organization_list(scope=scope).filter(pk=filters.organization).first()
        if org is None:
            return Member.objects.none()
    return selectors.member_list(
        scope=scope,
        q=filters.q,
        status=filters.status or "",
        organization=org,
        floating=filters.floating,
        on_call=filters.on_call,
        archived=filters.archived,
    )


@router.get(
    "/inactive",
    response={200: list[InactiveOut], **READ_ERRORS},
    summary="List inactive members (R27)",
)
@paginate(Pagination)
def member_inactive(request, filters: Query[InactiveFilters]):
    """Members past R27's warning threshold for organizational life or dues; nothing changes."""
    scope = structure_scope(request)
    org = None
    if filters.organization is not None:
        org = organization_list(scope=scope).filter(pk=filters.organization).first()
        if org is None:
            return Member.objects.none()
    return inactivity.inactive_members(
        scope=scope, organization=org, level=filters.level, condition=filters.condition
    )


@router.get("/{int:member_id}", response={200: MemberOut, **DETAIL_ERRORS}, summary="Get a member")
def member_detail(request, member_id: int):
    """A member of your scope, personal data masked."""
    return _out(structure_scope(request), member_id)


@router.post(
    "",
    response={201: MemberOut, 409: ReasonRequiredOut, **WRITE_ERRORS},
    summary="Register a member",
)
def member_create(request, payload: MemberIn):
    """Register a member in an organization you administer. Refused (422): an invalid or
    duplicate ID number (GB 11643), impossible dates, a probationary member in a temporary branch
    (R4), an organization or unit outside your scope."""
    scope = structure_scope(request)
    org = _organization(scope, payload.organization, "organization", administer=True)
    home = _organization(scope, payload.home_organization, "home_organization") or org
    fields = payload.dict(exclude={"organization", "home_organization", "unit", "reason"})
    member = services.member_create(
        actor=request.auth,
        reason=payload.reason,
        organization=org,
        home_organization=home,
        unit=_unit(scope, payload.unit),
        **{**fields, "education": fields["education"] or ""},
    )
    return Status(201, _out(scope, member.pk))


@router.patch(
    "/{int:member_id}",
    response={200: MemberOut, 409: ReasonRequiredOut, **UPDATE_ERRORS},
    summary="Change a member's record",
)
def member_update(request, member_id: int, payload: MemberPatch):
    """Change the record of a member whose relationship is held by an organization you
    administer (a former member's record stays as it is). The relationship moves by a transfer."""
    scope = structure_scope(request)
    member = _editable(scope, member_id)
    fields = payload.dict(exclude_unset=True)
    reason = fields.pop("reason", "")
    if "home_organization" in fields:
        fields["home_organization"] = (
            _organization(scope, fields["home_organization"], "home_organization")
            or member.organization
        )
    if "unit" in fields:
        fields["unit"] = _unit(scope, fields["unit"], keep=member.unit)
    services.member_update(actor=request.auth, member=member, reason=reason, **fields)
    return _out(scope, member.pk)


@router.post(
    "/{int:member_id}/archive",
    response={200: MemberOut, **UPDATE_ERRORS},
    summary="Archive a member (former member)",
)
def member_archive(request, member_id: int, payload: ArchiveIn):
    """The member leaves the roll (transferred out, deceased, removed, quit, other); the record is
    kept with the date and reason. Refused (422) while the member holds an office."""
    scope = structure_scope(request)
    member = _editable(scope, member_id)
    services.member_archive(
        actor=request.auth,
        member=member,
        reason=payload.reason,
        note=payload.note,
        archived_on=payload.archived_on,
    )
    return _out(scope, member.pk)
