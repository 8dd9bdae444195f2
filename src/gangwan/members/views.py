from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gangwan.core.audit import history_for
from gangwan.core.permissions import administers_organization, require
from gangwan.core.viewutils import querystring_without_page, run_service
from gangwan.organizations.models import Organization
from gangwan.organizations.rules import PARENT_KINDS
from gangwan.organizations.selectors import organization_get, organization_list
from gangwan.units.models import Unit
from gangwan.units.selectors import unit_list

from . import inactivity, selectors, services
from .forms import ArchiveForm, InactiveFilterForm, MemberFilterForm, MemberForm, RevealForm

PAGE_SIZE = 50


def _can_see_members(scope):
    if not (scope.has_structure_access or scope.member_ids):
        raise PermissionDenied


def filter_form(request, data) -> MemberFilterForm:
    """The list's filters; organizations offered are those of the scope (others do not validate)."""
    scope = request.scope
    orgs = organization_list(scope=scope)
    form = MemberFilterForm(
        data or None, organizations=orgs, shown=orgs.filter(kind__in=PARENT_KINDS)
    )
    if data and data.get("organization") and form.selected is None:
        raise Http404  # an organization outside the scope does not exist for this user
    return form


@login_required
def member_list(request):
    scope = request.scope
    _can_see_members(scope)
    form = filter_form(request, request.GET)
    filters = form.filters()
    qs = selectors.member_list(scope=scope, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/member_list.html",
        {
            "form": form,
            "page": page,
            "org": filters["organization"],
            "archived": filters["archived"],
            "querystring": querystring_without_page(request),
        },
    )


@login_required
def member_detail(request, pk):
    scope = request.scope
    _can_see_members(scope)
    member = selectors.member_get(scope=scope, pk=pk)
    return _detail(request, member)


def _detail(request, member, revealed=None):
    scope = request.scope
    can_edit = scope.has_structure_access and administers_organization(scope, member.organization)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "revealed": revealed or {},
            "can_reveal": scope.has_structure_access,
            "can_edit": can_edit and not member.archived_on,
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


def _choices(scope, org, member=None):
    """Home organizations and units offered: those of the scope in the organization's area, the
    organization itself, and the member's current ones (which may lie elsewhere)."""
    homes = organization_list(scope=scope, region=org.region).values("pk")
    home_ids = [org.pk] + ([member.home_organization_id] if member else [])
    units = unit_list(scope=scope, region=org.region).values("pk")
    unit_ids = [member.unit_id] if member and member.unit_id else []
    return (
        Organization.objects.filter(Q(pk__in=homes) | Q(pk__in=home_ids)).order_by("path"),
        Unit.objects.filter(Q(pk__in=units) | Q(pk__in=unit_ids)).order_by("name"),
    )


# The form fields passed to the services as they are.
FIELDS = (
    "name",
    "status",
    "joined_on",
    "full_on",
    "ethnicity",
    "education",
    "unit",
    "post",
    "is_floating",
    "skills",
    "on_call",
    "on_call_hours",
    "community_post",
)


@login_required
def member_create(request):
    scope = request.scope
    require(scope.has_structure_access)
    org = organization_get(
        scope=scope, pk=request.GET.get("organization") or request.POST.get("organization") or 0
    )
    require(administers_organization(scope, org) and org.is_active)
    homes, units = _choices(scope, org)
    form = MemberForm(
        request.POST or None,
        homes=homes,
        units=units,
        initial={"status": "full"},
    )
    findings = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member, findings = run_service(
            form,
            lambda: services.member_create(
                actor=request.user,
                reason=d["reason"],
                id_number=d["id_number"],
                phone=d["phone"],
                organization=org,
                home_organization=d["home_organization"] or org,
                **{f: d[f] for f in FIELDS},
            ),
        )
        if member:
            messages.success(request, _("%(name)s has been registered.") % {"name": member.name})
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/member_form.html",
        {"form": form, "org": org, "findings": findings, "member": None},
    )


def _editable(request, pk):
    scope = request.scope
    require(scope.has_structure_access)
    member = selectors.member_get(scope=scope, pk=pk)
    require(administers_organization(scope, member.organization))
    return member


@login_required
def member_edit(request, pk):
    member = _editable(request, pk)
    if member.archived_on:
        messages.error(request, _("This is a former member's record; it is kept as it is."))
        return redirect("members:detail", pk=member.pk)
    homes, units = _choices(request.scope, member.organization, member)
    initial = {f: getattr(member, f) for f in FIELDS}
    initial.update(
        {
            "unit": member.unit_id,
            "home_organization": member.home_organization_id,
            "skills": ", ".join(member.skill_list),
        }
    )
    form = MemberForm(
        request.POST or None,
        homes=homes,
        units=units,
        editing=True,
        masked={"id_number": member.id_number_masked, "phone": member.phone_masked},
        initial=initial,
    )
    findings = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {f: d[f] for f in FIELDS}
        fields["home_organization"] = d["home_organization"] or member.organization
        if d["id_number"]:
            fields["id_number"] = d["id_number"]
        if d["phone"]:
            fields["phone"] = d["phone"]
        done, findings = run_service(
            form,
            lambda: services.member_update(
                actor=request.user, member=member, reason=d["reason"], **fields
            ),
        )
        if done:
            messages.success(request, _("The record has been saved."))
            return redirect("members:detail", pk=member.pk)
        member.refresh_from_db()
    return render(
        request,
        "members/member_form.html",
        {"form": form, "org": member.organization, "findings": findings, "member": member},
    )


@login_required
def member_archive(request, pk):
    member = _editable(request, pk)
    if member.archived_on:
        messages.error(request, _("This member's record is archived already."))
        return redirect("members:detail", pk=member.pk)
    form = ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done, _f = run_service(
            form,
            lambda: services.member_archive(
                actor=request.user,
                member=member,
                reason=d["archive_reason"],
                note=d["note"],
                archived_on=d["archived_on"],
            ),
        )
        if done:
            messages.success(
                request, _("%(name)s is now kept as a former member.") % {"name": member.name}
            )
            return redirect("members:detail", pk=member.pk)
    return render(request, "members/member_archive.html", {"form": form, "member": member})


@login_required
def member_inactive(request):
    """R27: members past the warning threshold without organizational life or dues."""
    scope = request.scope
    require(scope.has_structure_access)
    orgs = organization_list(scope=scope)
    form = InactiveFilterForm(
        request.GET or None, organizations=orgs, shown=orgs.filter(kind__in=PARENT_KINDS)
    )
    if request.GET.get("organization") and form.selected is None:
        raise Http404
    d = form.cleaned_data if form.is_valid() else {}
    org = d.get("organization")
    thresholds = inactivity.inactivity_thresholds(scope=scope, organization=org)
    qs = inactivity.inactive_members(
        scope=scope,
        organization=org,
        level=d.get("level", ""),
        condition=d.get("condition", ""),
        thresholds=thresholds,
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/member_inactive.html",
        {
            "form": form,
            "page": page,
            "thresholds": thresholds,
            "querystring": querystring_without_page(request),
        },
    )
