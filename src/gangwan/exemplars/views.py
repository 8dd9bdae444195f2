"""Back office of the exemplars: batches and candidates, the scheme, and each star assessment
from the self-assessment to the award. Every view checks the caller's scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gangwan.core.audit import history_for
from gangwan.core.exports import xlsx_response
from gangwan.core.models import Role
from gangwan.core.permissions import administers_region, require
from gangwan.core.rules import rule_value
from gangwan.core.viewutils import run_service
from gangwan.organizations.models import Organization

from . import selectors, services
from .forms import (
    AnswerForm,
    AwardForm,
    BaseForm,
    BatchForm,
    CriterionFormSet,
    NominateForm,
    OpenAssessmentForm,
    SchemeForm,
)
from .models import AssessmentState, BaseStatus, CriterionKind, Evidence, Objection, Scheme

EXPORT_LIMIT = 20000


def _require_access(scope):
    require(scope.has_structure_access or scope.has_role(Role.REVIEWER))


def _district(request):
    """The district a district administrator manages (403 for anyone else)."""
    d = selectors.managed_districts(request.scope).first()
    require(d is not None and administers_region(request.scope, d))
    return d


def _error(request, exc: ValidationError):
    for m in exc.messages:
        messages.error(request, m)


@login_required
def index(request):
    scope = request.scope
    _require_access(scope)
    assessments = selectors.assessment_list(
        scope=scope, user=request.user, state=request.GET.get("state", "")
    )[:200]
    district = selectors.managed_districts(scope).first()
    return render(
        request,
        "exemplars/index.html",
        {
            "batches": selectors.batch_list(scope=scope),
            "assessments": assessments,
            "states": AssessmentState.choices,
            "state": request.GET.get("state", ""),
            "district": district,
            "by_stars": selectors.bases_by_stars(scope=scope),
        },
    )


# --- batches, candidates, bases ------------------------------------------------------------------
@login_required
def batch_create(request):
    district = _district(request)
    form = BatchForm(request.POST or None, initial={"year": timezone.localdate().year, "quota": 10})
    if request.method == "POST" and form.is_valid():
        batch, _f = run_service(
            form,
            lambda: services.batch_create(actor=request.user, region=district, **form.cleaned_data),
        )
        if batch:
            return redirect("exemplars:batch", batch.pk)
    return render(request, "exemplars/form.html", {"form": form, "title": _("New batch")})


@login_required
def batch_detail(request, pk):
    scope = request.scope
    require(scope.has_structure_access)
    batch = selectors.batch_get(scope=scope, pk=pk)
    manage = selectors.can_manage(scope, batch.region)
    form = None
    if manage:
        orgs = Organization.objects.filter(
            region__path__startswith=batch.region.path, dissolved_on__isnull=True
        ).exclude(demonstration_bases__isnull=False)
        form = NominateForm(request.POST or None, organizations=orgs)
        if request.method == "POST" and form.is_valid():
            base, _f = run_service(
                form,
                lambda: services.base_nominate(
                    actor=request.user, batch=batch, **form.cleaned_data
                ),
            )
            if base:
                messages.success(request, _("%(org)s is nominated.") % {"org": base.organization})
                return redirect("exemplars:batch", batch.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "exemplars/batch_detail.html",
        {
            "batch": batch,
            "bases": selectors.base_list(scope=scope, batch=batch),
            "form": form,
            "manage": manage,
        },
    )


def _bases(request):
    return selectors.base_list(
        scope=request.scope,
        stars=request.GET.get("stars") if request.GET.get("stars", "").isdigit() else None,
        status=request.GET.get("status", "")
        if request.GET.get("status") in BaseStatus.values
        else "",
    )


@login_required
def base_list(request):
    require(request.scope.has_structure_access)
    return render(
        request,
        "exemplars/base_list.html",
        {"bases": _bases(request)[:500], "statuses": BaseStatus.choices},
    )


@login_required
def base_export(request):
    require(request.scope.has_structure_access)
    rows = (
        (
            b.organization.name,
            b.organization.region.name,
            b.batch.name,
            b.get_status_display(),
            b.stars,
            b.named_on,
            b.rated_on,
            b.description,
        )
        for b in _bases(request)[:EXPORT_LIMIT]
    )
    return xlsx_response(
        filename=f"demonstration-bases-{timezone.localdate():%Y%m%d}.xlsx",
        sheet=_("Demonstration bases"),
        headers=[
            _("organization"),
            _("area"),
            _("batch"),
            pgettext("base", "status"),
            _("stars"),
            _("named on"),
            _("last rated on"),
            _("what it does"),
        ],
        rows=rows,
        widths=[34, 14, 10, 12, 6, 12, 12, 40],
    )


@login_required
def base_print(request):
    """The printable list of awarded bases (star plaque list)."""
    require(request.scope.has_structure_access)
    bases = selectors.base_list(scope=request.scope, status=BaseStatus.NAMED).filter(stars__gte=1)
    return render(
        request, "exemplars/base_print.html", {"bases": bases, "today": timezone.localdate()}
    )


@login_required
def base_detail(request, pk):
    scope = request.scope
    require(scope.has_structure_access)
    base = selectors.base_get(scope=scope, pk=pk)
    manage = selectors.can_manage(scope, base.batch.region)
    edit = manage or selectors.can_self_assess(scope, base.organization)
    form = BaseForm(
        request.POST or None, request.FILES or None, initial={"description": base.description}
    )
    open_form = OpenAssessmentForm(initial={"year": timezone.localdate().year})
    if request.method == "POST":
        require(edit)
        if form.is_valid():
            done, _f = run_service(
                form,
                lambda: (
                    services.base_update(
                        actor=request.user,
                        base=base,
                        description=form.cleaned_data["description"],
                        photos=request.FILES.getlist("photos"),
                        caption=form.cleaned_data["caption"],
                    )
                    or True
                ),
            )
            if done:
                messages.success(request, _("Saved."))
                return redirect("exemplars:base", base.pk)
    return render(
        request,
        "exemplars/base_detail.html",
        {
            "base": base,
            "assessments": base.assessments.order_by("-year"),
            "photos": base.photos.all(),
            "form": form if edit else None,
            "open_form": open_form if manage else None,
            "manage": manage,
            "history": history_for(base)[:30],
        },
    )


@login_required
@require_POST
def base_name(request, pk):
    base = selectors.base_get(scope=request.scope, pk=pk)
    require(selectors.can_manage(request.scope, base.batch.region))
    try:
        services.base_name(actor=request.user, base=base)
        messages.success(request, _("%(org)s is named a demonstration base.") % {"org": base})
    except ValidationError as exc:
        _error(request, exc)
    return redirect("exemplars:base", base.pk)


@login_required
@require_POST
def assessment_open(request, pk):
    base = selectors.base_get(scope=request.scope, pk=pk)
    require(selectors.can_manage(request.scope, base.batch.region))
    form = OpenAssessmentForm(request.POST)
    if form.is_valid():
        try:
            a = services.assessment_open(
                actor=request.user, base=base, year=form.cleaned_data["year"]
            )
            return redirect("exemplars:assessment", a.pk)
        except ValidationError as exc:
            _error(request, exc)
    else:
        messages.error(request, _("Enter a year."))
    return redirect("exemplars:base", base.pk)


# --- the scheme ----------------------------------------------------------------------------------
@login_required
def scheme(request):
    district = _district(request)
    current = selectors.scheme_current(region=district)
    if current is None:
        # Nothing is written on a GET: the R45 defaults are shown; saving makes version 1.
        settings = services.scheme_defaults(district)
        rows = [
            {"title": t, "kind": k, "max_points": p, "weight": 1}
            for t, k, p in rule_value("R45.criteria", district)
        ]
    else:
        settings = {f: getattr(current, f) for f in services.SCHEME_FIELDS}
        rows = [
            {"title": c.title, "kind": c.kind, "max_points": c.max_points, "weight": c.weight}
            for c in current.criteria.all()
        ]
    bands = {int(s): m for s, m in settings["bands"]}
    initial = {
        **{f: settings[f] for f in services.SCHEME_FIELDS if f != "bands"},
        **{f"band{n}": bands.get(n, 0) for n in (5, 4, 3, 2)},
    }
    form = SchemeForm(request.POST or None, initial=initial)
    formset = CriterionFormSet(request.POST or None, initial=rows, prefix="c")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        criteria = [row for f in formset.forms if (row := f.row())]
        settings = {f: d[f] for f in services.SCHEME_FIELDS if f != "bands"}
        settings["bands"] = [
            [5, d["band5"]],
            [4, d["band4"]],
            [3, d["band3"]],
            [2, d["band2"]],
            [1, 0],
        ]
        new, _f = run_service(
            form,
            lambda: services.scheme_new_version(
                actor=request.user, region=district, settings=settings, criteria=criteria
            ),
        )
        if new:
            messages.success(request, _("Saved as version %(v)s.") % {"v": new.version})
            return redirect("exemplars:scheme")
    versions = Scheme.objects.filter(region=district).annotate(n=Count("assessments"))
    return render(
        request,
        "exemplars/scheme.html",
        {
            "scheme": current,
            "district": district,
            "max_total": sum(r["max_points"] for r in rows if r["kind"] != CriterionKind.VETO),
            "form": form,
            "formset": formset,
            "versions": versions,
        },
    )


# --- an assessment -------------------------------------------------------------------------------
def _assessment(request, pk):
    _require_access(request.scope)
    return selectors.assessment_get(scope=request.scope, user=request.user, pk=pk)


@login_required
def assessment_detail(request, pk):
    scope = request.scope
    a = _assessment(request, pk)
    manage = selectors.can_manage(scope, a.base.batch.region)
    sheets = selectors.review_sheets(assessment=a)
    visible = selectors.scores_visible(scope=scope, assessment=a, user=request.user)
    mine = next((r for r in sheets if r.reviewer_id == request.user.pk), None)
    criteria = list(a.scheme.criteria.all())
    result = (
        services.assessment_result(a) if visible and a.state == AssessmentState.REVIEWING else None
    )
    draft_visible = selectors.self_assessment_visible(scope=scope, assessment=a)
    return render(
        request,
        "exemplars/assessment_detail.html",
        {
            "a": a,
            "manage": manage,
            "self_assess": selectors.can_self_assess(scope, a.base.organization)
            and a.state == AssessmentState.SELF_ASSESSMENT,
            "entries": selectors.self_entries(assessment=a) if draft_visible else [],
            "draft_hidden": not draft_visible,
            "criteria": criteria,
            "vetoes": [c for c in criteria if c.kind == "veto"],
            "sheets": sheets if visible else [],
            "submitted_count": sum(1 for r in sheets if r.submitted_at),
            "visible": visible,
            "mine": mine,
            "spread": selectors.spread(assessment=a, sheets=sheets) if visible else None,
            "result": result,
            "candidates": services.reviewer_candidates(
                region=a.base.batch.region, organization=a.base.organization
            )
            if manage
            else [],
            "assigned": {r.reviewer_id for r in sheets},
            "objections": a.objections.select_related("answered_by"),
            "award_form": AwardForm(initial={"stars": a.proposed_stars}) if manage else None,
            "notice_over": a.notice_ends_on is not None and timezone.localdate() > a.notice_ends_on,
            "history": history_for(a)[:50] if manage else None,
        },
    )


@login_required
def self_assessment(request, pk):
    a = _assessment(request, pk)
    require(selectors.can_self_assess(request.scope, a.base.organization))
    entries = list(selectors.self_entries(assessment=a))
    error = None
    if request.method == "POST":
        data = {
            str(e.criterion_id): (
                request.POST.get(f"points-{e.criterion_id}", "0"),
                request.POST.get(f"statement-{e.criterion_id}", ""),
            )
            for e in entries
        }
        files = {
            str(e.criterion_id): request.FILES.getlist(f"files-{e.criterion_id}") for e in entries
        }
        try:
            services.self_assessment_save(
                actor=request.user,
                assessment=a,
                entries=data,
                files=files,
                submit="submit" in request.POST,
            )
            messages.success(request, _("Self-assessment saved."))
            return redirect("exemplars:assessment", a.pk)
        except ValidationError as exc:
            error = exc.messages
            # Show what was typed, not what is stored: nothing the secretary wrote is lost.
            for e in entries:
                e.points, e.statement = data[str(e.criterion_id)]
    return render(
        request,
        "exemplars/self_assessment.html",
        {
            "a": a,
            "entries": entries,
            "errors": error,
            "locked": a.state != AssessmentState.SELF_ASSESSMENT,
        },
        status=422 if error else 200,
    )


@login_required
def review(request, pk):
    a = _assessment(request, pk)
    mine = selectors.own_review(assessment=a, user=request.user)
    if mine is None:
        raise PermissionDenied
    if a.state == AssessmentState.SELF_ASSESSMENT:  # the draft is the organization's own
        messages.info(request, _("The self-assessment is not submitted yet."))
        return redirect("exemplars:assessment", a.pk)
    criteria = list(a.scheme.criteria.all())
    errors = None
    if request.method == "POST":
        points = {str(c.pk): request.POST.get(f"points-{c.pk}", "") for c in criteria}
        try:
            services.review_submit(
                actor=request.user,
                review=mine,
                points=points,
                vetoes=request.POST.getlist("vetoes"),
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, _("Your scores are submitted."))
            return redirect("exemplars:assessment", a.pk)
        except ValidationError as exc:
            errors = exc.messages
    return render(
        request,
        "exemplars/review.html",
        {
            "a": a,
            "mine": mine,
            "scored": [c for c in criteria if c.kind != "veto"],
            "vetoes": [c for c in criteria if c.kind == "veto"],
            "entries": selectors.self_entries(assessment=a),
            "errors": errors,
            "post": request.POST,
        },
        status=422 if errors else 200,
    )


def _managed(request, pk):
    a = _assessment(request, pk)
    require(selectors.can_manage(request.scope, a.base.batch.region))
    return a


@login_required
@require_POST
def reviewers_assign(request, pk):
    a = _managed(request, pk)
    ids = [int(i) for i in request.POST.getlist("reviewers") if i.isdigit()]
    users = list(services.reviewer_candidates(region=a.base.batch.region).filter(pk__in=ids))
    try:
        services.reviewers_assign(actor=request.user, assessment=a, reviewers=users)
        messages.success(request, _("Reviewers assigned."))
    except ValidationError as exc:
        _error(request, exc)
    return redirect("exemplars:assessment", a.pk)


@login_required
@require_POST
def notice_start(request, pk):
    a = _managed(request, pk)
    try:
        services.notice_start(actor=request.user, assessment=a)
        messages.success(request, _("The proposed result is on public notice."))
    except ValidationError as exc:
        _error(request, exc)
    return redirect("exemplars:assessment", a.pk)


@login_required
@require_POST
def objection_answer(request, pk):
    o = get_object_or_404(Objection, pk=pk)
    a = _managed(request, o.assessment_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.objection_answer(actor=request.user, objection=o, **form.cleaned_data)
            messages.success(request, _("The objection is answered."))
        except ValidationError as exc:
            _error(request, exc)
    else:
        messages.error(request, _("Write the answer to the objection."))
    return redirect("exemplars:assessment", a.pk)


@login_required
@require_POST
def award(request, pk):
    a = _managed(request, pk)
    form = AwardForm(request.POST)
    if form.is_valid():
        try:
            services.assessment_award(actor=request.user, assessment=a, **form.cleaned_data)
            messages.success(request, _("Stars awarded."))
        except ValidationError as exc:
            _error(request, exc)
    else:
        messages.error(request, _("Enter the stars to award."))
    return redirect("exemplars:assessment", a.pk)


@login_required
def evidence(request, pk):
    ev = get_object_or_404(Evidence.objects.select_related("entry"), pk=pk)
    a = _assessment(request, ev.entry.assessment_id)
    require(selectors.self_assessment_visible(scope=request.scope, assessment=a))
    return FileResponse(
        ev.file.open("rb"),
        as_attachment=ev.content_type == "application/pdf",
        filename=ev.original_name,
        content_type=ev.content_type,
    )


@login_required
def assessment_export(request):
    _require_access(request.scope)
    qs = selectors.assessment_list(scope=request.scope, user=request.user)
    rows = (
        (
            a.base.organization.name,
            a.base.batch.name,
            a.year,
            a.get_state_display(),
            a.n_submitted,
            a.score,
            _("yes") if a.vetoed else "",
            a.proposed_stars,
            a.notice_starts_on,
            a.notice_ends_on,
            a.awarded_stars,
            a.awarded_on,
        )
        for a in qs[:EXPORT_LIMIT]
    )
    return xlsx_response(
        filename=f"star-assessments-{timezone.localdate():%Y%m%d}.xlsx",
        sheet=_("Star assessments"),
        headers=[
            _("organization"),
            _("batch"),
            _("year"),
            _("state"),
            _("Scores submitted"),
            _("score"),
            _("vetoed"),
            _("proposed stars"),
            _("notice from"),
            _("notice until"),
            _("awarded stars"),
            _("awarded on"),
        ],
        rows=rows,
        widths=[34, 10, 6, 14, 8, 8, 6, 8, 12, 12, 8, 12],
    )
