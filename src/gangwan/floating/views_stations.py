"""Back office of the service stations: the counter registration, the portal registrations waiting
for a station (accept with placement, or reject with a reason), and the stations with their staff."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gangwan.core.audit import history_for
from gangwan.core.viewutils import run_service
from gangwan.regions.models import AREA_LEVELS, Region
from gangwan.units.models import Unit

from . import permissions as perms
from . import rules, selectors, services
from .forms import CounterForm, PlacementForm, RejectForm, StaffForm, StationForm
from .self_registration import self_registration_accept, self_registration_reject
from .views import _nav


def _units_of(station):
    return Unit.objects.filter(region=station.region, is_operating=True).order_by("name")


def _operated_station(request, pk):
    """A station the user may see (else 404) and runs (else 403)."""
    scope = request.scope
    station = selectors.station_get(scope=scope, pk=pk)
    perms.require(perms.operates_station(scope, station))
    return station


# --- the counter ---------------------------------------------------------------------------------
@login_required
def register(request):
    """Counter registration. With one station the user runs, it is that station's; with several,
    `?station=` chooses (a list to choose from otherwise)."""
    scope = request.scope
    perms.require_floating_access(scope)
    perms.require(perms.can_operate_stations(scope))
    station_id = request.GET.get("station") or request.POST.get("station")
    if station_id:
        station = _operated_station(request, int(station_id) if station_id.isdigit() else 0)
    else:
        operated = list(selectors.stations_operated(scope=scope)[:2])
        if len(operated) != 1:
            return render(
                request,
                "floating/station_choose.html",
                {**_nav(request, "register"), "stations": selectors.stations_operated(scope=scope)},
            )
        station = operated[0]
    default = rules.placement_default(station)
    form = CounterForm(
        request.POST or None,
        options=rules.placement_options(station),
        default=default,
        units=_units_of(station),
        initial={"status": "full", "arrived_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        floating, _f = run_service(
            form,
            lambda: services.floating_register(
                actor=request.user,
                station=station,
                name=d["name"],
                id_number=d["id_number"],
                phone=d["phone"],
                status=d["status"],
                joined_on=d["joined_on"],
                origin_organization_name=d["origin_organization_name"],
                origin_region_name=d["origin_region_name"],
                arrived_on=d["arrived_on"],
                left_origin_on=d["left_origin_on"],
                certificate_no=d["certificate_no"],
                skills=d["skills"],
                on_call=d["on_call"],
                on_call_hours=d["on_call_hours"],
                unit=d["unit"],
                home_organization=d["home_organization"],
            ),
        )
        if floating:
            messages.success(
                request,
                _("%(name)s is registered and placed in %(org)s.")
                % {"name": floating.member.name, "org": floating.member.home_organization.name},
            )
            return redirect("floating:detail", pk=floating.pk)
    return render(
        request,
        "floating/register.html",
        {**_nav(request, "register"), "form": form, "station": station, "default": default},
        status=422 if request.method == "POST" else 200,
    )


# --- self-registrations from the portal ----------------------------------------------------------
@login_required
def self_registration_list(request):
    scope = request.scope
    perms.require_floating_access(scope)
    perms.require(perms.can_operate_stations(scope))
    status = request.GET.get("status", "pending")
    if status not in ("pending", "accepted", "rejected"):
        status = "pending"
    rows = selectors.self_registration_list(scope=scope, status=status)[:200]
    return render(
        request,
        "floating/self_registration_list.html",
        {**_nav(request, "self_registrations"), "rows": rows, "status": status},
    )


def _decision_context(request, registration, placement_form=None, reject_form=None) -> dict:
    station = registration.station
    default = rules.placement_default(station)
    return {
        **_nav(request, "self_registrations"),
        "registration": registration,
        "default": default,
        "placement_form": placement_form
        or PlacementForm(
            options=rules.placement_options(station), default=default, units=_units_of(station)
        ),
        "reject_form": reject_form or RejectForm(),
        "history": history_for(registration)[:20],
    }


def _registration(request, pk):
    scope = request.scope
    perms.require_floating_access(scope)
    registration = selectors.self_registration_get(scope=scope, pk=pk)
    perms.require(perms.operates_station(scope, registration.station))
    return registration


@login_required
def self_registration_detail(request, pk):
    registration = _registration(request, pk)
    return render(
        request,
        "floating/self_registration_detail.html",
        _decision_context(request, registration),
    )


@login_required
@require_POST
def self_registration_accept_view(request, pk):
    registration = _registration(request, pk)
    station = registration.station
    form = PlacementForm(
        request.POST,
        options=rules.placement_options(station),
        default=rules.placement_default(station),
        units=_units_of(station),
    )
    if form.is_valid():
        floating, _f = run_service(
            form,
            lambda: self_registration_accept(
                actor=request.user,
                registration=registration,
                home_organization=form.cleaned_data["home_organization"],
                unit=form.cleaned_data["unit"],
            ),
        )
        if floating:
            messages.success(
                request,
                _("%(name)s is registered and placed in %(org)s.")
                % {"name": floating.member.name, "org": floating.member.home_organization.name},
            )
            return redirect("floating:detail", pk=floating.pk)
    registration.refresh_from_db()
    return render(
        request,
        "floating/self_registration_detail.html",
        _decision_context(request, registration, placement_form=form),
        status=422,
    )


@login_required
@require_POST
def self_registration_reject_view(request, pk):
    registration = _registration(request, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        done, _f = run_service(
            form,
            lambda: self_registration_reject(
                actor=request.user, registration=registration, reason=form.cleaned_data["reason"]
            ),
        )
        if done:
            messages.success(
                request, _("The registration of %(name)s is rejected.") % {"name": done.name}
            )
            return redirect("floating:self_registrations")
    registration.refresh_from_db()
    return render(
        request,
        "floating/self_registration_detail.html",
        _decision_context(request, registration, reject_form=form),
        status=422,
    )


# --- stations ------------------------------------------------------------------------------------
@login_required
def station_list(request):
    scope = request.scope
    perms.require_floating_access(scope)
    stations = list(selectors.station_list(scope=scope, include_inactive=True))
    counts = selectors.floating_count_by_station(scope=scope)
    for s in stations:
        s.floating_count = counts.get(s.pk, 0)
    return render(
        request,
        "floating/station_list.html",
        {
            **_nav(request, "stations"),
            "stations": stations,
            "can_create": perms.can_manage_stations(scope),
        },
    )


@login_required
def station_detail(request, pk):
    scope = request.scope
    perms.require_floating_access(scope)
    station = selectors.station_get(scope=scope, pk=pk)
    manages = perms.can_manage_stations(scope) and perms.manages_region(scope, station.region)
    return render(
        request,
        "floating/station_detail.html",
        {
            **_nav(request, "stations"),
            "station": station,
            "figures": selectors.station_figures(station=station),
            "staff": selectors.station_staff(station=station),
            "operates": perms.operates_station(scope, station),
            "manages": manages,
            "staff_form": StaffForm(),
            "default": rules.placement_default(station),
            "within_days": rules.HOME_WITHIN_DAYS,
        },
    )


@login_required
def station_create(request):
    scope = request.scope
    perms.require(perms.can_manage_stations(scope))
    regions = scope.regions(Region.objects.filter(level__in=AREA_LEVELS)).order_by("path")
    form = StationForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        perms.require(perms.manages_region(scope, d["region"]))
        station, _f = run_service(
            form,
            lambda: services.station_create(
                actor=request.user,
                name=d["name"],
                region=d["region"],
                address=d["address"],
                phone=d["phone"],
                opened_on=d["opened_on"],
            ),
        )
        if station:
            messages.success(request, _("The station %(name)s is open.") % {"name": station.name})
            return redirect("floating:station_detail", pk=station.pk)
    return render(
        request, "floating/station_form.html", {**_nav(request, "stations"), "form": form}
    )


@login_required
@require_POST
def station_staff_add(request, pk):
    scope = request.scope
    perms.require_floating_access(scope)
    station = selectors.station_get(scope=scope, pk=pk)
    perms.require(perms.can_manage_stations(scope) and perms.manages_region(scope, station.region))
    form = StaffForm(request.POST)
    if form.is_valid():
        user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            messages.error(request, _("There is no user with this name."))
        else:
            services.station_staff_add(actor=request.user, station=station, user=user)
            messages.success(
                request, _("%(user)s works at this station now.") % {"user": user.username}
            )
    return redirect("floating:station_detail", pk=station.pk)
