from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gangwan.core.audit import history_for
from gangwan.core.permissions import (
    administers_region,
    administers_region_strictly_below,
    require,
    require_structure_access,
)
from gangwan.core.viewutils import run_service
from gangwan.organizations.selectors import area_structure, coverage, coverage_by_child_region

from . import selectors, services
from .forms import RegionForm, RegionMoveForm
from .models import CHILD_LEVELS, Region


@login_required
def index(request):
    require_structure_access(request.scope)
    roots = list(selectors.region_roots(scope=request.scope))
    if len(roots) == 1:
        return redirect("regions:detail", pk=roots[0].pk)
    return render(request, "regions/region_index.html", {"roots": roots})


@login_required
def detail(request, pk):
    require_structure_access(request.scope)
    scope = request.scope
    region = selectors.region_get(scope=scope, pk=pk)
    visible = set(
        selectors.region_list(scope=scope)
        .filter(path__in=[a.path for a in region.ancestors()])
        .values_list("pk", flat=True)
    )
    ctx = {
        "region": region,
        "ancestors": [a for a in region.ancestors() if a.pk in visible],
        "children": _with_coverage(
            scope, region, list(selectors.region_list(scope=scope, parent=region))
        ),
        "can_admin": administers_region(scope, region),
        "can_add_child": administers_region(scope, region) and bool(CHILD_LEVELS[region.level]),
        "can_move": administers_region_strictly_below(scope, region),
        "coverage": coverage(scope=scope, region=region),
        "history": history_for(region)[:20],
    }
    if region.is_area:
        ctx["structure"] = area_structure(scope=scope, region=region)
    return render(request, "regions/region_detail.html", ctx)


def _with_coverage(scope, region, children):
    if children:
        rows = {r["region_id"]: r for r in coverage_by_child_region(scope=scope, region=region)}
        for c in children:
            c.cov = rows.get(c.pk)
    return children


@login_required
def create(request, parent_pk):
    parent = selectors.region_get(scope=request.scope, pk=parent_pk)
    require(administers_region(request.scope, parent))
    form = RegionForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        region, _f = run_service(
            form,
            lambda: services.region_create(
                actor=request.user,
                parent=parent,
                name=d["name"],
                level=d["level"],
                kind=d["kind"],
                code=d["code"],
                residents=d["residents"] or 0,
                newcomers=d["newcomers"] or 0,
            ),
        )
        if region:
            messages.success(request, _("The region has been created."))
            return redirect("regions:detail", pk=region.pk)
    return render(
        request,
        "regions/region_form.html",
        {
            "form": form,
            "parent": parent,
            "title": _("New region under %(parent)s") % {"parent": parent},
        },
    )


@login_required
def edit(request, pk):
    region = selectors.region_get(scope=request.scope, pk=pk)
    require(administers_region(request.scope, region))
    initial = {k: getattr(region, k) for k in ("name", "kind", "code", "residents", "newcomers")}
    form = RegionForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done, _f = run_service(
            form,
            lambda: services.region_update(
                actor=request.user,
                region=region,
                name=d["name"],
                kind=d["kind"],
                code=d["code"],
                residents=d["residents"] or 0,
                newcomers=d["newcomers"] or 0,
            ),
        )
        if done:
            messages.success(request, _("The region has been saved."))
            return redirect("regions:detail", pk=region.pk)
    return render(
        request,
        "regions/region_form.html",
        {"form": form, "region": region, "title": _("Edit %(name)s") % {"name": region}},
    )


@login_required
def move(request, pk):
    region = selectors.region_get(scope=request.scope, pk=pk)
    require(administers_region_strictly_below(request.scope, region))
    parents = (
        selectors.region_list(scope=request.scope)
        .filter(level__in=[lv for lv, kids in CHILD_LEVELS.items() if region.level in kids])
        .exclude(pk=region.parent_id)
    )
    parents = Region.objects.filter(
        pk__in=[p.pk for p in parents if administers_region(request.scope, p)]
    )
    form = RegionMoveForm(request.POST or None, parents=parents)
    if request.method == "POST" and form.is_valid():
        done, _f = run_service(
            form,
            lambda: services.region_move(
                actor=request.user, region=region, new_parent=form.cleaned_data["new_parent"]
            ),
        )
        if done:
            messages.success(request, _("The region has been moved."))
            return redirect("regions:detail", pk=region.pk)
    return render(
        request,
        "regions/region_form.html",
        {"form": form, "region": region, "title": _("Move %(name)s") % {"name": region}},
    )
