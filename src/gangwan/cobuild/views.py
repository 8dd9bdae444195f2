"""Back office: the needs and resources lists, matching with reasons, claims, exchanges, exports.
Every view needs structure access and reads through the scope-cutting selectors (404 outside)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from gangwan.core.exports import xlsx_response
from gangwan.core.permissions import require, require_structure_access
from gangwan.core.viewutils import querystring_without_page, run_service
from gangwan.members.models import Member
from gangwan.organizations.models import Organization
from gangwan.units.models import Unit

from . import selectors, services
from .forms import (
    ClaimForm,
    CloseForm,
    ExchangeForm,
    ModerateForm,
    NeedFilterForm,
    NeedForm,
    ResourceFilterForm,
    ResourceForm,
)
from .models import MatchHow, Moderation, NeedPhoto, NeedState, Resource

EXPORT_LIMIT = 20000
FEATURES = {
    "category": gettext_lazy("category fit"),
    "distance": gettext_lazy("distance"),
    "text": gettext_lazy("text similarity"),
    "skills": gettext_lazy("skills"),
    "availability": gettext_lazy("availability"),
    "success": gettext_lazy("past success"),
}


def _needs(request):
    form = NeedFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    qs = selectors.need_list(
        scope=request.scope,
        state=f.get("state", ""),
        category=f.get("category", ""),
        moderation=f.get("moderation", ""),
        q=f.get("q", ""),
    )
    return form, qs


@login_required
def need_list(request):
    require_structure_access(request.scope)
    form, qs = _needs(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cobuild/need_list.html",
        {"form": form, "page": page, "querystring": querystring_without_page(request)},
    )


@login_required
def need_export(request):
    require_structure_access(request.scope)
    _form, qs = _needs(request)
    rows = (
        (
            n.posted_at,
            n.region.parent.name if n.region.parent_id else "",
            n.region.name,
            n.get_category_display(),
            n.title,
            n.text,
            n.get_urgency_display(),
            n.get_poster_kind_display(),
            n.poster_name,
            n.phone_masked,
            n.get_state_display(),
            n.get_moderation_display(),
            n.matched_at,
            n.done_at,
            n.closed_reason,
        )
        for n in qs[:EXPORT_LIMIT]
    )
    return xlsx_response(
        filename=f"needs-{timezone.localdate():%Y%m%d}.xlsx",
        sheet=_("Needs list"),
        headers=[
            _("posted at"),
            _("street"),
            _("area"),
            _("category"),
            _("title"),
            _("description"),
            _("urgency"),
            _("posted by"),
            _("poster's name"),
            _("phone"),
            _("state"),
            _("moderation"),
            _("matched at"),
            _("done at"),
            _("reason for closing"),
        ],
        rows=rows,
        widths=[18, 12, 14, 14, 30, 50, 8, 10, 20, 14, 10, 12, 18, 18, 20],
    )


def _reasons(scored):
    return [
        {
            "label": FEATURES[r.key],
            "value": round(r.value * 100),
            "detail": r.detail if r.key in ("text", "skills") else "",
        }
        for r in scored.reasons
        if r.value > 0
    ]


@login_required
def need_detail(request, pk):
    require_structure_access(request.scope)
    need = selectors.need_get(scope=request.scope, pk=pk, published_anywhere=True)
    can_manage = selectors.manages_region(request.scope, need.region)
    suggestions = {"resources": [], "members": []}
    if need.is_public and need.state in (NeedState.OPEN, NeedState.MATCHED):
        found = selectors.suggestions_for_need(need=need)
        mine = set(
            selectors.resource_list(scope=request.scope)
            .filter(pk__in=[s.candidate.id for s in found["resources"]])
            .values_list("pk", flat=True)
        )
        suggestions = {
            "resources": [
                {
                    "s": s,
                    "reasons": _reasons(s),
                    "can_claim": s.candidate.id in mine or can_manage,
                    "dispatch": s.candidate.id not in mine,
                }
                for s in found["resources"]
            ],
            "members": [{"s": s, "reasons": _reasons(s)} for s in found["members"]],
        }
    return render(
        request,
        "cobuild/need_detail.html",
        {
            "need": need,
            "photos": need.photos.all(),
            "matches": selectors.need_matches(need=need),
            "projects": need.projects.all(),
            "suggestions": suggestions,
            "can_manage": can_manage,
            "moderate_form": ModerateForm(),
            "close_form": CloseForm(),
            "can_close": can_manage and need.state not in (NeedState.DONE, NeedState.CLOSED),
            "can_moderate": can_manage and need.moderation in (Moderation.PENDING, Moderation.HELD),
        },
    )


@login_required
def need_create(request):
    require_structure_access(request.scope)
    areas = selectors.areas(request.scope)
    form = NeedForm(request.POST or None, request.FILES or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        need, _f = run_service(
            form,
            lambda: services.need_post(
                actor=request.user,
                title=d["title"],
                text=d["text"],
                category=d["category"],
                region=d["region"],
                urgency=d["urgency"],
                poster_kind=d["poster_kind"],
                poster_name=d["poster_name"],
                phone=d["phone"],
                photos=d["photos"],
            ),
        )
        if need:
            messages.success(request, _("The need is published."))
            return redirect("cobuild:need", pk=need.pk)
    return render(request, "cobuild/form.html", {"form": form, "title": _("Post a need")})


@require_POST
@login_required
def need_moderate(request, pk):
    require_structure_access(request.scope)
    need = selectors.need_get(scope=request.scope, pk=pk)
    require(selectors.manages_region(request.scope, need.region))
    form = ModerateForm(request.POST)
    if form.is_valid():
        _r, _f = run_service(
            form,
            lambda: services.need_moderate(
                actor=request.user,
                need=need,
                approve=form.cleaned_data["approve"],
                note=form.cleaned_data["note"],
            ),
        )
    for e in form.errors.values():
        messages.error(request, " ".join(e))
    return redirect("cobuild:need", pk=pk)


@require_POST
@login_required
def need_claim(request, pk):
    """Claim a need with a resource the user keeps, or dispatch an on-call member to it."""
    require_structure_access(request.scope)
    need = selectors.need_get(scope=request.scope, pk=pk, published_anywhere=True)
    form = ClaimForm(request.POST)
    resource = member = None
    if form.is_valid():
        d = form.cleaned_data
        keeps_area = selectors.manages_region(request.scope, need.region)
        how = MatchHow.DISPATCH
        if d.get("resource"):
            # The holder claims with its own resource; the need's branch may dispatch any.
            resource = selectors.resource_list(scope=request.scope).filter(pk=d["resource"]).first()
            if resource is not None:
                how = MatchHow.CLAIM
            elif keeps_area:
                resource = get_object_or_404(Resource, pk=d["resource"], is_active=True)
            else:
                raise Http404
        elif d.get("member"):
            require(keeps_area)
            member = get_object_or_404(Member, pk=d["member"], on_call=True)
        else:
            raise Http404
        m, _f = run_service(
            form,
            lambda: services.need_claim(
                actor=request.user,
                need=need,
                resource=resource,
                member=member,
                how=how,
                note=d["note"],
            ),
        )
        if m:
            messages.success(request, _("The need is claimed."))
    for e in form.errors.values():
        messages.error(request, " ".join(e))
    return redirect("cobuild:need", pk=pk)


@require_POST
@login_required
def need_close(request, pk):
    require_structure_access(request.scope)
    need = selectors.need_get(scope=request.scope, pk=pk)
    require(selectors.manages_region(request.scope, need.region))
    form = CloseForm(request.POST)
    if form.is_valid():
        run_service(
            form,
            lambda: services.need_close(
                actor=request.user, need=need, reason=form.cleaned_data["reason"]
            ),
        )
    for e in form.errors.values():
        messages.error(request, " ".join(e))
    return redirect("cobuild:need", pk=pk)


@login_required
def need_photo(request, pk):
    require_structure_access(request.scope)
    photo = get_object_or_404(NeedPhoto, pk=pk)
    selectors.need_get(scope=request.scope, pk=photo.need_id)
    return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


# --- resources ---------------------------------------------------------------------------------
def _resources(request):
    form = ResourceFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    qs = selectors.resource_list(
        scope=request.scope,
        category=f.get("category", ""),
        kind=f.get("kind", ""),
        q=f.get("q", ""),
    )
    return form, qs


@login_required
def resource_list(request):
    require_structure_access(request.scope)
    form, qs = _resources(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cobuild/resource_list.html",
        {"form": form, "page": page, "querystring": querystring_without_page(request)},
    )


@login_required
def resource_export(request):
    require_structure_access(request.scope)
    _form, qs = _resources(request)
    rows = (
        (
            r.created_at,
            r.region.name,
            r.get_category_display(),
            r.get_kind_display(),
            r.title,
            r.text,
            r.capacity,
            r.skills,
            r.get_holder_kind_display(),
            r.holder_name,
            r.available_until,
        )
        for r in qs[:EXPORT_LIMIT]
    )
    return xlsx_response(
        filename=f"resources-{timezone.localdate():%Y%m%d}.xlsx",
        sheet=_("Resources list"),
        headers=[
            _("created at"),
            _("area"),
            _("category"),
            pgettext("resource", "kind"),
            _("title"),
            _("description"),
            _("capacity"),
            _("skills and keywords"),
            pgettext("resource", "offered by"),
            pgettext("resource", "holder"),
            _("available until"),
        ],
        rows=rows,
        widths=[18, 14, 14, 10, 30, 50, 16, 20, 10, 24, 12],
    )


def _resource_form(request, data=None):
    scope = request.scope
    return ResourceForm(
        data,
        areas=selectors.areas(scope),
        units=scope.units(Unit.objects.filter(kind__endswith="enterprise")).order_by("name"),
        organizations=scope.organizations(
            Organization.objects.filter(dissolved_on__isnull=True)
        ).order_by("path"),
        members=scope.members(Member.objects.filter(archived_on__isnull=True)).order_by("name"),
    )


@login_required
def resource_create(request):
    require_structure_access(request.scope)
    form = _resource_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        r, _f = run_service(
            form,
            lambda: services.resource_offer(actor=request.user, **d),
        )
        if r:
            messages.success(request, _("The resource is on the list."))
            return redirect("cobuild:resource", pk=r.pk)
    return render(request, "cobuild/form.html", {"form": form, "title": _("Offer a resource")})


@login_required
def resource_detail(request, pk):
    require_structure_access(request.scope)
    resource = selectors.resource_get(scope=request.scope, pk=pk)
    found = selectors.suggestions_for_resource(resource=resource) if resource.is_active else []
    return render(
        request,
        "cobuild/resource_detail.html",
        {
            "resource": resource,
            "matches": resource.matches.select_related("need", "need__region"),
            "suggestions": [{"s": s, "reasons": _reasons(s)} for s in found],
        },
    )


@require_POST
@login_required
def resource_withdraw(request, pk):
    require_structure_access(request.scope)
    resource = selectors.resource_get(scope=request.scope, pk=pk)
    services.resource_withdraw(
        actor=request.user, resource=resource, reason=request.POST.get("reason", "")
    )
    messages.success(request, _("The resource is withdrawn."))
    return redirect("cobuild:resource", pk=pk)


@login_required
def exchange_create(request):
    """Record a two-way exchange: each side's need met by the other side's resource."""
    require_structure_access(request.scope)
    needs = selectors.need_list(scope=request.scope, moderation=Moderation.APPROVED).filter(
        state__in=[NeedState.OPEN, NeedState.MATCHED]
    )
    form = ExchangeForm(
        request.POST or None,
        needs=needs,
        resources=selectors.resource_list(scope=request.scope),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ex, _f = run_service(
            form,
            lambda: services.exchange_record(
                actor=request.user,
                title=d["title"],
                note=d["note"],
                pairs=[
                    (d["first_need"], d["first_resource"]),
                    (d["second_need"], d["second_resource"]),
                ],
            ),
        )
        if ex:
            messages.success(request, _("The exchange is recorded."))
            return redirect("cobuild:need", pk=d["first_need"].pk)
    return render(
        request, "cobuild/form.html", {"form": form, "title": _("Record a two-way exchange")}
    )
