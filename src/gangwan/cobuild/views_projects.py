"""Back office: harmony councils (members, meetings, deliberations) and the projects list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gangwan.core.exports import xlsx_response
from gangwan.core.permissions import require, require_structure_access
from gangwan.core.viewutils import querystring_without_page, run_service
from gangwan.organizations.models import Organization
from gangwan.units.models import Unit

from . import projects, selectors
from .forms import (
    AgendaForm,
    CompleteForm,
    CouncilForm,
    DecideForm,
    MeetingForm,
    MilestoneDoneForm,
    MilestoneForm,
    ProjectFilterForm,
    ProjectForm,
    SeatForm,
)
from .models import Decision, Milestone, Moderation, NeedState, ProjectStatus

EXPORT_LIMIT = 20000


def _orgs(scope):
    return scope.organizations(Organization.objects.filter(dissolved_on__isnull=True)).order_by(
        "path"
    )


def _funders():
    # A funder may be any enterprise of the district (吉利 funds a kindergarten in 芙蓉社区).
    return Unit.objects.filter(kind__endswith="enterprise", is_operating=True).order_by("name")


def _errors_to_messages(request, form):
    """Form errors as messages, each naming its field (for forms posted from another page)."""
    for name, e in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        text = " ".join(e)
        if label:
            text = _("%(field)s: %(errors)s") % {"field": label, "errors": text}
        messages.error(request, text)


# --- councils ------------------------------------------------------------------------------------
@login_required
def council_list(request):
    require_structure_access(request.scope)
    return render(
        request,
        "cobuild/council_list.html",
        {"councils": selectors.council_list(scope=request.scope)},
    )


@login_required
def council_create(request):
    require_structure_access(request.scope)
    areas = selectors.areas(request.scope).filter(level__in=["community", "village"])
    form = CouncilForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        c, _f = run_service(
            form, lambda: projects.council_create(actor=request.user, **form.cleaned_data)
        )
        if c:
            return redirect("cobuild:council", pk=c.pk)
    return render(
        request, "cobuild/form.html", {"form": form, "title": _("Set up a harmony council")}
    )


@login_required
def council_detail(request, pk):
    require_structure_access(request.scope)
    council = selectors.council_get(scope=request.scope, pk=pk)
    seats = council.seats.all()
    today = timezone.localdate()
    seat_form = SeatForm(request.POST or None)
    meeting_form = MeetingForm(None, seats=seats, initial={"held_on": today})
    if request.method == "POST":
        require(selectors.manages_region(request.scope, council.region))
        if seat_form.is_valid():
            s, _f = run_service(
                seat_form,
                lambda: projects.council_seat_add(
                    actor=request.user, council=council, **seat_form.cleaned_data
                ),
            )
            if s:
                messages.success(request, _("The council member is added."))
                return redirect("cobuild:council", pk=pk)
    return render(
        request,
        "cobuild/council_detail.html",
        {
            "council": council,
            "seats": seats,
            "today": today,
            "meetings": council.meetings.prefetch_related("present"),
            "seat_form": seat_form,
            "meeting_form": meeting_form,
            "can_manage": selectors.manages_region(request.scope, council.region),
        },
    )


@require_POST
@login_required
def meeting_create(request, pk):
    require_structure_access(request.scope)
    council = selectors.council_get(scope=request.scope, pk=pk)
    require(selectors.manages_region(request.scope, council.region))
    form = MeetingForm(request.POST, seats=council.seats.all())
    if form.is_valid():
        m, _f = run_service(
            form,
            lambda: projects.meeting_record(
                actor=request.user, council=council, **form.cleaned_data
            ),
        )
        if m:
            return redirect("cobuild:meeting", pk=m.pk)
    _errors_to_messages(request, form)
    return redirect("cobuild:council", pk=pk)


@login_required
def meeting_detail(request, pk):
    require_structure_access(request.scope)
    meeting = selectors.meeting_get(scope=request.scope, pk=pk)
    return _meeting_page(request, meeting)


def _meeting_page(request, meeting, *, agenda_form=None, decide_form=None, item_pk=None):
    """The meeting's page; a refused agenda item or decision comes back bound, with what was typed
    and its errors beside the fields (status 422)."""
    can_manage = selectors.manages_region(request.scope, meeting.council.region)
    needs = selectors.need_list(scope=request.scope, moderation=Moderation.APPROVED).filter(
        state__in=[NeedState.OPEN, NeedState.MATCHED]
    )
    agenda_form = agenda_form or AgendaForm(None, needs=needs, seats=meeting.council.seats.all())
    items = list(meeting.items.select_related("need", "proposed_by", "project"))
    decide_forms = {
        d.pk: DecideForm(
            None,
            prefix=f"d{d.pk}",
            organizations=_orgs(request.scope),
            units=_funders(),
            initial={"project_title": d.title},
        )
        for d in items
        if d.decision == Decision.PENDING
    }
    if decide_form is not None:
        decide_forms[item_pk] = decide_form
    bound = decide_form is not None or agenda_form.is_bound
    return render(
        request,
        "cobuild/meeting_detail.html",
        {
            "meeting": meeting,
            "present": meeting.present.all(),
            "items": [(d, decide_forms.get(d.pk)) for d in items],
            "agenda_form": agenda_form,
            "can_manage": can_manage,
        },
        status=422 if bound else 200,
    )


@require_POST
@login_required
def agenda_add(request, pk):
    require_structure_access(request.scope)
    meeting = selectors.meeting_get(scope=request.scope, pk=pk)
    require(selectors.manages_region(request.scope, meeting.council.region))
    needs = selectors.need_list(scope=request.scope, moderation=Moderation.APPROVED)
    form = AgendaForm(request.POST, needs=needs, seats=meeting.council.seats.all())
    if form.is_valid():
        added, _f = run_service(
            form,
            lambda: projects.deliberation_add(
                actor=request.user, meeting=meeting, **form.cleaned_data
            ),
        )
        if added:
            return redirect("cobuild:meeting", pk=pk)
    return _meeting_page(request, meeting, agenda_form=form)


@require_POST
@login_required
def deliberation_decide(request, pk, item_pk):
    require_structure_access(request.scope)
    meeting = selectors.meeting_get(scope=request.scope, pk=pk)
    require(selectors.manages_region(request.scope, meeting.council.region))
    item = get_object_or_404(meeting.items, pk=item_pk)
    form = DecideForm(
        request.POST, prefix=f"d{item.pk}", organizations=_orgs(request.scope), units=_funders()
    )
    if form.is_valid():
        d = form.cleaned_data
        project = None
        if d["create_project"] and d["decision"] == Decision.ADOPTED:
            project = {
                "title": d["project_title"],
                "region": meeting.council.region,
                "organization": d["organization"],
                "funder": d["funder"],
                "budget": d["budget"],
                "summary": item.proposal,
                "starts_on": meeting.held_on,
            }
        done, _f = run_service(
            form,
            lambda: projects.deliberation_decide(
                actor=request.user,
                deliberation=item,
                record=d["record"],
                decision=d["decision"],
                votes_for=d["votes_for"],
                votes_against=d["votes_against"],
                abstentions=d["abstentions"],
                project=project,
            ),
        )
        if done:
            messages.success(request, _("The decision is recorded."))
            item.refresh_from_db()
            if hasattr(item, "project"):
                return redirect("cobuild:project", pk=item.project.pk)
            return redirect("cobuild:meeting", pk=pk)
    return _meeting_page(request, meeting, decide_form=form, item_pk=item.pk)


# --- projects -----------------------------------------------------------------------------------
def _projects(request):
    form = ProjectFilterForm(request.GET or None)
    f = form.cleaned_data if form.is_valid() else {}
    return form, selectors.project_list(
        scope=request.scope, status=f.get("status", ""), q=f.get("q", "")
    )


@login_required
def project_list(request):
    require_structure_access(request.scope)
    form, qs = _projects(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cobuild/project_list.html",
        {"form": form, "page": page, "querystring": querystring_without_page(request)},
    )


@login_required
def project_export(request):
    require_structure_access(request.scope)
    _form, qs = _projects(request)
    rows = (
        (
            p.title,
            p.region.name,
            p.organization.name,
            p.funder.name if p.funder else "",
            p.budget,
            p.get_status_display(),
            p.starts_on,
            p.completed_on,
            p.served_text,
            p.hours,
        )
        for p in qs[:EXPORT_LIMIT]
    )
    return xlsx_response(
        filename=f"projects-{timezone.localdate():%Y%m%d}.xlsx",
        sheet=_("Projects list"),
        headers=[
            _("title"),
            _("area"),
            _("owner organization"),
            _("funder"),
            _("budget (yuan)"),
            pgettext("project", "status"),
            _("starts on"),
            _("completed on"),
            _("beneficiaries"),
            _("volunteer hours"),
        ],
        rows=rows,
        widths=[30, 14, 30, 30, 12, 10, 12, 12, 24, 10],
    )


@login_required
def project_create(request):
    require_structure_access(request.scope)
    scope = request.scope
    form = ProjectForm(
        request.POST or None,
        areas=selectors.areas(scope),
        organizations=_orgs(scope),
        units=_funders(),
        needs=selectors.need_list(scope=scope, moderation=Moderation.APPROVED).filter(
            state__in=[NeedState.OPEN, NeedState.MATCHED]
        ),
        resources=selectors.resource_list(scope=scope),
    )
    if request.method == "POST" and form.is_valid():
        p, _f = run_service(
            form, lambda: projects.project_create(actor=request.user, **form.cleaned_data)
        )
        if p:
            return redirect("cobuild:project", pk=p.pk)
    return render(request, "cobuild/form.html", {"form": form, "title": _("New project")})


@login_required
def project_detail(request, pk):
    require_structure_access(request.scope)
    project = selectors.project_get(scope=request.scope, pk=pk)
    open_ = project.status not in (ProjectStatus.DONE, ProjectStatus.CANCELLED)
    today = timezone.localdate()
    return render(
        request,
        "cobuild/project_detail.html",
        {
            "project": project,
            "needs": project.needs.select_related("region"),
            "resources": project.resources.select_related("holder_unit", "holder_organization"),
            "milestones": project.milestones.all(),
            "feedback": project.feedback.all()[:50],
            "can_manage": open_ and selectors.manages_project(request.scope, project),
            "milestone_form": MilestoneForm(),
            "done_form": MilestoneDoneForm(initial={"done_on": today}),
            "complete_form": CompleteForm(initial={"completed_on": today}),
        },
    )


@require_POST
@login_required
def milestone_add(request, pk):
    require_structure_access(request.scope)
    project = selectors.project_get(scope=request.scope, pk=pk)
    require(selectors.manages_project(request.scope, project))
    form = MilestoneForm(request.POST)
    if form.is_valid():
        run_service(
            form,
            lambda: projects.milestone_add(
                actor=request.user, project=project, **form.cleaned_data
            ),
        )
    _errors_to_messages(request, form)
    return redirect("cobuild:project", pk=pk)


@require_POST
@login_required
def milestone_done(request, pk, milestone_pk):
    require_structure_access(request.scope)
    project = selectors.project_get(scope=request.scope, pk=pk)
    require(selectors.manages_project(request.scope, project))
    milestone = get_object_or_404(Milestone, pk=milestone_pk, project=project)
    form = MilestoneDoneForm(request.POST)
    if form.is_valid():
        run_service(
            form,
            lambda: projects.milestone_done(
                actor=request.user, milestone=milestone, **form.cleaned_data
            ),
        )
    _errors_to_messages(request, form)
    return redirect("cobuild:project", pk=pk)


@require_POST
@login_required
def project_complete(request, pk):
    require_structure_access(request.scope)
    project = selectors.project_get(scope=request.scope, pk=pk)
    require(selectors.manages_project(request.scope, project))
    form = CompleteForm(request.POST)
    if form.is_valid():
        p, _f = run_service(
            form,
            lambda: projects.project_complete(
                actor=request.user, project=project, **form.cleaned_data
            ),
        )
        if p:
            messages.success(request, _("The project is done and appears on the portal."))
    _errors_to_messages(request, form)
    return redirect("cobuild:project", pk=pk)
