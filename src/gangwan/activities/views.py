from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core.exports import xlsx_response
from gangwan.core.permissions import administers_organization, require, require_structure_access
from gangwan.core.viewutils import querystring_without_page, run_service

from . import rules, selectors, services
from .forms import (
    DECISION_ROWS,
    ActivityFilterForm,
    ActivityForm,
    attendance_from_post,
    decisions_from_post,
)
from .models import ActivityKind, AttendanceStatus, PartyGroup

EXPORT_LIMIT = 20000


def _filtered(request):
    orgs = selectors.activity_organizations(scope=request.scope)
    # The filter's options need only ids and names (str() of an organization is its name).
    form = ActivityFilterForm(
        request.GET or None, organizations=orgs.select_related(None).only("id", "name")
    )
    f = form.cleaned_data if form.is_valid() else {}
    qs = selectors.activity_list(
        scope=request.scope,
        kind=f.get("kind", ""),
        organization=f.get("organization"),
        date_from=f.get("date_from"),
        date_to=f.get("date_to"),
    )
    return form, qs


@login_required
def activity_list(request):
    require_structure_access(request.scope)
    form, qs = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/activity_list.html",
        {"form": form, "page": page, "querystring": querystring_without_page(request)},
    )


@login_required
def activity_export(request):
    require_structure_access(request.scope)
    _form, qs = _filtered(request)
    rows = (
        (
            a.held_on,
            a.starts_at.strftime("%H:%M") if a.starts_at else "",
            a.organization.name,
            a.get_kind_display(),
            a.topic,
            a.place,
            a.host,
            a.recorder,
            a.n_expected,
            a.n_present,
        )
        for a in qs[:EXPORT_LIMIT]
    )
    return xlsx_response(
        filename=f"activities-{timezone.localdate():%Y%m%d}.xlsx",
        sheet=_("Activities"),
        headers=[
            _("date"),
            _("time"),
            _("organization"),
            _("kind"),
            _("topic"),
            _("place"),
            _("host"),
            _("recorder"),
            _("Expected"),
            _("Present"),
        ],
        rows=rows,
        widths=[12, 8, 30, 16, 30, 20, 10, 10, 8, 8],
    )


def _summary(activity):
    c = services.activity_counts(activity)
    valid, counted, base = rules.quorum_of(activity.kind, c)
    vote_base = c.expected if activity.kind == ActivityKind.COMMITTEE_MEETING else c.voting_expected
    return {
        "counts": c,
        "quorum_valid": valid,
        "quorum_counted": counted,
        "quorum_base": base,
        "quorum_needed": rules.pass_threshold(base),
        "pass_needed": rules.pass_threshold(vote_base),
        "vote_base": vote_base,
    }


@login_required
def activity_detail(request, pk):
    require_structure_access(request.scope)
    activity = selectors.activity_get(scope=request.scope, pk=pk)
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "attendances": selectors.activity_attendances(activity=activity),
            "decisions": activity.decisions.all(),
            "attachments": activity.attachments.all(),
            "partners": activity.partners.order_by("path"),
            "can_edit": administers_organization(request.scope, activity.organization),
            **_summary(activity),
        },
    )


@login_required
def activity_pdf(request, pk):
    require_structure_access(request.scope)
    activity = selectors.activity_get(scope=request.scope, pk=pk)
    from .pdf import meeting_record_pdf

    data = meeting_record_pdf(
        activity=activity,
        attendances=list(selectors.activity_attendances(activity=activity)),
        decisions=list(activity.decisions.all()),
        summary=_summary(activity),
    )
    resp = HttpResponse(data, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="activity-{activity.pk}.pdf"'
    return resp


@login_required
def attachment_download(request, pk, attachment_pk):
    require_structure_access(request.scope)
    activity = selectors.activity_get(scope=request.scope, pk=pk)
    att = get_object_or_404(activity.attachments, pk=attachment_pk)
    return FileResponse(
        att.file.open("rb"),
        as_attachment=att.content_type == "application/pdf",
        filename=att.original_name,
        content_type=att.content_type,
    )


def _grid(members, data=None, rows=None):
    """Rows of the attendance grid: (member, status, reason, has_vote)."""
    out = []
    if rows is not None:
        for a in rows:
            status = data.get(f"status-{a.member_id}", a.status) if data else a.status
            reason = data.get(f"reason-{a.member_id}", a.reason) if data else a.reason
            out.append((a.member, status, reason, a.has_vote))
        return out
    for m in members:
        status = data.get(f"status-{m.pk}", AttendanceStatus.PRESENT) if data else "present"
        reason = data.get(f"reason-{m.pk}", "") if data else ""
        out.append((m, status, reason, None))
    return out


def _form_context(**kw):
    return {
        "statuses": AttendanceStatus.choices,
        "decision_rows": range(DECISION_ROWS),
        **kw,
    }


@login_required
def activity_create(request):
    scope = request.scope
    require_structure_access(scope)
    orgs = selectors.activity_organizations(scope=scope)
    src = request.POST if request.method == "POST" else request.GET
    org = None
    if src.get("organization", "").isdigit():
        org = get_object_or_404(orgs, pk=src["organization"])
    if org is None and request.method == "GET":
        only = list(orgs[:2])
        org = only[0] if len(only) == 1 else None
    groups = selectors.party_groups(organization=org) if org else PartyGroup.objects.none()
    kind = src.get("kind") or ActivityKind.GENERAL_MEETING
    group = (
        groups.filter(pk=src["party_group"]).first()
        if src.get("party_group", "").isdigit()
        else None
    )
    initial = {
        "organization": org,
        "kind": kind,
        "held_on": timezone.localdate(),
        "party_group": group,
    }
    partners = (
        selectors.partner_organizations(scope=scope, organization=org)
        if org and kind == ActivityKind.JOINT_ACTIVITY
        else None
    )
    form = ActivityForm(
        request.POST or None,
        organizations=orgs,
        groups=groups,
        partners=partners,
        initial=initial,
    )
    expected = (
        selectors.expected_members(organization=org, kind=kind, party_group=group) if org else []
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        require(administers_organization(scope, d["organization"]))
        activity, _f = run_service(
            form,
            lambda: services.activity_record(
                actor=request.user,
                organization=d["organization"],
                kind=d["kind"],
                party_group=d["party_group"],
                held_on=d["held_on"],
                starts_at=d["starts_at"],
                place=d["place"],
                topic=d["topic"],
                host=d["host"],
                recorder=d["recorder"],
                minutes=d["minutes"],
                partners=d.get("partners"),
                attendance=attendance_from_post(request.POST, [m.pk for m in expected]),
                decisions=decisions_from_post(request.POST),
                attachments=request.FILES.getlist("attachments"),
            ),
        )
        if activity:
            messages.success(request, _("The activity has been recorded."))
            return redirect("activities:detail", pk=activity.pk)
    return render(
        request,
        "activities/activity_form.html",
        _form_context(
            form=form,
            org=org,
            grid=_grid(expected, request.POST or None),
            title=_("Record an activity"),
            post=request.POST,
        ),
    )


@login_required
def activity_edit(request, pk):
    scope = request.scope
    require_structure_access(scope)
    activity = selectors.activity_get(scope=scope, pk=pk)
    require(administers_organization(scope, activity.organization))
    initial = {k: getattr(activity, k) for k in services.FIELDS}
    partners = None
    if activity.kind == ActivityKind.JOINT_ACTIVITY:
        partners = selectors.partner_organizations(scope=scope, organization=activity.organization)
        initial["partners"] = list(activity.partners.all())
    form = ActivityForm(
        request.POST or None,
        organizations=None,
        groups=None,
        partners=partners,
        editing=True,
        initial=initial,
    )
    rows = list(selectors.activity_attendances(activity=activity))
    if request.method == "POST" and form.is_valid():
        done, _f = run_service(
            form,
            lambda: services.activity_update(
                actor=request.user,
                activity=activity,
                attendance=attendance_from_post(request.POST, [a.member_id for a in rows]),
                decisions=decisions_from_post(request.POST),
                attachments=request.FILES.getlist("attachments"),
                **form.cleaned_data,
            ),
        )
        if done:
            messages.success(request, _("The activity has been updated."))
            return redirect("activities:detail", pk=activity.pk)
    return render(
        request,
        "activities/activity_form.html",
        _form_context(
            form=form,
            org=activity.organization,
            activity=activity,
            grid=_grid(None, request.POST or None, rows=rows),
            title=_("Edit the activity record"),
            post=request.POST,
        ),
    )


def _removal(request, pk, queryset_of, service, label):
    """POST only: remove a decision or an attachment of an activity the user administers."""
    require_structure_access(request.scope)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    activity = selectors.activity_get(scope=request.scope, pk=pk)
    require(administers_organization(request.scope, activity.organization))
    obj = get_object_or_404(queryset_of(activity))
    try:
        service(actor=request.user, obj=obj, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, label)
    return redirect("activities:detail", pk=activity.pk)


@login_required
def decision_remove(request, pk, decision_pk):
    return _removal(
        request,
        pk,
        lambda a: a.decisions.filter(pk=decision_pk),
        lambda *, actor, obj, reason: services.decision_remove(
            actor=actor, decision=obj, reason=reason
        ),
        _("The decision has been removed."),
    )


@login_required
def attachment_remove(request, pk, attachment_pk):
    return _removal(
        request,
        pk,
        lambda a: a.attachments.filter(pk=attachment_pk),
        lambda *, actor, obj, reason: services.attachment_remove(
            actor=actor, attachment=obj, reason=reason
        ),
        _("The attachment has been removed."),
    )
