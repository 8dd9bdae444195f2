from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core.audit import history_for
from gangwan.core.permissions import (
    administers_organization,
    administers_organization_strictly_below,
    require,
    require_structure_access,
)
from gangwan.core.tree import subtree_q
from gangwan.core.viewutils import querystring_without_page, run_service
from gangwan.members.selectors import member_list, subtree_member_count
from gangwan.regions.selectors import region_get, region_list
from gangwan.units.models import Unit
from gangwan.units.selectors import unit_list

from . import selectors, services
from .forms import (
    DissolveForm,
    MoveForm,
    OfficeEndForm,
    OfficeForm,
    OrganizationFilterForm,
    OrganizationForm,
    TermForm,
)
from .models import Office, Organization


def _parents(scope):
    qs = selectors.organization_parents_assignable(scope=scope)
    if scope.everything:
        return qs
    return (
        Organization.objects.filter(pk__in=[o.pk for o in qs if administers_organization(scope, o)])
        .select_related("region")
        .order_by("path")
    )


def _nearest_parent(parents, region):
    """The deepest organization that may take a new one, standing in `region` or above it."""
    candidates = [p for p in parents if region.path.startswith(p.region.path)]
    return max(candidates, key=lambda p: (len(p.region.path), -len(p.path)), default=None)


@login_required
def organization_list(request):
    require_structure_access(request.scope)
    form = OrganizationFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    region = (
        region_get(scope=request.scope, pk=request.GET["region"])
        if request.GET.get("region", "").isdigit()
        else None
    )
    qs = selectors.with_member_counts(
        selectors.organization_list(
            scope=request.scope, q=f.get("q", ""), kind=f.get("kind", ""), region=region
        )
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organizations/organization_list.html",
        {
            "form": form,
            "page": page,
            "region": region,
            "querystring": querystring_without_page(request),
        },
    )


@login_required
def organization_detail(request, pk):
    require_structure_access(request.scope)
    scope = request.scope
    org = selectors.organization_get(scope=scope, pk=pk)
    visible_ancestors = selectors.organization_list(scope=scope, include_dissolved=True).filter(
        pk__in=org.ancestors().values("pk")
    )
    can_admin = administers_organization(scope, org)
    return render(
        request,
        "organizations/organization_detail.html",
        {
            "org": org,
            "ancestors": visible_ancestors.order_by("depth"),
            "children": selectors.organization_children(organization=org),
            "unit_links": selectors.organization_units(organization=org),
            "offices": selectors.organization_offices(organization=org),
            "terms": org.terms.all()[:5],
            "flags": selectors.organization_flags(organization=org) if org.is_active else [],
            "members_held": subtree_member_count(path=org.path),
            "can_admin": can_admin and org.is_active,
            "can_move": administers_organization_strictly_below(scope, org) and org.is_active,
            "history": history_for(org)[:30],
        },
    )


def _org_form_querysets(request, region_pk):
    scope = request.scope
    regions = region_list(scope=scope)
    region = regions.filter(pk=region_pk).first() if str(region_pk).isdigit() else None
    units = (
        unit_list(scope=scope, region=region).filter(region=region)
        if region
        else Unit.objects.none()
    )
    return regions, region, units


@login_required
def organization_create(request):
    require_structure_access(request.scope)
    region_pk = request.POST.get("region") or request.GET.get("region", "")
    regions, region, units = _org_form_querysets(request, region_pk)
    parents = _parents(request.scope)
    initial = {
        "region": region,
        "established_on": timezone.localdate(),
        "kind": "branch",
        "parent": _nearest_parent(parents, region) if region else None,
    }
    if request.GET.get("unit", "").isdigit():
        unit = units.filter(pk=request.GET["unit"]).first()
        if unit:
            initial.update(
                units=[unit], primary_unit=unit, kind="branch", name=f"{unit.name}党支部"
            )
    if request.GET.get("parent", "").isdigit():
        initial["parent"] = request.GET["parent"]
    form = OrganizationForm(
        request.POST or None, parents=parents, regions=regions, units=units, initial=initial
    )
    findings = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        parent = d["parent"]
        if parent is None and not request.scope.everything:
            form.add_error("parent", _("Choose the superior organization."))
        else:
            org, findings = run_service(
                form,
                lambda: services.organization_create(
                    actor=request.user,
                    name=d["name"],
                    kind=d["kind"],
                    region=d["region"],
                    parent=parent,
                    units=list(d["units"]),
                    primary_unit=d["primary_unit"],
                    established_on=d["established_on"],
                    document_no=d["document_no"],
                    reason=d["reason"],
                ),
            )
            if org:
                messages.success(request, _("%(name)s has been established.") % {"name": org.name})
                return redirect("organizations:detail", pk=org.pk)
    return render(
        request,
        "organizations/organization_form.html",
        {
            "form": form,
            "findings": findings,
            "title": _("Establish an organization"),
            "region": region,
        },
    )


@login_required
def organization_edit(request, pk):
    org = selectors.organization_get(scope=request.scope, pk=pk)
    require(administers_organization(request.scope, org) and org.is_active)
    region_pk = request.POST.get("region") or request.GET.get("region") or org.region_id
    regions, region, units = _org_form_querysets(request, str(region_pk))
    links = list(selectors.organization_units(organization=org))
    units = (units | Unit.objects.filter(pk__in=[link.unit_id for link in links])).distinct()
    initial = {
        "name": org.name,
        "kind": org.kind,
        "region": org.region,
        "established_on": org.established_on,
        "document_no": org.document_no,
        "units": [link.unit for link in links],
        "primary_unit": next((link.unit for link in links if link.is_primary), None),
    }
    form = OrganizationForm(
        request.POST or None,
        parents=None,
        regions=regions,
        units=units,
        initial=initial,
        editing=True,
    )
    findings = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done, findings = run_service(
            form,
            lambda: services.organization_update(
                actor=request.user,
                organization=org,
                reason=d["reason"],
                units=list(d["units"]),
                primary_unit=d["primary_unit"],
                name=d["name"],
                kind=d["kind"],
                region=d["region"],
                established_on=d["established_on"],
                document_no=d["document_no"],
            ),
        )
        if done:
            messages.success(request, _("The organization has been saved."))
            return redirect("organizations:detail", pk=org.pk)
    return render(
        request,
        "organizations/organization_form.html",
        {
            "form": form,
            "findings": findings,
            "org": org,
            "region": region,
            "title": _("Edit %(name)s") % {"name": org.name},
        },
    )


def _org_action(request, org, form, call, *, success, title, danger=False):
    """Run `call(cleaned_data)` on a valid POST through the service layer; back to the
    organization's page on success, or the form again with the refusal or the rule warnings."""
    findings = []
    if request.method == "POST" and form.is_valid():
        done, findings = run_service(form, lambda: call(form.cleaned_data))
        if done:
            messages.success(request, success)
            return redirect("organizations:detail", pk=org.pk)
    context = {"form": form, "findings": findings, "org": org, "title": title, "danger": danger}
    return render(request, "organizations/simple_form.html", context)


@login_required
def organization_move(request, pk):
    org = selectors.organization_get(scope=request.scope, pk=pk)
    require(administers_organization_strictly_below(request.scope, org) and org.is_active)
    parents = _parents(request.scope).exclude(pk=org.parent_id).exclude(subtree_q([org.path]))
    return _org_action(
        request,
        org,
        MoveForm(request.POST or None, parents=parents),
        lambda d: services.organization_move(
            actor=request.user, organization=org, new_parent=d["new_parent"], reason=d["reason"]
        ),
        success=_("The organization has been moved."),
        title=_("Move %(name)s") % {"name": org.name},
    )


@login_required
def organization_dissolve(request, pk):
    org = selectors.organization_get(scope=request.scope, pk=pk)
    require(administers_organization_strictly_below(request.scope, org) and org.is_active)
    form = DissolveForm(request.POST or None, initial={"dissolved_on": timezone.localdate()})
    return _org_action(
        request,
        org,
        form,
        lambda d: services.organization_dissolve(
            actor=request.user, organization=org, dissolved_on=d["dissolved_on"], reason=d["reason"]
        ),
        success=_("The organization has been dissolved."),
        title=_("Dissolve %(name)s") % {"name": org.name},
        danger=True,
    )


@login_required
def office_assign(request, pk):
    org = selectors.organization_get(scope=request.scope, pk=pk)
    require(administers_organization(request.scope, org) and org.is_active)
    members = member_list(scope=request.scope, organization=org)
    form = OfficeForm(
        request.POST or None, members=members, initial={"started_on": timezone.localdate()}
    )
    return _org_action(
        request,
        org,
        form,
        lambda d: services.office_assign(
            actor=request.user,
            organization=org,
            member=d["member"],
            role=d["role"],
            started_on=d["started_on"],
            reason=d["reason"],
        ),
        success=_("The office has been recorded."),
        title=_("Seat an office holder in %(name)s") % {"name": org.name},
    )


@login_required
def office_end(request, pk, office_pk):
    org = selectors.organization_get(scope=request.scope, pk=pk)
    require(administers_organization(request.scope, org))
    office = get_object_or_404(
        Office.objects.select_related("member"), pk=office_pk, organization=org
    )
    form = OfficeEndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    return _org_action(
        request,
        org,
        form,
        lambda d: services.office_end(actor=request.user, office=office, ended_on=d["ended_on"]),
        success=_("The office has ended."),
        title=_("End the office of %(member)s") % {"member": office.member},
    )


@login_required
def term_start(request, pk):
    org = selectors.organization_get(scope=request.scope, pk=pk)
    require(administers_organization(request.scope, org) and org.is_active)
    form = TermForm(request.POST or None, initial={"started_on": timezone.localdate()})
    return _org_action(
        request,
        org,
        form,
        lambda d: services.term_start(
            actor=request.user,
            organization=org,
            started_on=d["started_on"],
            ends_on=d["ends_on"],
            reason=d["reason"],
        ),
        success=_("The new term has been recorded."),
        title=_("Record a term election for %(name)s") % {"name": org.name},
    )


@login_required
def terms_ending(request):
    require_structure_access(request.scope)
    terms = selectors.terms_ending_soon(scope=request.scope)
    page = Paginator(terms, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organizations/terms_ending.html",
        {"page": page, "today": timezone.localdate(), "querystring": ""},
    )


@login_required
def coverage(request):
    require_structure_access(request.scope)
    scope = request.scope
    region = (
        region_get(scope=scope, pk=request.GET["region"])
        if request.GET.get("region", "").isdigit()
        else None
    )
    if region is None:
        from gangwan.regions.selectors import region_roots

        region = region_roots(scope=scope).first()
    show = request.GET.get("show", "uncovered")
    units = selectors.coverage_units(scope=scope, region=region)
    units = {
        "uncovered": units.filter(is_covered=False),
        "union": units.filter(has_union=True),
        "no_union": units.filter(has_union=False),
        "covered": units.filter(is_covered=True),
    }.get(show, units.filter(is_covered=False))
    page = Paginator(units.select_related("region").order_by("region__path", "name"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organizations/coverage.html",
        {
            "region": region,
            "coverage": selectors.coverage(scope=scope, region=region),
            "rows": selectors.coverage_by_child_region(scope=scope, region=region)
            if region
            else [],
            "page": page,
            "show": show,
            "querystring": querystring_without_page(request),
        },
    )
