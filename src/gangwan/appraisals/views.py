"""Back-office pages for democratic appraisal (R17): rounds in one's scope, grading all members of
an organization in one form, results with the 1/3 check, and the .xlsx export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core.audit import history_for
from gangwan.core.exports import xlsx_response
from gangwan.core.permissions import administers_organization, require, require_structure_access
from gangwan.core.viewutils import querystring_without_page, run_service
from gangwan.organizations.models import BRANCH_KINDS
from gangwan.organizations.selectors import organization_get, organization_list

from . import selectors, services
from .forms import GradeForm, RoundFilterForm, RoundForm, default_year


@login_required
def index(request):
    """Rounds in the user's scope, newest year first; `?organization=` for one organization's history."""
    scope = request.scope
    require_structure_access(scope)
    form = RoundFilterForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    org = None
    if request.GET.get("organization", "").isdigit():
        org = organization_get(scope=scope, pk=int(request.GET["organization"]))
    qs = selectors.appraisal_round_list(scope=scope, organization=org, year=year)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "appraisals/index.html",
        {
            "form": form,
            "page": page,
            "org": org,
            "can_open": org is not None and org.is_active and administers_organization(scope, org),
            "querystring": querystring_without_page(request),
        },
    )


@login_required
def round_create(request):
    scope = request.scope
    require_structure_access(scope)
    orgs = organization_list(scope=scope).filter(kind__in=BRANCH_KINDS)
    initial = {"year": default_year(), "held_on": timezone.localdate()}
    if request.GET.get("organization", "").isdigit():
        initial["organization"] = organization_get(scope=scope, pk=int(request.GET["organization"]))
    form = RoundForm(request.POST or None, organizations=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        require(administers_organization(scope, d["organization"]))
        rnd, _findings = run_service(
            form,
            lambda: services.appraisal_round_open(
                actor=request.user,
                organization=d["organization"],
                year=d["year"],
                held_on=d["held_on"],
            ),
        )
        if rnd:
            messages.success(request, _("The appraisal has been opened: grade the members."))
            return redirect("appraisals:grade", pk=rnd.pk)
    return render(request, "appraisals/round_form.html", {"form": form})


@login_required
def round_detail(request, pk):
    require_structure_access(request.scope)
    rnd = selectors.appraisal_round_get(scope=request.scope, pk=pk)
    return render(
        request,
        "appraisals/round_detail.html",
        {
            "rnd": rnd,
            "results": selectors.appraisal_results(round=rnd),
            "rows": selectors.appraisal_rows(round=rnd),
            "can_grade": not rnd.is_closed
            and administers_organization(request.scope, rnd.organization),
            "history": history_for(rnd)[:30],
        },
    )


@login_required
def round_grade(request, pk):
    """All members of the organization in one form; "save" keeps the round open, "close" closes it."""
    scope = request.scope
    require_structure_access(scope)
    rnd = selectors.appraisal_round_get(scope=scope, pk=pk)
    require(administers_organization(scope, rnd.organization) and not rnd.is_closed)
    existing = {a.member_id: a.grade for a in rnd.appraisals.all()}
    form = GradeForm(
        request.POST or None,
        members=selectors.members_taking_part(organization=rnd.organization),
        existing=existing,
    )
    findings = []
    if request.method == "POST" and form.is_valid():
        close = "close" in request.POST
        done, findings = run_service(
            form,
            lambda: services.appraisal_record(
                actor=request.user,
                round=rnd,
                grades=form.grades(),
                reason=form.cleaned_data["reason"],
                close=close,
            ),
        )
        if done:
            messages.success(
                request,
                _("The appraisal has been closed.") if close else _("The grades have been saved."),
            )
            return redirect("appraisals:detail", pk=rnd.pk)
    return render(
        request,
        "appraisals/round_grade.html",
        {"rnd": rnd, "form": form, "findings": findings},
    )


@login_required
def round_export(request, pk):
    require_structure_access(request.scope)
    rnd = selectors.appraisal_round_get(scope=request.scope, pk=pk)
    rows = selectors.appraisal_rows(round=rnd)
    return xlsx_response(
        filename=f"appraisal-{rnd.year}-{rnd.organization_id}.xlsx",
        sheet=_("Appraisal %(year)s") % {"year": rnd.year},
        headers=[_("Organization"), _("Year"), _("Member"), _("Status"), _("Grade"), _("Note")],
        rows=(
            [
                rnd.organization.name,
                rnd.year,
                a.member.name,
                a.member.get_status_display(),
                a.get_grade_display() if a.grade else "—",
                a.note,
            ]
            for a in rows
        ),
        widths=[30, 8, 14, 14, 14, 30],
    )
