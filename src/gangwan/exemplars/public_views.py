"""The public face of the exemplars (SPEC §10): named bases with their stars and history, and
results on public notice, where anyone may object (rate-limited per network address)."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from gangwan.core import crypto
from gangwan.core.throttle import client_ip

from . import selectors, services
from .forms import ObjectionForm
from .models import BasePhoto

OBJECTIONS_PER_IP_PER_HOUR = 3
HOUR = 3600


def _key(ip: str) -> str:
    return f"exemplars:objection:ip:{crypto.blind_index(ip or '-')}"


def _hit(key: str) -> int:
    """Count one attempt and return the count: the attempt is counted before anything is
    written, so parallel requests cannot all pass a check made before the count."""
    if cache.add(key, 1, HOUR):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, HOUR)
        return 1


def index(request):
    return render(
        request,
        "exemplars/public_index.html",
        {"bases": selectors.public_bases()[:200], "notices": selectors.public_notices()[:50]},
    )


def base(request, pk):
    b = selectors.public_base(pk)
    return render(request, "exemplars/public_base.html", {"base": b})


def photo(request, pk):
    p = get_object_or_404(BasePhoto.objects.select_related("base"), pk=pk)
    if not selectors.public_bases().filter(pk=p.base_id).exists():
        # A candidate's (or a 0-star base's) photos: only for those whose scope holds the base.
        if not request.user.is_authenticated:
            raise Http404
        selectors.base_get(scope=request.scope, pk=p.base_id)
    return FileResponse(p.file.open("rb"), content_type=p.content_type)


@never_cache
def notice(request, pk):
    a = selectors.public_notice(pk)
    form = ObjectionForm(request.POST or None)
    refused = None
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        if _hit(_key(ip)) > OBJECTIONS_PER_IP_PER_HOUR:
            refused = _(
                "Too many objections were sent from your network in the last hour. Please try again later."
            )
        else:
            try:
                services.objection_submit(
                    assessment=a,
                    text=form.cleaned_data["text"],
                    name=form.cleaned_data["name"],
                    source_hash=crypto.blind_index(ip or "-"),
                )
                messages.success(
                    request, _("Your objection is recorded. The answer will be published here.")
                )
                return redirect("exemplars_public:notice", a.pk)
            except ValidationError as exc:
                form.add_error(None, exc)
    return render(
        request,
        "exemplars/public_notice.html",
        {
            "a": a,
            "form": form,
            "refused": refused,
            "objections": selectors.public_objections(assessment=a),
        },
        status=429 if refused else (422 if request.method == "POST" else 200),
    )
