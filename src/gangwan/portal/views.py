"""The public portal (SPEC §10), mobile first, no account: the landing page and "find a home",
the floating members' self-registration with a phone code. CSRF protection stays on."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gangwan.core.throttle import client_ip
from gangwan.core.viewutils import run_service
from gangwan.floating.models import SelfRegistration, SelfRegistrationStatus
from gangwan.floating.selectors import stations_public
from gangwan.floating.self_registration import (
    self_registration_code_resend,
    self_registration_drop,
    self_registration_purge_unverified,
    self_registration_submit,
    self_registration_verify,
)

from . import services
from .forms import CodeForm, FindAHomeForm

SESSION_KEY = "portal_self_registration"


def landing(request):
    stations = list(stations_public())
    streets: dict[str, list] = {}
    for s in stations:
        streets.setdefault(s.region.parent.name if s.region.parent_id else "", []).append(s)
    return render(request, "portal/landing.html", {"streets": streets})


@never_cache
def find_a_home(request):
    stations = stations_public()
    initial = {"status": "full", "arrived_on": timezone.localdate()}
    if request.GET.get("station", "").isdigit():
        initial["station"] = request.GET["station"]
    form = FindAHomeForm(request.POST or None, stations=stations, initial=initial)
    refusal = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ip = client_ip(request)
        refusal = services.submission_refusal(ip=ip, phone=d["phone"])
        if refusal is None:
            self_registration_purge_unverified()
            registration, _f = run_service(
                form,
                lambda: self_registration_submit(
                    station=d["station"],
                    name=d["name"],
                    id_number=d["id_number"],
                    phone=d["phone"],
                    member_status=d["status"],
                    joined_on=d["joined_on"],
                    origin_organization_name=d["origin_organization_name"],
                    origin_region_name=d["origin_region_name"],
                    arrived_on=d["arrived_on"],
                    left_origin_on=d["left_origin_on"],
                    certificate_no=d["certificate_no"],
                    skills=d["skills"],
                    on_call=d["on_call"],
                    on_call_hours=d["on_call_hours"],
                ),
            )
            if registration:
                services.submission_record(ip=ip, phone=d["phone"])
                request.session[SESSION_KEY] = registration.pk
                return redirect("portal:verify")
    return render(
        request,
        "portal/find_a_home.html",
        {"form": form, "refusal": refusal},
        status=429 if refusal else (422 if request.method == "POST" else 200),
    )


def _pending_verification(request) -> SelfRegistration | None:
    pk = request.session.get(SESSION_KEY)
    if not pk:
        return None
    return (
        SelfRegistration.objects.filter(pk=pk, status=SelfRegistrationStatus.UNVERIFIED)
        .select_related("station", "station__region")
        .first()
    )


@never_cache
def verify(request):
    registration = _pending_verification(request)
    if registration is None:
        messages.info(request, _("Please fill in the form first."))
        return redirect("portal:find_a_home")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            self_registration_verify(registration=registration, code=form.cleaned_data["code"])
        except ValidationError as exc:
            code = getattr(exc, "code", None)
            if code == "duplicate":
                request.session.pop(SESSION_KEY, None)
                messages.error(request, " ".join(exc.messages))
                return redirect("portal:find_a_home")
            form.add_error("code", exc.messages)
            if code == "wrong" and (
                services.wrong_code_record(registration_id=registration.pk)
                >= services.WRONG_CODES_PER_SUBMISSION
            ):
                self_registration_drop(
                    registration=registration, reason="too many wrong verification codes"
                )
                request.session.pop(SESSION_KEY, None)
                messages.error(
                    request, _("Too many wrong codes. Please fill in the form again later.")
                )
                return redirect("portal:find_a_home")
        else:
            request.session.pop(SESSION_KEY, None)
            request.session["portal_thanks_station"] = registration.station.name
            return redirect("portal:thanks")
    return render(
        request,
        "portal/verify.html",
        {"form": form, "registration": registration},
        status=422 if request.method == "POST" else 200,
    )


@require_POST
def resend(request):
    registration = _pending_verification(request)
    if registration is None:
        return redirect("portal:find_a_home")
    try:
        self_registration_code_resend(registration=registration)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("A new code is on its way."))
    return redirect("portal:verify")


def thanks(request):
    station = request.session.pop("portal_thanks_station", None)
    if station is None:
        return redirect("portal:landing")
    return render(request, "portal/thanks.html", {"station": station})
