"""Back office of service brands: brands with their figures and records, enterprise problems,
events for employees with registrations, and the exports. Reading is cut by the scope (404
outside it); changing needs administration of the brand's (or event's) organization (403)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gangwan.core.audit import history_for
from gangwan.core.exports import xlsx_response
from gangwan.core.permissions import administers_organization, require, require_structure_access
from gangwan.core.viewutils import querystring_without_page, run_service

from . import selectors, services
from .forms import (
    BrandFilterForm,
    BrandForm,
    EventForm,
    ProblemActionForm,
    ProblemFilterForm,
    ProblemForm,
    RecordForm,
    RegistrationForm,
)
from .models import BrandCategory, ProblemStatus, RegistrationStatus


def _brand_for_change(request, pk):
    require_structure_access(request.scope)
    brand = selectors.brand_get(scope=request.scope, pk=pk)
    require(administers_organization(request.scope, brand.organization))
    return brand


# --- brands ----------------------------------------------------------------------------------
@login_required
def brand_list(request):
    scope = request.scope
    require_structure_access(scope)
    form = BrandFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    brands = selectors.brand_list(
        scope=scope, category=d.get("category", ""), q=d.get("q", "")
    ).order_by("category", "name")
    page = Paginator(brands, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "brands/brand_list.html",
        {
            "form": form,
            "page": page,
            "figures": selectors.dashboard_figures(scope=scope),
            "querystring": querystring_without_page(request),
        },
    )


@login_required
def brand_detail(request, pk):
    scope = request.scope
    require_structure_access(scope)
    brand = selectors.brand_get(scope=scope, pk=pk)
    records = Paginator(
        selectors.record_list(scope=scope, brand=brand).order_by("-served_on", "-pk"), 25
    ).get_page(request.GET.get("page"))
    months = selectors.brand_months(brand=brand)
    return render(
        request,
        "brands/brand_detail.html",
        {
            "brand": brand,
            "partners": list(brand.partners.all()),
            "records": records,
            "months": months,
            "charts": {
                "brand-hours": {
                    "title": _("Service hours by month"),
                    "type": "bar",
                    "items": [
                        {"key": m["month"], "label": m["month"], "value": m["hours"], "url": ""}
                        for m in months
                    ],
                },
                "brand-records": {
                    "title": _("Service records by month"),
                    "type": "bar",
                    "items": [
                        {"key": m["month"], "label": m["month"], "value": m["records"], "url": ""}
                        for m in months
                    ],
                },
            },
            "problems": selectors.problem_list(scope=scope, brand=brand)[:10],
            "events": selectors.event_list(scope=scope).filter(brand=brand)[:10],
            "can_change": administers_organization(scope, brand.organization),
            "is_enterprise_brand": brand.category == BrandCategory.SERVE_ENTERPRISES,
            "history": history_for(brand)[:20],
            "querystring": "",
        },
    )


@login_required
def brand_create(request):
    require_structure_access(request.scope)
    form = BrandForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        partners = d.pop("partners")
        require(administers_organization(request.scope, d["organization"]))
        brand, _f = run_service(
            form, lambda: services.brand_create(actor=request.user, partners=partners, **d)
        )
        if brand:
            messages.success(request, _("The brand was created."))
            return redirect("brands:detail", brand.pk)
    return render(request, "brands/form.html", {"form": form, "title": _("New service brand")})


@login_required
def brand_edit(request, pk):
    brand = _brand_for_change(request, pk)
    form = BrandForm(request.POST or None, instance=brand, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        partners = d.pop("partners")
        require(administers_organization(request.scope, d["organization"]))
        # The form has set the instance's fields; the service re-validates and audits.
        brand.refresh_from_db()
        done, _f = run_service(
            form,
            lambda: services.brand_update(actor=request.user, brand=brand, partners=partners, **d),
        )
        if done:
            messages.success(request, _("The brand was saved."))
            return redirect("brands:detail", brand.pk)
    return render(
        request, "brands/form.html", {"form": form, "title": _("Edit %(name)s") % {"name": brand}}
    )


@login_required
def record_create(request, pk):
    brand = _brand_for_change(request, pk)
    form = RecordForm(
        request.POST or None,
        scope=request.scope,
        brand=brand,
        initial={"served_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        record, _f = run_service(
            form,
            lambda: services.record_create(actor=request.user, brand=brand, **form.cleaned_data),
        )
        if record:
            messages.success(request, _("The service record was added."))
            return redirect("brands:detail", brand.pk)
    return render(
        request,
        "brands/form.html",
        {"form": form, "title": _("New service record"), "brand": brand},
    )


# --- enterprise problems ---------------------------------------------------------------------
@login_required
def problem_list(request):
    scope = request.scope
    require_structure_access(scope)
    form = ProblemFilterForm(request.GET or None)
    status = (form.cleaned_data.get("status") if form.is_valid() else "") or ""
    page = Paginator(selectors.problem_list(scope=scope, status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "brands/problem_list.html",
        {
            "form": form,
            "page": page,
            "counts": selectors.problems_by_status(scope=scope),
            "statuses": ProblemStatus.choices,
            "days_to_solve": selectors.problem_days_to_solve(scope=scope),
            "querystring": querystring_without_page(request),
        },
    )


@login_required
def problem_report(request, pk):
    brand = _brand_for_change(request, pk)
    form = ProblemForm(
        request.POST or None,
        scope=request.scope,
        brand=brand,
        initial={"reported_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        problem, _f = run_service(
            form,
            lambda: services.problem_report(actor=request.user, brand=brand, **form.cleaned_data),
        )
        if problem:
            messages.success(request, _("The problem was recorded."))
            return redirect("brands:problem", problem.pk)
    return render(
        request,
        "brands/form.html",
        {"form": form, "title": _("An enterprise reports a problem"), "brand": brand},
    )


@login_required
def problem_detail(request, pk):
    require_structure_access(request.scope)
    problem = selectors.problem_get(scope=request.scope, pk=pk)
    return render(
        request,
        "brands/problem_detail.html",
        {
            "problem": problem,
            "form": ProblemActionForm(initial={"on": timezone.localdate()}),
            "can_change": administers_organization(request.scope, problem.brand.organization),
            "history": history_for(problem)[:20],
        },
    )


@login_required
@require_POST
def problem_action(request, pk, action):
    if action not in services.TRANSITIONS:
        raise Http404
    require_structure_access(request.scope)
    problem = selectors.problem_get(scope=request.scope, pk=pk)
    require(administers_organization(request.scope, problem.brand.organization))
    form = ProblemActionForm(request.POST)
    if form.is_valid():
        done, _f = run_service(
            form,
            lambda: services.problem_transition(
                actor=request.user, problem=problem, action=action, **form.cleaned_data
            ),
        )
        if done:
            messages.success(
                request, _("The problem is now “%(s)s”.") % {"s": done.get_status_display()}
            )
            return redirect("brands:problem", problem.pk)
    return render(
        request,
        "brands/problem_detail.html",
        {
            "problem": problem,
            "form": form,
            "can_change": True,
            "history": history_for(problem)[:20],
        },
        status=422,
    )


# --- events ----------------------------------------------------------------------------------
@login_required
def event_list(request):
    require_structure_access(request.scope)
    page = Paginator(selectors.event_list(scope=request.scope), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "brands/event_list.html", {"page": page, "querystring": ""})


@login_required
def event_create(request, pk):
    brand = _brand_for_change(request, pk)
    form = EventForm(request.POST or None, scope=request.scope, brand=brand)
    if request.method == "POST" and form.is_valid():
        event, _f = run_service(
            form,
            lambda: services.event_create(
                actor=request.user,
                organization=brand.organization,
                brand=brand,
                **form.cleaned_data,
            ),
        )
        if event:
            messages.success(request, _("The event was created."))
            return redirect("brands:event", event.pk)
    return render(
        request,
        "brands/form.html",
        {"form": form, "title": _("New event for employees"), "brand": brand},
    )


@login_required
def event_detail(request, pk):
    scope = request.scope
    require_structure_access(scope)
    event = selectors.event_get(scope=scope, pk=pk)
    can_change = administers_organization(scope, event.organization)
    form = RegistrationForm(request.POST or None) if can_change else None
    if request.method == "POST":
        require(can_change)
        if form.is_valid():
            reg, _f = run_service(
                form,
                lambda: services.registration_create(
                    actor=request.user, event=event, **form.cleaned_data
                ),
            )
            if reg:
                messages.success(
                    request,
                    _("%(name)s is registered: %(status)s.")
                    % {"name": reg.name, "status": reg.get_status_display()},
                )
                return redirect("brands:event", event.pk)
    show = request.GET.get("show", RegistrationStatus.CONFIRMED)
    if show not in RegistrationStatus.values:
        show = RegistrationStatus.CONFIRMED
    page = Paginator(selectors.registrations_of(event=event, status=show), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "brands/event_detail.html",
        {
            "event": event,
            "page": page,
            "show": show,
            "statuses": RegistrationStatus.choices,
            "form": form,
            "can_change": can_change,
            "querystring": f"show={show}",
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def registration_change(request, pk, action):
    if action not in ("cancel", "attend", "absent"):
        raise Http404
    require_structure_access(request.scope)
    reg = selectors.registration_get(scope=request.scope, pk=pk)
    require(administers_organization(request.scope, reg.event.organization))
    try:
        if action == "cancel":
            promoted = services.registration_cancel(actor=request.user, registration=reg)
            msg = _("The registration was cancelled.")
            if promoted:
                msg += " " + _("Promoted from the waiting list: %(names)s.") % {
                    "names": "、".join(r.name for r in promoted)
                }
            messages.success(request, msg)
        else:
            services.registration_attend(
                actor=request.user, registration=reg, attended=action == "attend"
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    show = request.POST.get("show", "")
    show = show if show in RegistrationStatus.values else RegistrationStatus.CONFIRMED
    return redirect(f"{reverse('brands:event', args=[reg.event_id])}?show={show}")


# --- exports ---------------------------------------------------------------------------------
@login_required
def export_brands(request):
    require_structure_access(request.scope)
    rows = (
        [
            b.name,
            b.get_category_display(),
            b.organization.name,
            b.started_on,
            b.ended_on,
            b.record_count or 0,
            float(b.hours_total or 0),
            b.units_served or 0,
        ]
        for b in selectors.brand_list(scope=request.scope).order_by("name").iterator()
    )
    return xlsx_response(
        filename="service-brands.xlsx",
        sheet=_("Service brands"),
        headers=[
            _("Name"),
            _("Category"),
            _("Owning organization"),
            _("Started on"),
            _("Ended on"),
            _("Service records"),
            _("Hours"),
            _("Units served"),
        ],
        rows=rows,
        widths=[30, 16, 36, 12, 12, 10, 10, 10],
    )


@login_required
def export_records(request):
    require_structure_access(request.scope)
    qs = selectors.record_list(scope=request.scope).order_by("-served_on", "-pk")
    rows = (
        [
            r.served_on,
            r.brand.name,
            r.title,
            r.served_unit.name if r.served_unit else "",
            r.served_text,
            "、".join(m.name for m in r.members.all()),
            float(r.hours),
            r.outcome,
            r.feedback,
        ]
        for r in qs
    )
    return xlsx_response(
        filename="service-records.xlsx",
        sheet=_("Service records"),
        headers=[
            _("Date"),
            _("Brand"),
            _("What was done"),
            _("Served unit"),
            _("Served residents or others"),
            _("Members who served"),
            _("Hours"),
            _("Outcome"),
            _("Feedback"),
        ],
        rows=rows,
        widths=[12, 24, 36, 30, 24, 30, 8, 36, 36],
    )


@login_required
def export_problems(request):
    require_structure_access(request.scope)
    rows = (
        [
            p.reported_on,
            p.brand.name,
            p.unit.name,
            p.get_category_display(),
            p.text,
            p.get_status_display(),
            p.handler,
            p.closed_on,
            p.days_to_close,
            p.resolution or p.referred_to,
        ]
        for p in selectors.problem_list(scope=request.scope).iterator()
    )
    return xlsx_response(
        filename="enterprise-problems.xlsx",
        sheet=_("Enterprise problems"),
        headers=[
            _("Reported on"),
            _("Advisory group"),
            _("Enterprise"),
            _("Category"),
            _("Problem"),
            pgettext("problem", "Status"),
            _("Handled by"),
            _("Closed on"),
            _("Days to close"),
            _("Resolution or referral"),
        ],
        rows=rows,
        widths=[12, 24, 30, 14, 40, 10, 14, 12, 8, 40],
    )
