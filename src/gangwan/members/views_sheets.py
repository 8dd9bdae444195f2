"""Spreadsheets in the back office: the import (with its template and error report) and the export
of the current list. All need structure access; everything is cut to the user's scope."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gangwan.core.permissions import require
from gangwan.core.viewutils import run_service
from gangwan.organizations.selectors import organization_list
from gangwan.units.selectors import unit_list

from . import selectors, services, sheets
from .forms import ExportRevealForm, ImportForm
from .imports import MAX_ERRORS, member_import
from .views import filter_form

REPORT_SECONDS = 3600
ERRORS_SHOWN = 100
EXPORT_MAX = 50_000


def _report_key(user, token: str) -> str:
    return f"members:import-report:{user.pk}:{token}"


@login_required
def member_import_view(request):
    """Upload a filled template; all rows are imported, or none and the errors are shown."""
    require(request.scope.has_structure_access)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = report_url = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result, _f = run_service(
            form,
            lambda: member_import(
                actor=request.user, scope=request.scope, file=upload, filename=upload.name
            ),
        )
        if result is not None and result.ok:
            messages.success(
                request,
                _("%(n)d members have been imported from %(file)s.")
                % {"n": len(result.created), "file": upload.name},
            )
            return redirect("members:list")
        if result is not None:
            # The report is kept for an hour, for this user only.
            token = secrets.token_urlsafe(16)
            cache.set(_report_key(request.user, token), result.errors, REPORT_SECONDS)
            report_url = reverse("members:import_report", args=[token])
    return render(
        request,
        "members/member_import.html",
        {
            "form": form,
            "result": result,
            "errors": result.errors[:ERRORS_SHOWN] if result else [],
            "report_url": report_url,
            "max_errors": MAX_ERRORS,
            "columns": sheets.COLUMNS,
        },
    )


@login_required
def member_import_report(request, token):
    """The error report of an import this user made within the last hour (.xlsx)."""
    require(request.scope.has_structure_access)
    errors = cache.get(_report_key(request.user, token))
    if errors is None:
        raise Http404
    return sheets.error_report_response(errors)


@login_required
def member_import_template(request):
    """The template, listing the organizations and units an import by this user may name."""
    scope = request.scope
    require(scope.has_structure_access)
    return sheets.template_response(
        organizations=organization_list(scope=scope),
        units=unit_list(scope=scope).values_list("name", "credit_code"),
    )


@login_required
def member_export(request):
    """The current (filtered) list as .xlsx with the import's columns. GET: ID numbers and phones
    masked. POST with a reason: in full, and the export is recorded in the audit trail."""
    scope = request.scope
    require(scope.has_structure_access)
    full = request.method == "POST"
    data = request.POST if full else request.GET
    form = filter_form(request, data)
    filters = form.filters()
    qs = selectors.member_list(scope=scope, **filters)
    count = qs.count()
    back = reverse("members:list") + "?" + _filters_query(data)
    if count > EXPORT_MAX:
        messages.error(
            request,
            _("%(n)d members match; narrow the list to %(max)d or fewer to export it.")
            % {"n": count, "max": EXPORT_MAX},
        )
        return redirect(back)
    if full:
        reason = ExportRevealForm(data)
        if not reason.is_valid():
            messages.error(request, _("Say why you need the full values (at least 4 characters)."))
            return redirect(back)
        paths = scope.region_paths or scope.organization_region_paths
        services.member_export_reveal(
            actor=request.user,
            reason=reason.cleaned_data["reason"],
            count=count,
            filters=filters,
            region_path=paths[0] if paths else "",
        )
    resp = sheets.export_response(qs.iterator(chunk_size=2000), full=full, filename="members.xlsx")
    if full:
        resp["Cache-Control"] = "no-store"
    return resp


def _filters_query(data) -> str:
    q = data.copy()
    for key in ("csrfmiddlewaretoken", "reason", "page"):
        q.pop(key, None)
    return q.urlencode()
