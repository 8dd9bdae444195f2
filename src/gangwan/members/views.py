from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gangwan.core.audit import history_for
from gangwan.core.permissions import administers_organization, require
from gangwan.core.viewutils import querystring_without_page, run_service
from gangwan.organizations.models import Organization
from gangwan.organizations.selectors import organization_get, organization_list
from gangwan.units.selectors import unit_list

from . import selectors, services
from .forms import MemberFilterForm, MemberForm, RevealForm


def _can_see_members(scope):
    if not (scope.has_structure_access or scope.member_ids):
        raise PermissionDenied


@login_required
def member_list(request):
    scope = request.scope
    _can_see_members(scope)
    form = MemberFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    org = (
        organization_get(scope=scope, pk=request.GET["organization"])
        if request.GET.get("organization", "").isdigit()
        else None
    )
    floating = True if request.GET.get("floating") == "1" else None
    qs = selectors.member_list(
        scope=scope,
        q=f.get("q", ""),
        status=f.get("status", ""),
        organization=org,
        floating=floating,
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "members/member_list.html",
        {"form": form, "page": page, "org": org, "querystring": querystring_without_page(request)},
    )


@login_required
def member_detail(request, pk):
    scope = request.scope
    _can_see_members(scope)
    member = selectors.member_get(scope=scope, pk=pk)
    return _detail(request, member)


def _detail(request, member, revealed=None):
    scope = request.scope
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "revealed": revealed or {},
            "can_reveal": scope.has_structure_access,
            "can_edit": administers_organization(scope, member.organization),
            "history": history_for(member)[:20] if scope.has_structure_access else [],
        },
    )


@login_required
@require_POST
def member_reveal(request, pk):
    scope = request.scope
    require(scope.has_structure_access)
    member = selectors.member_get(scope=scope, pk=pk)
    form = RevealForm(request.POST)
    if form.is_valid():
        done, _f = run_service(
            form,
            lambda: services.member_reveal(
                actor=request.user,
                member=member,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if done:
            # Shown in this response only: never stored in the session or a redirect.
            resp = _detail(request, member, revealed={form.cleaned_data["field"]: done})
            resp["Cache-Control"] = "no-store"
            return resp
    for e in form.errors.values():
        messages.error(request, " ".join(e))
    return redirect("members:detail", pk=member.pk)


@login_required
def member_create(request):
    scope = request.scope
    require(scope.has_structure_access)
    org = organization_get(
        scope=scope, pk=request.GET.get("organization") or request.POST.get("organization") or 0
    )
    require(administers_organization(scope, org) and org.is_active)
    homes = organization_list(scope=scope).filter(region=org.region) | Organization.objects.filter(
        pk=org.pk
    )
    units = unit_list(scope=scope).filter(region=org.region)
    form = MemberForm(
        request.POST or None, homes=homes.distinct(), units=units, initial={"status": "full"}
    )
    findings = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member, findings = run_service(
            form,
            lambda: services.member_create(
                actor=request.user,
                reason=d["reason"],
                name=d["name"],
                id_number=d["id_number"],
                phone=d["phone"],
                organization=org,
                home_organization=d["home_organization"] or org,
                unit=d["unit"],
                status=d["status"],
                joined_on=d["joined_on"],
                is_floating=d["is_floating"],
            ),
        )
        if member:
            messages.success(request, _("%(name)s has been registered.") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render(
        request, "members/member_form.html", {"form": form, "org": org, "findings": findings}
    )
