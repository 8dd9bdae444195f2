"""Co-building in the API (/api/v1/cobuild/): the three lists cut to the caller's scope, matching
suggestions with their reasons, claims and project completion through the same services."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gangwan.core.api_auth import structure_scope
from gangwan.core.schemas import DETAIL_ERRORS, READ_ERRORS, UPDATE_ERRORS, WRITE_ERRORS, Pagination

from . import projects, selectors, services
from .models import Category, NeedState, ProjectStatus, Resource, Urgency

router = Router(tags=["cobuild"])


class NeedOut(Schema):
    id: int
    title: str
    text: str
    category: str
    region_id: int
    region_name: str = Field(..., alias="region.name")
    urgency: str
    poster_kind: str
    poster_name: str
    state: str
    moderation: str
    closed_reason: str
    posted_at: dt.datetime
    matched_at: dt.datetime | None
    done_at: dt.datetime | None


class ReasonOut(Schema):
    key: str
    value: float
    detail: str


class SuggestionOut(Schema):
    kind: str
    id: int
    label: str
    score: float
    reasons: list[ReasonOut]


class SuggestionsOut(Schema):
    resources: list[SuggestionOut]
    members: list[SuggestionOut]


class MatchOut(Schema):
    id: int
    need_id: int
    resource_id: int | None
    member_id: int | None
    how: str
    score: float
    exchange_id: int | None
    created_at: dt.datetime


class NeedIn(Schema):
    title: str
    text: str
    category: Category
    region: int
    urgency: Urgency = Urgency.NORMAL
    poster_kind: str = "community"
    poster_name: str
    phone: str = ""


class ClaimIn(Schema):
    resource: int | None = None
    member: int | None = None
    note: str = ""


class CloseIn(Schema):
    reason: str


class NeedFilters(Schema):
    state: NeedState | None = None
    category: Category | None = None


class ResourceOut(Schema):
    id: int
    title: str
    text: str
    category: str
    kind: str
    capacity: str
    skills: str
    region_id: int
    holder_kind: str
    holder_name: str
    available_until: dt.date | None
    is_active: bool


class ProjectOut(Schema):
    id: int
    title: str
    summary: str
    region_id: int
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    funder_id: int | None
    budget: Decimal | None
    status: str
    starts_on: dt.date | None
    completed_on: dt.date | None
    served_text: str


class CompleteIn(Schema):
    completed_on: dt.date
    hours: Decimal | None = None


class FiguresOut(Schema):
    needs: int
    by_state: dict[str, int]
    by_category: dict[str, int]
    median_days_to_match: float | None
    median_days_to_done: float | None
    resources: int
    resources_used: int
    projects: int
    projects_done: int


@router.get("/needs", response={200: list[NeedOut], **READ_ERRORS}, summary="List needs")
@paginate(Pagination)
def need_list(request, filters: Query[NeedFilters]):
    """The needs list of the areas in your scope, newest first."""
    return selectors.need_list(
        scope=structure_scope(request),
        state=filters.state or "",
        category=filters.category or "",
    )


@router.get("/needs/{int:need_id}", response={200: NeedOut, **DETAIL_ERRORS}, summary="Get a need")
def need_detail(request, need_id: int):
    """A need of your areas, or a published need of any area; the poster is named only to the
    keepers of the need's area (the portal does not name the poster either)."""
    scope = structure_scope(request)
    need = selectors.need_get(scope=scope, pk=need_id, published_anywhere=True)
    if not selectors.manages_region(scope, need.region):
        need.poster_name = ""  # this instance is only serialized, never saved
    return need


@router.get(
    "/needs/{int:need_id}/matches",
    response={200: list[MatchOut], **DETAIL_ERRORS},
    summary="A need's matches",
)
def need_matches(request, need_id: int):
    need = selectors.need_get(scope=structure_scope(request), pk=need_id, published_anywhere=True)
    return list(selectors.need_matches(need=need))


@router.get(
    "/needs/{int:need_id}/suggestions",
    response={200: SuggestionsOut, **DETAIL_ERRORS},
    summary="Suggested resources and on-call members",
)
def need_suggestions(request, need_id: int):
    """Ranked resources and on-call members for the need, each with its reasons (category fit,
    distance, text similarity, skills, availability, past success)."""
    need = selectors.need_get(scope=structure_scope(request), pk=need_id, published_anywhere=True)
    found = selectors.suggestions_for_need(need=need)
    return {k: [s.as_dict() for s in v] for k, v in found.items()}


@router.post("/needs", response={201: NeedOut, **WRITE_ERRORS}, summary="Post a need")
def need_create(request, payload: NeedIn):
    """Post a need for an area in your scope (published at once; residents post on the portal)."""
    scope = structure_scope(request)
    region = selectors.areas(scope).filter(pk=payload.region).first()
    if region is None:
        raise ValidationError(
            {"region": _("No area %(pk)s in your scope.") % {"pk": payload.region}}
        )
    need = services.need_post(
        actor=request.auth,
        title=payload.title,
        text=payload.text,
        category=payload.category,
        region=region,
        urgency=payload.urgency,
        poster_kind=payload.poster_kind,
        poster_name=payload.poster_name,
        phone=payload.phone,
    )
    return Status(201, need)


@router.post(
    "/needs/{int:need_id}/claim", response={201: MatchOut, **UPDATE_ERRORS}, summary="Claim a need"
)
def need_claim(request, need_id: int, payload: ClaimIn):
    """Claim (认领) a published need with a resource in your scope, or dispatch an on-call member
    to a need of your area."""
    scope = structure_scope(request)
    need = selectors.need_get(scope=scope, pk=need_id, published_anywhere=True)
    resource = member = None
    how = "dispatch"
    if payload.resource is not None:
        # The holder claims with its own resource; the need's branch may dispatch any.
        resource = selectors.resource_list(scope=scope).filter(pk=payload.resource).first()
        if resource is not None:
            how = "claim"
        elif selectors.manages_region(scope, need.region):
            resource = Resource.objects.filter(pk=payload.resource, is_active=True).first()
        if resource is None:
            raise Http404
    elif payload.member is not None:
        if not selectors.manages_region(scope, need.region):
            raise PermissionDenied
        from gangwan.members.models import Member

        member = Member.objects.filter(pk=payload.member, on_call=True).first()
        if member is None:
            raise ValidationError(
                {"member": _("No on-call member %(pk)s.") % {"pk": payload.member}}
            )
    match = services.need_claim(
        actor=request.auth,
        need=need,
        resource=resource,
        member=member,
        how=how,
        note=payload.note,
    )
    return Status(201, match)


@router.post(
    "/needs/{int:need_id}/close", response={200: NeedOut, **UPDATE_ERRORS}, summary="Close a need"
)
def need_close(request, need_id: int, payload: CloseIn):
    scope = structure_scope(request)
    need = selectors.need_get(scope=scope, pk=need_id)
    if not selectors.manages_region(scope, need.region):
        raise PermissionDenied
    return services.need_close(actor=request.auth, need=need, reason=payload.reason)


@router.get(
    "/resources", response={200: list[ResourceOut], **READ_ERRORS}, summary="List resources"
)
@paginate(Pagination)
def resource_list(request, category: Category | None = None):
    return selectors.resource_list(scope=structure_scope(request), category=category or "")


@router.get(
    "/resources/{int:resource_id}/suggestions",
    response={200: list[SuggestionOut], **DETAIL_ERRORS},
    summary="Open needs a resource could meet",
)
def resource_suggestions(request, resource_id: int):
    resource = selectors.resource_get(scope=structure_scope(request), pk=resource_id)
    return [s.as_dict() for s in selectors.suggestions_for_resource(resource=resource)]


@router.get("/projects", response={200: list[ProjectOut], **READ_ERRORS}, summary="List projects")
@paginate(Pagination)
def project_list(request, status: ProjectStatus | None = None):
    return selectors.project_list(scope=structure_scope(request), status=status or "")


@router.get(
    "/projects/{int:project_id}",
    response={200: ProjectOut, **DETAIL_ERRORS},
    summary="Get a project",
)
def project_detail(request, project_id: int):
    return selectors.project_get(scope=structure_scope(request), pk=project_id)


@router.post(
    "/projects/{int:project_id}/complete",
    response={200: ProjectOut, **UPDATE_ERRORS},
    summary="Complete a project",
)
def project_complete(request, project_id: int, payload: CompleteIn):
    """Complete the project: its needs become done, it appears on the portal and counts as a
    service record of the owning organization's brand. Refused while milestones are open."""
    scope = structure_scope(request)
    project = selectors.project_get(scope=scope, pk=project_id)
    if not selectors.manages_project(scope, project):
        raise PermissionDenied
    return projects.project_complete(
        actor=request.auth, project=project, completed_on=payload.completed_on, hours=payload.hours
    )


@router.get("/figures", response={200: FiguresOut, **READ_ERRORS}, summary="Co-building figures")
def figures(request):
    """Needs by state and category, median days to match and to done, resources used, projects,
    for the areas in your scope."""
    return selectors.figures(scope=structure_scope(request))
