"""Back office of the reservoir and the incubator. Reading is cut by the scope (404 outside it);
proposing needs scope over the regional branch, deciding and establishing scope over the superior
committee (403 otherwise)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gangwan.core.audit import history_for
from gangwan.core.permissions import administers_organization, require, require_structure_access
from gangwan.core.viewutils import querystring_without_page, run_service

from . import selectors, services
from .forms import DecideForm, EstablishForm, IncubationFilterForm, ProposeForm
from .models import IncubationState


@login_required
def incubator_index(request):
    """The incubator: incubations by state (R7 due dates, overdue flags), the reservoirs in scope,
    and incubated branches that fell below R1's minimum (R3)."""
    scope = request.scope
    require_structure_access(scope)
    form = IncubationFilterForm(request.GET or None)
    state = (form.cleaned_data.get("state") if form.is_valid() else "") or "open"
    page = Paginator(selectors.incubation_list(scope=scope, state=state), 50).get_page(
        request.GET.get("page")
    )
    counts = selectors.incubations_by_state(scope=scope)
    reservoirs = Paginator(selectors.reservoir_list(scope=scope), 50).get_page(
        request.GET.get("rpage")
    )
    return render(
        request,
        "incubator/index.html",
        {
            "form": form,
            "state": state,
            "figures": [
                {"key": key, "label": label, "value": counts[key]}
                for key, label in IncubationState.choices
            ],
            "overdue_count": selectors.overdue_proposals(scope=scope).count(),
            "page": page,
            "reservoirs": reservoirs,
            "below_minimum": selectors.incubated_branches_below_minimum(scope=scope),
            "today": timezone.localdate(),
            "querystring": querystring_without_page(request),
        },
    )


@login_required
def reservoir_detail(request, pk):
    """One regional branch's reservoir: members grouped by unit, without a unit, since when."""
    scope = request.scope
    require_structure_access(scope)
    branch = selectors.reservoir_get(scope=scope, pk=pk)
    return render(
        request,
        "incubator/reservoir.html",
        {
            "branch": branch,
            "reservoir": selectors.reservoir_groups(regional_branch=branch),
            "can_recheck": administers_organization(scope, branch) and branch.is_active,
        },
    )


@login_required
@require_POST
def reservoir_recheck(request, pk):
    """Re-check every unit of a reservoir (after an import, or data written without services)."""
    scope = request.scope
    require_structure_access(scope)
    branch = selectors.reservoir_get(scope=scope, pk=pk)
    require(administers_organization(scope, branch) and branch.is_active)
    reservoir = selectors.reservoir_groups(regional_branch=branch)
    changed = services.incubation_recheck(
        unit_ids=[g.unit.pk for g in reservoir.groups], actor=request.user
    )
    opened = sum(1 for inc in changed if inc.lapsed_at is None)
    messages.success(
        request,
        _("Eligibility re-checked: %(opened)d units became eligible, %(lapsed)d lapsed.")
        % {"opened": opened, "lapsed": len(changed) - opened},
    )
    return redirect("incubator:reservoir", pk=branch.pk)


@login_required
def incubation_detail(request, pk):
    scope = request.scope
    require_structure_access(scope)
    inc = selectors.incubation_get(scope=scope, pk=pk)
    return render(
        request,
        "incubator/detail.html",
        {
            "inc": inc,
            "actions": selectors.incubation_actions(scope=scope, incubation=inc),
            "full_now": selectors.incubation_full_members(incubation=inc),
            "overdue": selectors.is_overdue(inc),
            "history": history_for(inc)[:50],
        },
    )


def _incubation_for(request, pk, action: str):
    """The incubation (404 outside the scope), refused (403) to a user whose scope does not allow
    the action whatever the state; None (with a message) when the state does not allow it now."""
    scope = request.scope
    require_structure_access(scope)
    inc = selectors.incubation_get(scope=scope, pk=pk)
    decider = inc.superior_committee if action in ("decide", "establish") else inc.regional_branch
    require(administers_organization(scope, decider))
    if action not in selectors.incubation_actions(scope=scope, incubation=inc):
        messages.error(
            request,
            _("This incubation is %(state)s: that step is not possible now.")
            % {"state": inc.get_state_display()},
        )
        return inc, False
    return inc, True


def _form_page(request, inc, form, title, template="incubator/form.html", **extra):
    return render(request, template, {"inc": inc, "form": form, "title": title, **extra})


@login_required
def incubation_propose(request, pk):
    inc, allowed = _incubation_for(request, pk, "propose")
    if not allowed:
        return redirect("incubator:detail", pk=inc.pk)
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done, _f = run_service(
            form,
            lambda: services.incubation_propose(
                actor=request.user,
                incubation=inc,
                proposal_text=form.cleaned_data["proposal_text"],
            ),
        )
        if done:
            messages.success(
                request,
                _("The proposal has been sent to %(committee)s; the reply is due by %(due)s.")
                % {"committee": done.superior_committee.name, "due": done.reply_due_on.isoformat()},
            )
            return redirect("incubator:detail", pk=inc.pk)
    return _form_page(
        request, inc, form, _("Propose a branch for %(unit)s") % {"unit": inc.unit.name}
    )


@login_required
def incubation_decide(request, pk):
    inc, allowed = _incubation_for(request, pk, "decide")
    if not allowed:
        return redirect("incubator:detail", pk=inc.pk)
    form = DecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        done, _f = run_service(
            form,
            lambda: services.incubation_decide(
                actor=request.user,
                incubation=inc,
                approve=approve,
                reason=form.cleaned_data["reason"],
            ),
        )
        if done:
            messages.success(
                request,
                _("The proposal has been approved.")
                if approve
                else _("The proposal has been declined."),
            )
            return redirect("incubator:detail", pk=inc.pk)
    return _form_page(
        request,
        inc,
        form,
        _("Decide on the branch for %(unit)s") % {"unit": inc.unit.name},
        template="incubator/decide.html",
        overdue=selectors.is_overdue(inc),
    )


@login_required
def incubation_establish(request, pk):
    inc, allowed = _incubation_for(request, pk, "establish")
    if not allowed:
        return redirect("incubator:detail", pk=inc.pk)
    form = EstablishForm(
        request.POST or None,
        initial={
            "name": f"{inc.unit.name}党支部",
            "established_on": timezone.localdate(),
        },
    )
    findings = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done, findings = run_service(
            form,
            lambda: services.incubation_establish(
                actor=request.user,
                incubation=inc,
                name=d["name"],
                established_on=d["established_on"],
                document_no=d["document_no"],
                reason=d["reason"],
            ),
        )
        if done:
            messages.success(
                request,
                _("%(branch)s has been established; the unit's members take part in it now.")
                % {"branch": done.established_organization.name},
            )
            return redirect("incubator:detail", pk=inc.pk)
    return _form_page(
        request,
        inc,
        form,
        _("Establish the branch of %(unit)s") % {"unit": inc.unit.name},
        findings=findings,
        members_to_move=selectors.incubation_members_to_move(incubation=inc),
        full_now=selectors.incubation_full_members(incubation=inc),
    )
