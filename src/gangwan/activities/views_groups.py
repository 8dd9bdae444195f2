from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gangwan.core.permissions import administers_organization, require, require_structure_access
from gangwan.core.viewutils import run_service
from gangwan.organizations.selectors import organization_get

from . import groups
from .forms import PartyGroupForm
from .models import PartyGroup


@login_required
def group_list(request, org_pk):
    require_structure_access(request.scope)
    org = organization_get(scope=request.scope, pk=org_pk)
    return render(
        request,
        "activities/party_groups.html",
        {
            "org": org,
            "groups": groups.party_groups_of(organization=org),
            "can_edit": administers_organization(request.scope, org) and org.is_active,
        },
    )


def _group_form(request, org, group=None):
    initial = {}
    if group is not None:
        initial = {"name": group.name, "leader": group.leader, "members": list(group.members.all())}
    form = PartyGroupForm(
        request.POST or None, members=groups.group_member_choices(organization=org), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if group is None:
            call = lambda: groups.party_group_create(  # noqa: E731
                actor=request.user,
                organization=org,
                name=d["name"],
                leader=d["leader"],
                members=d["members"],
            )
        else:
            call = lambda: groups.party_group_update(  # noqa: E731
                actor=request.user,
                group=group,
                name=d["name"],
                leader=d["leader"],
                members=d["members"],
            )
        done, _f = run_service(form, call)
        if done:
            messages.success(request, _("The Party group has been saved."))
            return redirect("activities:groups", org_pk=org.pk)
    title = (
        _("New Party group in %(org)s") % {"org": org}
        if group is None
        else _("Edit %(name)s") % {"name": group.name}
    )
    return render(
        request, "activities/party_group_form.html", {"form": form, "org": org, "title": title}
    )


@login_required
def group_create(request, org_pk):
    org = organization_get(scope=request.scope, pk=org_pk)
    require(administers_organization(request.scope, org) and org.is_active)
    return _group_form(request, org)


@login_required
def group_edit(request, org_pk, pk):
    org = organization_get(scope=request.scope, pk=org_pk)
    require(administers_organization(request.scope, org))
    return _group_form(request, org, get_object_or_404(PartyGroup, pk=pk, organization=org))


@login_required
@require_POST
def group_dissolve(request, org_pk, pk):
    org = organization_get(scope=request.scope, pk=org_pk)
    require(administers_organization(request.scope, org))
    group = get_object_or_404(PartyGroup, pk=pk, organization=org)
    try:
        groups.party_group_dissolve(actor=request.user, group=group)
        messages.success(request, _("The Party group has been dissolved."))
    except Exception as exc:  # a ValidationError: already dissolved
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("activities:groups", org_pk=org.pk)
