from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gangwan.core.audit import history_for
from gangwan.core.permissions import administers_region, require, require_structure_access
from gangwan.core.viewutils import querystring_without_page, run_service
from gangwan.regions.models import Region
from gangwan.regions.selectors import region_get, region_list

from . import selectors, services
from .forms import UnitFilterForm, UnitForm

FIELDS = (
    "name",
    "kind",
    "credit_code",
    "region",
    "address",
    "employees",
    "has_union",
    "union_founded_on",
    "instructor_name",
    "is_operating",
)


def _administered_regions(scope):
    visible = region_list(scope=scope)
    if scope.everything:
        return visible
    return Region.objects.filter(
        pk__in=[r.pk for r in visible if administers_region(scope, r)]
    ).order_by("path")


@login_required
def unit_list(request):
    require_structure_access(request.scope)
    form = UnitFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    region = (
        region_get(scope=request.scope, pk=request.GET["region"])
        if request.GET.get("region", "").isdigit()
        else None
    )
    qs = selectors.unit_list(
        scope=request.scope, q=filters.get("q", ""), kind=filters.get("kind", ""), region=region
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "units/unit_list.html",
        {
            "form": form,
            "page": page,
            "region": region,
            "querystring": querystring_without_page(request),
            "can_create": bool(request.scope.region_paths) or request.scope.everything,
        },
    )


@login_required
def unit_detail(request, pk):
    require_structure_access(request.scope)
    unit = selectors.unit_get(scope=request.scope, pk=pk)
    from gangwan.organizations.selectors import organizations_of_unit

    return render(
        request,
        "units/unit_detail.html",
        {
            "unit": unit,
            "organizations": organizations_of_unit(scope=request.scope, unit=unit),
            "can_edit": administers_region(request.scope, unit.region),
            "history": history_for(unit)[:20],
        },
    )


@login_required
def unit_create(request):
    require_structure_access(request.scope)
    regions = _administered_regions(request.scope)
    require(regions.exists())
    initial = {"is_operating": True, "employees": 0}
    if request.GET.get("region", "").isdigit():
        initial["region"] = request.GET["region"]
    form = UnitForm(request.POST or None, regions=regions, initial=initial)
    if request.method == "POST" and form.is_valid():
        unit, _f = run_service(
            form,
            lambda: services.unit_create(
                actor=request.user, **{k: form.cleaned_data[k] for k in FIELDS}
            ),
        )
        if unit:
            messages.success(
                request, _("The unit %(name)s has been registered.") % {"name": unit.name}
            )
            return redirect("units:detail", pk=unit.pk)
    return render(request, "units/unit_form.html", {"form": form, "title": _("Register a unit")})


@login_required
def unit_edit(request, pk):
    unit = selectors.unit_get(scope=request.scope, pk=pk)
    require(administers_region(request.scope, unit.region))
    form = UnitForm(
        request.POST or None,
        regions=_administered_regions(request.scope),
        initial={k: getattr(unit, k) for k in FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        done, _f = run_service(
            form,
            lambda: services.unit_update(
                actor=request.user, unit=unit, **{k: form.cleaned_data[k] for k in FIELDS}
            ),
        )
        if done:
            messages.success(request, _("The unit has been saved."))
            return redirect("units:detail", pk=unit.pk)
    return render(
        request,
        "units/unit_form.html",
        {"form": form, "unit": unit, "title": _("Edit %(name)s") % {"name": unit.name}},
    )
