"""The portal's face of service brands: public brand pages, and registration for events for
employees with a phone code. Nothing is written until the phone is verified; the pending
registration waits in the session with its phone encrypted. Code requests are limited per
network address and per phone in the shared cache (the portal's limits, portal/services.py)."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from gangwan.core import crypto
from gangwan.core.phone_verification import code_check, code_send
from gangwan.core.throttle import client_ip
from gangwan.portal.forms import CodeForm

from . import selectors, services
from .forms import PublicRegistrationForm
from .models import RegistrationStatus

SESSION_KEY = "brands_pending_registration"
CODES_PER_IP_PER_HOUR = 10
CODES_PER_PHONE_PER_DAY = 5
HOUR, DAY = 3600, 86400


def _hit(key: str, window: int) -> int:
    """Count one attempt and return the count (counted before anything is sent, so parallel
    requests cannot all pass a check made before the count)."""
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def _keys(ip: str, phone: str) -> tuple[str, str]:
    return (
        f"brands:registration:ip:{crypto.blind_index(ip or '-')}",
        f"brands:registration:phone:{crypto.blind_index(phone)}",
    )


def _refusal(ip: str, phone: str) -> str | None:
    """Count this code request against the network and the phone; a refusal once over a limit."""
    ip_key, phone_key = _keys(ip, phone)
    if _hit(ip_key, HOUR) > CODES_PER_IP_PER_HOUR:
        return _(
            "Too many registrations were sent from your network in the last hour. Please try again later."
        )
    if _hit(phone_key, DAY) > CODES_PER_PHONE_PER_DAY:
        return _("This phone number has asked for too many codes today. Please try again tomorrow.")
    return None


def _purpose(event) -> str:
    return f"brands.event:{event.pk}"


def brand_list(request):
    brands = Paginator(selectors.brands_public().order_by("category", "name"), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "brands/public_list.html",
        {"brands": brands, "events": selectors.events_public()[:10]},
    )


def brand_detail(request, pk):
    brand = selectors.brand_public_get(pk)
    return render(
        request,
        "brands/public_detail.html",
        {
            "brand": brand,
            "records": brand.records.select_related("served_unit").order_by("-served_on", "-pk")[
                :10
            ],
            "months": selectors.brand_months(brand=brand, months=12),
            "events": selectors.events_public().filter(brand=brand),
        },
    )


@never_cache
def event_detail(request, pk):
    event = selectors.event_public_get(pk)
    is_open = event.registration_open and event.starts_at > timezone.now()
    form = PublicRegistrationForm(request.POST or None) if is_open else None
    refusal = None
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ip = client_ip(request)
        refusal = _refusal(ip, d["phone"])
        # Whether the phone is registered already is told only after the code is checked
        # (registration_create refuses the duplicate): no anonymous look-up of who registered.
        if refusal is None:
            try:
                code_send(phone=d["phone"], purpose=_purpose(event))
            except ValidationError as exc:
                form.add_error("phone", exc.messages)
            else:
                request.session[SESSION_KEY] = {
                    "event": event.pk,
                    "name": d["name"],
                    "phone": crypto.encrypt(d["phone"]),
                    "employer": d["employer"],
                }
                return redirect("brands_public:verify", event.pk)
    return render(
        request,
        "brands/public_event.html",
        {"event": event, "form": form, "refusal": refusal},
        status=429 if refusal else (422 if request.method == "POST" and form else 200),
    )


@never_cache
def event_verify(request, pk):
    event = selectors.event_public_get(pk)
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("event") != event.pk:
        messages.info(request, _("Please fill in the form first."))
        return redirect("brands_public:event", event.pk)
    phone = crypto.decrypt(pending["phone"])
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            code_check(phone=phone, purpose=_purpose(event), code=form.cleaned_data["code"])
            reg = services.registration_create(
                actor=None,
                event=event,
                name=pending["name"],
                phone=phone,
                employer=pending.get("employer", ""),
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) in ("wrong", "expired", "locked"):
                form.add_error("code", exc.messages)
            else:
                request.session.pop(SESSION_KEY, None)
                messages.error(request, " ".join(exc.messages))
                return redirect("brands_public:event", event.pk)
        else:
            request.session.pop(SESSION_KEY, None)
            request.session["brands_registered"] = reg.pk
            return redirect("brands_public:done", event.pk)
    return render(
        request,
        "brands/public_verify.html",
        {
            "event": event,
            "form": form,
            "phone_masked": crypto.mask_phone(phone),
        },
        status=422 if request.method == "POST" else 200,
    )


def event_done(request, pk):
    event = selectors.event_public_get(pk)
    reg_pk = request.session.get("brands_registered")
    reg = event.registrations.filter(pk=reg_pk).first() if reg_pk else None
    if reg is None:
        return redirect("brands_public:event", event.pk)
    return render(
        request,
        "brands/public_done.html",
        {
            "event": event,
            "registration": reg,
            "confirmed": reg.status == RegistrationStatus.CONFIRMED,
            "position": selectors.waiting_position(reg),
        },
    )
