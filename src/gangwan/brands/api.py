"""Service brands in the API (/api/v1/brands): brands with their figures, service records,
enterprise problems (with their transitions), events with registrations, and coverage (R47) by
street and community. Cut to the caller's scope like the back office: outside it → 404;
changing needs administration of the brand's organization (403)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from gangwan.core.api_auth import structure_scope
from gangwan.core.permissions import administers_organization, require
from gangwan.core.schemas import DETAIL_ERRORS, READ_ERRORS, UPDATE_ERRORS, Pagination
from gangwan.core.tree import subtree_q
from gangwan.members.models import Member
from gangwan.organizations import selectors as org_selectors
from gangwan.organizations.schemas import OrganizationRef
from gangwan.regions.selectors import region_get, region_roots
from gangwan.units.schemas import UnitRef

from . import selectors, services
from .forms import area_units
from .models import BrandCategory, ProblemStatus, RegistrationStatus

router = Router(tags=["brands"])


# --- schemas ---------------------------------------------------------------------------------
class BrandOut(Schema):
    id: int
    name: str
    category: str
    organization: OrganizationRef
    description: str
    started_on: dt.date
    ended_on: dt.date | None
    is_public: bool
    record_count: int = Field(0, description="Service records of the brand.")
    hours_total: float = 0
    units_served: int = Field(0, description="Distinct units served.")

    @staticmethod
    def resolve_record_count(obj):
        return obj.record_count or 0

    @staticmethod
    def resolve_hours_total(obj):
        return float(obj.hours_total or 0)

    @staticmethod
    def resolve_units_served(obj):
        return obj.units_served or 0


class MonthOut(Schema):
    month: str
    records: int
    hours: float
    units: int


class BrandDetailOut(BrandOut):
    months: list[MonthOut]


class BrandFilters(Schema):
    category: BrandCategory | None = None
    q: str = ""


class RecordOut(Schema):
    id: int
    brand_id: int
    served_on: dt.date
    title: str
    summary: str
    served_unit: UnitRef | None
    served_text: str
    hours: float
    outcome: str
    feedback: str
    member_ids: list[int]
    source_ref: str | None

    @staticmethod
    def resolve_member_ids(obj):
        return [m.pk for m in obj.members.all()]


class RecordIn(Schema):
    served_on: dt.date
    title: str = Field(..., min_length=1, max_length=200)
    summary: str = ""
    served_unit_id: int | None = None
    served_text: str = Field("", max_length=200)
    member_ids: list[int] = []
    hours: Decimal = Field(Decimal(0), ge=0, max_digits=7, decimal_places=1)
    outcome: str = ""
    feedback: str = ""


class ProblemOut(Schema):
    id: int
    brand_id: int
    unit: UnitRef
    category: str
    text: str
    status: str
    reported_on: dt.date
    handler: str
    taken_on: dt.date | None
    closed_on: dt.date | None
    days_to_close: int | None
    resolution: str
    referred_to: str
    record_id: int | None


class ProblemFilters(Schema):
    status: ProblemStatus | None = None
    brand: int | None = None


class ProblemIn(Schema):
    brand_id: int
    unit_id: int
    category: str
    text: str = Field(..., min_length=1, max_length=4000)
    reported_on: dt.date


class TransitionIn(Schema):
    action: Literal["take", "solve", "refer"]
    on: dt.date | None = None
    handler: str = Field("", max_length=100)
    resolution: str = Field("", max_length=4000)
    referred_to: str = Field("", max_length=150)
    hours: Decimal | None = Field(None, ge=0, max_digits=7, decimal_places=1)


class EventOut(Schema):
    id: int
    title: str
    organization: OrganizationRef
    brand_id: int | None
    host_unit: UnitRef | None
    starts_at: dt.datetime
    place: str
    capacity: int
    registration_open: bool
    is_public: bool
    confirmed: int
    waiting: int
    attended_count: int


class RegistrationOut(Schema):
    id: int
    name: str
    phone_masked: str
    employer: str
    status: str
    attended: bool
    created_at: dt.datetime


class RegistrationIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    phone: str
    employer: str = Field("", max_length=150)


class RegistrationChangeIn(Schema):
    action: Literal["cancel", "attend", "absent"]


class CoverageRowOut(Schema):
    region_id: int
    name: str
    total: int
    covered: int
    own: int
    union: int
    organization_coverage: float | None
    own_organization_rate: float | None
    union_coverage: float | None
    work_coverage: float | None


class CoverageOut(Schema):
    region_id: int | None
    total: int
    covered: int
    own: int
    union: int
    organization_coverage: float | None
    own_organization_rate: float | None
    union_coverage: float | None
    work_coverage: float | None
    rows: list[CoverageRowOut]


class CoverageFilters(Schema):
    region: int | None = Field(None, description="A street or community; default your top region.")


class CoverageUnitFilters(CoverageFilters):
    show: Literal["uncovered", "covered", "union", "no_union"] = "uncovered"


class CoverageUnitOut(Schema):
    id: int
    name: str
    kind: str
    region_id: int
    employees: int
    has_union: bool
    is_covered: bool
    has_own: bool


# --- brands ----------------------------------------------------------------------------------
def _brand_for_change(scope, pk):
    brand = selectors.brand_get(scope=scope, pk=pk)
    require(administers_organization(scope, brand.organization))
    return brand


@router.get("", response={200: list[BrandOut], **READ_ERRORS}, summary="List service brands")
@paginate(Pagination)
def brand_list(request, filters: Query[BrandFilters]):
    """Service brands in your scope with their figures (records, hours, units served)."""
    return selectors.brand_list(
        scope=structure_scope(request), category=str(filters.category or ""), q=filters.q
    ).order_by("name", "pk")


@router.get(
    "/{int:brand_id}", response={200: BrandDetailOut, **DETAIL_ERRORS}, summary="Get a brand"
)
def brand_detail(request, brand_id: int):
    """A brand with its figures for each of the last 12 months."""
    brand = selectors.brand_get(scope=structure_scope(request), pk=brand_id)
    brand.months = selectors.brand_months(brand=brand)
    return brand


@router.get(
    "/{int:brand_id}/records",
    response={200: list[RecordOut], **DETAIL_ERRORS},
    summary="List a brand's service records",
)
@paginate(Pagination)
def record_list(request, brand_id: int):
    scope = structure_scope(request)
    brand = selectors.brand_get(scope=scope, pk=brand_id)
    return selectors.record_list(scope=scope, brand=brand).order_by("-served_on", "-pk")


@router.post(
    "/{int:brand_id}/records",
    response={201: RecordOut, **UPDATE_ERRORS},
    summary="Add a service record",
)
def record_create(request, brand_id: int, payload: RecordIn):
    """Record one service; the served unit and members must be in your scope (422 otherwise)."""
    scope = structure_scope(request)
    brand = _brand_for_change(scope, brand_id)
    unit = None
    if payload.served_unit_id is not None:
        unit = get_object_or_404(area_units(brand), pk=payload.served_unit_id)
    # The same choice as the web form: members of the brand organization's subtree, in scope.
    members = list(
        scope.members(
            Member.objects.filter(
                subtree_q([brand.organization.path], "organization__path"),
                pk__in=payload.member_ids,
            )
        )
    )
    if len(members) != len(set(payload.member_ids)):
        raise ValidationError(
            "Some members are not in your scope or not of the brand's organization."
        )
    record = services.record_create(
        actor=request.auth,
        brand=brand,
        served_on=payload.served_on,
        title=payload.title,
        summary=payload.summary,
        served_unit=unit,
        served_text=payload.served_text,
        members=members,
        hours=payload.hours,
        outcome=payload.outcome,
        feedback=payload.feedback,
    )
    return Status(201, record)


# --- enterprise problems ---------------------------------------------------------------------
@router.get(
    "/problems", response={200: list[ProblemOut], **READ_ERRORS}, summary="List enterprise problems"
)
@paginate(Pagination)
def problem_list(request, filters: Query[ProblemFilters]):
    scope = structure_scope(request)
    brand = selectors.brand_get(scope=scope, pk=filters.brand) if filters.brand else None
    return selectors.problem_list(scope=scope, status=str(filters.status or ""), brand=brand)


@router.post(
    "/problems", response={201: ProblemOut, **UPDATE_ERRORS}, summary="Record an enterprise problem"
)
def problem_report(request, payload: ProblemIn):
    scope = structure_scope(request)
    brand = _brand_for_change(scope, payload.brand_id)
    unit = get_object_or_404(area_units(brand, enterprises_only=True), pk=payload.unit_id)
    problem = services.problem_report(
        actor=request.auth,
        brand=brand,
        unit=unit,
        category=payload.category,
        text=payload.text,
        reported_on=payload.reported_on,
    )
    return Status(201, problem)


@router.get(
    "/problems/{int:problem_id}",
    response={200: ProblemOut, **DETAIL_ERRORS},
    summary="Get an enterprise problem",
)
def problem_detail(request, problem_id: int):
    return selectors.problem_get(scope=structure_scope(request), pk=problem_id)


@router.post(
    "/problems/{int:problem_id}/transition",
    response={200: ProblemOut, **UPDATE_ERRORS},
    summary="Move an enterprise problem on",
)
def problem_transition(request, problem_id: int, payload: TransitionIn):
    """open → in hand (`take`) → solved (`solve`, needs a resolution) | referred (`refer`, needs
    where to); closing creates the advisory group's service record. 422 on a transition the
    state does not allow."""
    scope = structure_scope(request)
    problem = selectors.problem_get(scope=scope, pk=problem_id)
    require(administers_organization(scope, problem.brand.organization))
    return services.problem_transition(actor=request.auth, problem=problem, **payload.dict())


# --- events ----------------------------------------------------------------------------------
@router.get(
    "/events", response={200: list[EventOut], **READ_ERRORS}, summary="List events for employees"
)
@paginate(Pagination)
def event_list(request):
    return selectors.event_list(scope=structure_scope(request))


@router.get(
    "/events/{int:event_id}", response={200: EventOut, **DETAIL_ERRORS}, summary="Get an event"
)
def event_detail(request, event_id: int):
    return selectors.event_get(scope=structure_scope(request), pk=event_id)


@router.get(
    "/events/{int:event_id}/registrations",
    response={200: list[RegistrationOut], **DETAIL_ERRORS},
    summary="List an event's registrations",
)
@paginate(Pagination)
def registration_list(request, event_id: int, status: RegistrationStatus | None = None):
    """Registrations in order of arrival (phones masked); `status=waiting` is the waiting list."""
    event = selectors.event_get(scope=structure_scope(request), pk=event_id)
    return selectors.registrations_of(event=event, status=str(status or ""))


@router.post(
    "/events/{int:event_id}/registrations",
    response={201: RegistrationOut, **UPDATE_ERRORS},
    summary="Register someone for an event",
)
def registration_create(request, event_id: int, payload: RegistrationIn):
    """Confirmed while places are left, else on the waiting list; one per phone (422)."""
    scope = structure_scope(request)
    event = selectors.event_get(scope=scope, pk=event_id)
    require(administers_organization(scope, event.organization))
    return Status(
        201, services.registration_create(actor=request.auth, event=event, **payload.dict())
    )


@router.post(
    "/registrations/{int:registration_id}",
    response={200: RegistrationOut, **UPDATE_ERRORS},
    summary="Cancel a registration or record attendance",
)
def registration_change(request, registration_id: int, payload: RegistrationChangeIn):
    """`cancel` frees the place for the first on the waiting list; `attend`/`absent` record
    attendance of a confirmed registration."""
    scope = structure_scope(request)
    reg = selectors.registration_get(scope=scope, pk=registration_id)
    require(administers_organization(scope, reg.event.organization))
    if payload.action == "cancel":
        services.registration_cancel(actor=request.auth, registration=reg)
    else:
        services.registration_attend(
            actor=request.auth, registration=reg, attended=payload.action == "attend"
        )
    reg.refresh_from_db()
    return reg


# --- coverage (R47) --------------------------------------------------------------------------
def _coverage_region(scope, region_id):
    if region_id is not None:
        return region_get(scope=scope, pk=region_id)
    return region_roots(scope=scope).first()


@router.get("/coverage", response={200: CoverageOut, **DETAIL_ERRORS}, summary="Coverage (R47)")
def coverage(request, filters: Query[CoverageFilters]):
    """Organization coverage, own-organization rate, union and work coverage of operating non-public
    enterprises in a region, with the same figures for each street (or community) below it."""
    scope = structure_scope(request)
    region = _coverage_region(scope, filters.region)
    figures = org_selectors.coverage(scope=scope, region=region)
    rows = org_selectors.coverage_by_child_region(scope=scope, region=region) if region else []
    return {**figures, "region_id": region.pk if region else None, "rows": rows}


@router.get(
    "/coverage/units",
    response={200: list[CoverageUnitOut], **DETAIL_ERRORS},
    summary="The enterprises behind the coverage figures",
)
@paginate(Pagination)
def coverage_units(request, filters: Query[CoverageUnitFilters]):
    """Which enterprises lack an organization (`uncovered`), are covered, have a union or not."""
    scope = structure_scope(request)
    region = _coverage_region(scope, filters.region)
    units = org_selectors.coverage_units(scope=scope, region=region)
    return {
        "uncovered": units.filter(is_covered=False),
        "covered": units.filter(is_covered=True),
        "union": units.filter(has_union=True),
        "no_union": units.filter(has_union=False),
    }[filters.show].order_by("region__path", "name", "pk")
