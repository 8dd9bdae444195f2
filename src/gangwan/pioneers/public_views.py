"""Public pages of the selections (portal, 375 px first, no account): the selections, the
candidates and their deeds with a link to the vote, results once visible, the notice with an
objection form (rate limited per network and per phone, phone verified), pioneers' profiles."""

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from gangwan.core import crypto
from gangwan.core.rules import rule_value
from gangwan.core.throttle import client_ip
from gangwan.core.viewutils import run_service
from gangwan.portal.forms import CodeForm

from . import polls, selectors, services
from .forms import ObjectionForm
from .models import Objection, Phase

SESSION_KEY = "pioneers_objection"
HOUR, DAY = 3600, 86400


def index(request):
    return render(
        request,
        "pioneers/public/index.html",
        {
            "selections": selectors.public_selections()[:20],
            "pioneers": selectors.public_pioneers()[:60],
        },
    )


def selection(request, pk):
    s = selectors.public_selection(pk)
    summary = polls.summary(selection=s)
    results_visible = s.phase in selectors.RESULT_PHASES or bool(
        summary and summary["results_visible"]
    )
    candidates = list(selectors.public_candidates(selection=s))
    if results_visible and s.phase == Phase.VOTING:
        votes = polls.votes_by_nomination(selection=s)
        for n in candidates:
            n.votes = votes.get(n.pk, 0)
        candidates.sort(key=lambda n: -n.votes)
    return render(
        request,
        "pioneers/public/selection.html",
        {
            "s": s,
            "candidates": candidates,
            "poll_url": polls.public_url(s.poll_id) if s.phase == Phase.VOTING else "",
            "summary": summary if results_visible else None,
            "results_visible": results_visible,
            "pioneers": selectors.public_pioneers(s) if s.phase == Phase.ANNOUNCED else [],
        },
    )


def candidate(request, pk):
    n = selectors.public_candidate(pk)
    return render(
        request,
        "pioneers/public/candidate.html",
        {
            "n": n,
            "s": n.selection,
            "photos": n.photos.all(),
            "poll_url": polls.public_url(n.selection.poll_id)
            if n.selection.phase == Phase.VOTING
            else "",
        },
    )


def pioneer(request, pk):
    p = selectors.public_pioneer(pk)
    return render(
        request,
        "pioneers/public/pioneer.html",
        {"p": p, "n": p.nomination, "learnings": selectors.pioneer_learnings(pioneer=p)},
    )


def photo(request, pk):
    p = selectors.public_photo(pk)
    resp = FileResponse(p.file.open("rb"), content_type=p.content_type)
    resp["Cache-Control"] = "public, max-age=86400"
    return resp


def _keys(ip: str, phone: str) -> tuple[str, str]:
    return (
        f"pioneers:objection:ip:{crypto.blind_index(ip or '-')}",
        f"pioneers:objection:phone:{crypto.blind_index(phone)}",
    )


def _refusal(ip: str, phone: str, region) -> str | None:
    ip_key, phone_key = _keys(ip, phone)
    counts = cache.get_many([ip_key, phone_key])
    if counts.get(ip_key, 0) >= int(rule_value("pioneers.objections_per_ip_per_hour", region)):
        return _(
            "Too many objections were sent from your network in the last hour. Please try again later."
        )
    if counts.get(phone_key, 0) >= int(rule_value("pioneers.objections_per_phone_per_day", region)):
        return _("This phone number has sent too many objections today. Please try again tomorrow.")
    return None


def _count(key: str, window: int) -> None:
    if cache.add(key, 1, window):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)


@never_cache
def notice(request, pk):
    s = selectors.public_selection(pk)
    proposed = selectors.public_proposed(selection=s)
    form = (
        ObjectionForm(request.POST or None, proposed=proposed)
        if s.phase == Phase.ON_NOTICE
        else None
    )
    refusal = None
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(request, _("The public notice is not open."))
            return redirect("pioneers_public:notice", pk=s.pk)
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            ip = client_ip(request)
            refusal = _refusal(ip, d["phone"], s.region)
            if refusal:
                status = 429
            else:
                obj, _f = run_service(
                    form,
                    lambda: services.objection_submit(
                        selection=s,
                        nomination=d["nomination"],
                        text=d["text"],
                        phone=d["phone"],
                        name=d["name"],
                    ),
                )
                if obj:
                    ip_key, phone_key = _keys(ip, d["phone"])
                    _count(ip_key, HOUR)
                    _count(phone_key, DAY)
                    request.session[SESSION_KEY] = obj.pk
                    return redirect("pioneers_public:objection_verify")
    return render(
        request,
        "pioneers/public/notice.html",
        {
            "s": s,
            "proposed": proposed,
            "form": form,
            "refusal": refusal,
            "answered": selectors.public_objections(selection=s),
        },
        status=status,
    )


@never_cache
def objection_verify(request):
    pk = request.session.get(SESSION_KEY)
    obj = (
        Objection.objects.filter(pk=pk, verified_at__isnull=True)
        .select_related("selection", "nomination__nominee")
        .first()
        if pk
        else None
    )
    if obj is None:
        messages.info(request, _("Please fill in the objection first."))
        return redirect("pioneers_public:index")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_verify(objection=obj, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.messages)
        else:
            request.session.pop(SESSION_KEY, None)
            request.session["pioneers_objection_thanks"] = obj.selection_id
            return redirect("pioneers_public:objection_thanks")
    return render(
        request,
        "pioneers/public/verify.html",
        {"o": obj, "form": form},
        status=422 if request.method == "POST" else 200,
    )


def objection_thanks(request):
    pk = request.session.pop("pioneers_objection_thanks", None)
    if pk is None:
        return redirect("pioneers_public:index")
    return render(request, "pioneers/public/thanks.html", {"s": selectors.public_selection(pk)})
