"""Back office of Party dues. Reading is cut by the scope (404 outside it); recording payments and
assessments needs scope over the member's branch, deciding reductions over the next higher
committee (403 otherwise)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gangwan.core.exports import xlsx_response
from gangwan.core.permissions import administers_organization, require, require_structure_access
from gangwan.core.viewutils import run_service

from . import rules, selectors, services
from .forms import AssessmentForm, PaymentForm, ReassessmentForm, ReductionForm
from .models import DuesPayment


def _year(request, today):
    try:
        return int(request.GET.get("year") or today.year)
    except ValueError:
        return today.year


@login_required
def dues_overview(request, pk):
    """An organization's members with their monthly amount, paid-up month and months behind."""
    scope = request.scope
    require_structure_access(scope)
    org = selectors.organization_get(scope=scope, pk=pk)
    today = timezone.localdate()
    year = _year(request, today)
    page = Paginator(selectors.overview(scope=scope, organization=org, year=year), 50).get_page(
        request.GET.get("page")
    )
    rows = list(selectors.overview_rows(page.object_list, today))
    return render(
        request,
        "dues/overview.html",
        {
            "organization": org,
            "year": year,
            "page": page,
            "rows": rows,
            "figure": selectors.paid_up_rate(scope=scope, organization=org, today=today),
            "previous_month": selectors.previous_month(today),
            "can_record": administers_organization(scope, org),
            "querystring": f"year={year}",
        },
    )


@login_required
def dues_export(request, pk):
    scope = request.scope
    require_structure_access(scope)
    org = selectors.organization_get(scope=scope, pk=pk)
    today = timezone.localdate()
    year = _year(request, today)
    members = selectors.overview(scope=scope, organization=org, year=year)
    return xlsx_response(
        filename=f"dues-{org.pk}-{year}.xlsx",
        sheet=_("Dues"),
        headers=[
            _("Member"),
            _("Organization"),
            _("Monthly amount"),
            _("Paid up to"),
            _("Months behind"),
        ],
        rows=(
            [
                m.name,
                m.organization.name,
                m.dues_due,
                m.dues_paid_until.strftime("%Y-%m") if m.dues_paid_until else "",
                m.dues_behind,
            ]
            for m in selectors.overview_rows(members.iterator(chunk_size=2000), today)
        ),
        widths=[16, 30, 12, 12, 12],
    )


def _member_for_writing(request, pk):
    scope = request.scope
    require_structure_access(scope)
    member = selectors.member_get(scope=scope, pk=pk)
    require(
        administers_organization(scope, member.organization)
        or (
            member.is_floating
            and member.home_organization_id
            and administers_organization(scope, member.home_organization)
        )
    )
    return member


@login_required
def dues_pay(request, pk):
    """Record a payment: monthly, quarterly ahead with consent, back payments (warned over 6
    months), or a voluntary extra payment."""
    member = _member_for_writing(request, pk)
    scope = request.scope
    org = member.organization
    if not administers_organization(scope, org):
        org = member.home_organization  # an activity-certificate holder paying at the inflow branch
    today = timezone.localdate()
    form = PaymentForm(request.POST or None, initial={"paid_on": today, "to_month": today})
    findings = []
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        payment, findings = run_service(
            form,
            lambda: services.dues_pay(
                actor=request.user,
                member=member,
                organization=org,
                paid_on=cd["paid_on"],
                kind=cd["kind"],
                to_month=cd["to_month"],
                amount=cd["amount"],
                reason=cd["reason"],
                today=today,
            ),
        )
        if payment is not None:
            messages.success(
                request, _("Payment of %(amount)s yuan recorded.") % {"amount": payment.amount}
            )
            return redirect("dues:overview", org.pk)
    payments = DuesPayment.objects.filter(member=member).select_related("organization")[:24]
    return render(
        request,
        "dues/pay.html",
        {
            "member": member,
            "organization": org,
            "form": form,
            "findings": findings,
            "payments": payments,
            "assessments": selectors.assessments(scope=scope, member=member),
        },
    )


@login_required
def dues_assess(request, pk):
    """Assess a member's dues for a year from the salary components; the amount is computed."""
    member = _member_for_writing(request, pk)
    today = timezone.localdate()
    form = AssessmentForm(request.POST or None, initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        a, _f = run_service(
            form,
            lambda: services.dues_assess(
                actor=request.user,
                member=member,
                year=cd["year"],
                income_kind=cd["income_kind"],
                post_type=cd["post_type"],
                components=form.components(),
                farmer_amount=cd["farmer_amount"],
                quarterly=cd["quarterly"],
            ),
        )
        if a is not None:
            messages.success(
                request,
                _("Monthly dues: %(amount)s yuan (base %(base)s).")
                % {"amount": a.monthly_amount, "base": a.base or "—"},
            )
            return redirect("dues:pay", member.pk)
    return render(
        request,
        "dues/assess.html",
        {
            "member": member,
            "form": form,
            "excluded": [rules.ITEM_LABELS[k] for k in rules.EXCLUDED_ITEMS],
            "assessments": selectors.assessments(scope=request.scope, member=member),
        },
    )


@login_required
def dues_reassess(request, pk):
    """Re-assess a member within the year from a month on, with the reason (R36)."""
    member = _member_for_writing(request, pk)
    today = timezone.localdate()
    assessments = selectors.assessments(scope=request.scope, member=member)
    latest = assessments.first()  # the selector orders by valid_from, newest first
    form = ReassessmentForm(
        request.POST or None,
        initial={
            "valid_from": today,
            "income_kind": latest.income_kind if latest else None,
            "post_type": latest.post_type if latest else "",
            "quarterly": latest.quarterly if latest else False,
        },
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        a, _f = run_service(
            form,
            lambda: services.dues_reassess(
                actor=request.user,
                member=member,
                valid_from=cd["valid_from"],
                income_kind=cd["income_kind"],
                post_type=cd["post_type"],
                components=form.components(),
                farmer_amount=cd["farmer_amount"],
                quarterly=cd["quarterly"],
                reason=cd["reason"],
            ),
        )
        if a is not None:
            messages.success(
                request,
                _("Re-assessed from %(month)s: %(amount)s yuan a month.")
                % {"month": a.valid_from.strftime("%Y-%m"), "amount": a.monthly_amount},
            )
            return redirect("dues:pay", member.pk)
    return render(
        request,
        "dues/reassess.html",
        {
            "member": member,
            "form": form,
            "excluded": [rules.ITEM_LABELS[k] for k in rules.EXCLUDED_ITEMS],
            "assessments": assessments,
        },
    )


@login_required
def dues_reduce_request(request, pk):
    member = _member_for_writing(request, pk)
    form = ReductionForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        r, _f = run_service(
            form,
            lambda: services.dues_reduce_request(
                actor=request.user,
                member=member,
                year=cd["year"],
                monthly_amount=cd["monthly_amount"],
                reason=cd["reason"],
            ),
        )
        if r is not None:
            messages.success(
                request,
                _("Sent to %(org)s for approval (R35).") % {"org": r.approving_organization},
            )
            return redirect("dues:pay", member.pk)
    return render(request, "dues/reduce.html", {"member": member, "form": form})


@login_required
def dues_reductions(request):
    """Pending reductions for the committees one administers (R35)."""
    scope = request.scope
    require_structure_access(scope)
    page = Paginator(selectors.reduction_queue(scope=scope), 50).get_page(request.GET.get("page"))
    return render(request, "dues/reductions.html", {"page": page, "querystring": ""})


@login_required
@require_POST
def dues_reduction_decide(request, pk):
    scope = request.scope
    require_structure_access(scope)
    from django.shortcuts import get_object_or_404

    reduction = get_object_or_404(selectors.reduction_queue(scope=scope), pk=pk)
    require(administers_organization(scope, reduction.approving_organization))
    services.dues_reduce_decide(
        actor=request.user,
        scope=scope,
        reduction=reduction,
        approve=request.POST.get("decision") == "approve",
    )
    messages.success(request, _("Decision recorded."))
    return redirect("dues:reductions")
