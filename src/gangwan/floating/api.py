"""Floating members in the API (/api/v1/floating): stations, floating members (scoped like the
back office: station staff see their stations' members, administrators their regions', secretaries
their organizations'), counter registration, portal registrations and the days-to-home figures."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import AuthorizationError
from ninja.pagination import paginate

from gangwan.core.schemas import DETAIL_ERRORS, READ_ERRORS, UPDATE_ERRORS, Pagination
from gangwan.units.models import Unit

from . import permissions as perms
from . import rules, selectors, services
from .models import SelfRegistrationStatus
from .schemas import (
    AcceptIn,
    AllFiguresOut,
    CertificateReviewIn,
    FirstActivityIn,
    FloatingFilters,
    FloatingIn,
    FloatingOut,
    RejectIn,
    SelfRegistrationOut,
    StationDetailOut,
    StationOut,
)
from .self_registration import self_registration_accept, self_registration_reject

router = Router(tags=["floating"])


def _scope(request):
    """The caller's scope; 403 for users who have nothing to do with floating members."""
    scope = request.scope
    if not perms.can_see_floating(scope):
        raise AuthorizationError(message=_("Your roles give no access to floating members."))
    return scope


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise AuthorizationError(message=message)


def _placement_and_unit(station, home_id: int | None, unit_id: int | None):
    home = None
    if home_id is not None:
        home = rules.placement_options(station).filter(pk=home_id).first()
        if home is None:
            raise ValidationError(
                {
                    "home_organization": _(
                        "A station places members in a floating members' branch or a regional "
                        "branch of its own street."
                    )
                }
            )
    unit = None
    if unit_id is not None:
        unit = Unit.objects.filter(pk=unit_id, region=station.region).first()
        if unit is None:
            raise ValidationError({"unit": _("Choose a unit in the station's community.")})
    return home, unit


# --- stations ------------------------------------------------------------------------------------
@router.get("/stations", response={200: list[StationOut], **READ_ERRORS}, summary="List stations")
@paginate(Pagination)
def station_list(request, include_inactive: bool = False):
    """Service stations in your scope (open ones, closed ones too with `include_inactive`)."""
    return selectors.station_list(scope=_scope(request), include_inactive=include_inactive)


@router.get(
    "/stations/{int:station_id}",
    response={200: StationDetailOut, **DETAIL_ERRORS},
    summary="Get a station",
)
def station_detail(request, station_id: int):
    """A station with its days-to-home figures, its placement rule's choice and its staff."""
    station = selectors.station_get(scope=_scope(request), pk=station_id)
    return {
        **StationOut.from_orm(station).dict(),
        "figures": selectors.station_figures(station=station),
        "placement_default": rules.placement_default(station),
        "placement_options": list(rules.placement_options(station)),
        "staff": [u.username for u in selectors.station_staff(station=station)],
    }


# --- floating members ----------------------------------------------------------------------------
@router.get(
    "/members", response={200: list[FloatingOut], **READ_ERRORS}, summary="List floating members"
)
@paginate(Pagination)
def floating_list(request, filters: Query[FloatingFilters]):
    """Floating members in your scope, latest arrivals first. ID numbers and phones are masked."""
    scope = _scope(request)
    station = None
    if filters.station is not None:
        station = (
            selectors.station_list(scope=scope, include_inactive=True)
            .filter(pk=filters.station)
            .first()
        )
        if station is None:
            return selectors.floating_list(scope=scope).none()
    return selectors.floating_list(scope=scope, station=station, q=filters.q, home=filters.home)


@router.get(
    "/members/{int:floating_id}",
    response={200: FloatingOut, **DETAIL_ERRORS},
    summary="Get a floating member",
)
def floating_detail(request, floating_id: int):
    return selectors.floating_get(scope=_scope(request), pk=floating_id)


@router.post(
    "/members",
    response={201: FloatingOut, **UPDATE_ERRORS},
    summary="Register a floating member at a station's counter",
)
def floating_register(request, payload: FloatingIn):
    """Register and place an arriving member at a station you run (as its staff, or as the
    administrator of its street or district). The placement rule chooses the organization unless
    `home_organization` names one. Refused (422): invalid or duplicate ID number, invalid phone,
    arrival in the future, a placement or unit outside the station's options."""
    scope = _scope(request)
    station = selectors.station_get(scope=scope, pk=payload.station)
    _require(perms.operates_station(scope, station), _("You do not run this station."))
    home, unit = _placement_and_unit(station, payload.home_organization, payload.unit)
    floating = services.floating_register(
        actor=request.auth,
        station=station,
        name=payload.name,
        id_number=payload.id_number,
        phone=payload.phone,
        status=payload.status,
        joined_on=payload.joined_on,
        origin_organization_name=payload.origin_organization_name,
        origin_region_name=payload.origin_region_name,
        arrived_on=payload.arrived_on,
        left_origin_on=payload.left_origin_on,
        certificate_no=payload.certificate_no,
        skills=payload.skills,
        on_call=payload.on_call,
        on_call_hours=payload.on_call_hours,
        unit=unit,
        home_organization=home,
    )
    return Status(201, selectors.floating_get(scope=scope, pk=floating.pk))


def _followable(request, floating_id: int):
    scope = _scope(request)
    floating = selectors.floating_get(scope=scope, pk=floating_id)
    _require(
        perms.can_follow_up(scope, floating),
        _("Only the station or the home organization records this."),
    )
    return scope, floating


@router.post(
    "/members/{int:floating_id}/first-activity",
    response={200: FloatingOut, **UPDATE_ERRORS},
    summary="Record the first organizational life (home found)",
)
def first_activity(request, floating_id: int, payload: FirstActivityIn):
    scope, floating = _followable(request, floating_id)
    services.floating_record_first_activity(
        actor=request.auth, floating=floating, date=payload.date, what=payload.what
    )
    return selectors.floating_get(scope=scope, pk=floating_id)


@router.post(
    "/members/{int:floating_id}/certificate-review",
    response={200: FloatingOut, **UPDATE_ERRORS},
    summary="Record the yearly review of the activity certificate (R23)",
)
def certificate_review(request, floating_id: int, payload: CertificateReviewIn):
    scope, floating = _followable(request, floating_id)
    services.floating_certificate_review(
        actor=request.auth, floating=floating, reviewed_on=payload.reviewed_on
    )
    return selectors.floating_get(scope=scope, pk=floating_id)


@router.get("/figures", response={200: AllFiguresOut, **READ_ERRORS}, summary="Days to home")
def figures(request):
    """Days from arrival to home in your scope: median and share within 60 days, overall, by
    station and by street."""
    return selectors.floating_figures(scope=_scope(request))


# --- portal registrations ------------------------------------------------------------------------
@router.get(
    "/self-registrations",
    response={200: list[SelfRegistrationOut], **READ_ERRORS},
    summary="List portal registrations",
)
@paginate(Pagination)
def self_registration_list(
    request, status: SelfRegistrationStatus = SelfRegistrationStatus.PENDING
):
    """Registrations from the portal (phone verified) sent to the stations you run."""
    scope = _scope(request)
    _require(perms.can_operate_stations(scope), _("You run no service station."))
    if status == SelfRegistrationStatus.UNVERIFIED:
        raise ValidationError({"status": _("Unverified registrations are not shown.")})
    return selectors.self_registration_list(scope=scope, status=status)


def _registration(request, registration_id: int):
    scope = _scope(request)
    _require(perms.can_operate_stations(scope), _("You run no service station."))
    return selectors.self_registration_get(scope=scope, pk=registration_id)


@router.post(
    "/self-registrations/{int:registration_id}/accept",
    response={201: FloatingOut, **UPDATE_ERRORS},
    summary="Accept a portal registration and place the member",
)
def self_registration_accept_endpoint(request, registration_id: int, payload: AcceptIn):
    registration = _registration(request, registration_id)
    home, unit = _placement_and_unit(registration.station, payload.home_organization, payload.unit)
    floating = self_registration_accept(
        actor=request.auth, registration=registration, home_organization=home, unit=unit
    )
    return Status(201, selectors.floating_get(scope=request.scope, pk=floating.pk))


@router.post(
    "/self-registrations/{int:registration_id}/reject",
    response={200: SelfRegistrationOut, **UPDATE_ERRORS},
    summary="Reject a portal registration with a reason",
)
def self_registration_reject_endpoint(request, registration_id: int, payload: RejectIn):
    registration = _registration(request, registration_id)
    return self_registration_reject(
        actor=request.auth, registration=registration, reason=payload.reason
    )
