"""The compliance page (SPEC §3): for any scope, drill down street → community → organizations with
their status per rule for the current and previous periods; overdue list; .xlsx export."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from gangwan.core.audit import audit_record
from gangwan.core.exports import xlsx_response
from gangwan.core.permissions import require_structure_access
from gangwan.regions.models import Region

from . import selectors
from .rules import RULES, STATUS_LABELS, period_label

OVERDUE_LIST = 200


def _region(request):
    """The region asked for (404 outside the scope), else the user's single root region."""
    scope = request.scope
    regions = scope.regions(Region.objects.all())
    pk = request.GET.get("region")
    if pk:
        try:
            return regions.get(pk=int(pk))
        except (ValueError, Region.DoesNotExist) as exc:
            raise Http404 from exc
    if scope.everything:
        return Region.objects.filter(depth=1).order_by("path").first()
    if len(scope.region_paths) == 1:
        return Region.objects.get(path=scope.region_paths[0])
    return None  # secretaries: their organizations, without a region level


@login_required
def index(request):
    require_structure_access(request.scope)
    today = dt.date.today()
    region = _region(request)
    evaluated = selectors.compliance_evaluate(scope=request.scope, region=region, today=today)
    children = []
    if region is not None:
        children = list(
            request.scope.regions(Region.objects.filter(parent=region)).order_by("path")
        )
    summary = selectors.summary_by_child_region(evaluated, children)
    show_orgs = not children
    overdue = [oc for oc in evaluated if oc.overdue][:OVERDUE_LIST]
    ancestors = list(region.ancestors()) if region is not None else []
    return render(
        request,
        "compliance/index.html",
        {
            "region": region,
            "ancestors": [a for a in ancestors if request.scope.everything or _visible(request, a)],
            "summary": summary,
            "organizations": evaluated if show_orgs else [],
            "show_orgs": show_orgs,
            "overdue": overdue,
            "overdue_total": sum(1 for oc in evaluated if oc.overdue),
            "rules": RULES,
            "today": today,
            "total": len(evaluated),
        },
    )


def _visible(request, region) -> bool:
    return any(region.path.startswith(p) for p in request.scope.region_paths)


@login_required
def export(request):
    require_structure_access(request.scope)
    today = dt.date.today()
    region = _region(request)
    evaluated = selectors.compliance_evaluate(scope=request.scope, region=region, today=today)
    rows = []
    for oc in evaluated:
        for st in oc.statuses:
            rows.append(
                [
                    oc.region_name,
                    oc.name,
                    st.rule.code,
                    str(st.rule.label),
                    period_label(st.previous_start, st.period),
                    str(STATUS_LABELS[st.previous]),
                    period_label(st.current_start, st.period),
                    str(STATUS_LABELS[st.current]),
                    st.last_held_on,
                ]
            )
    audit_record(
        actor=request.user,
        action="compliance.export",
        after={"region": region.pk if region else None, "rows": len(rows)},
    )
    return xlsx_response(
        filename=f"compliance-{today}.xlsx",
        sheet=_("Compliance"),
        headers=[
            _("Area"),
            _("Organization"),
            _("Rule"),
            _("Activity"),
            _("Previous period"),
            _("Status"),
            _("Current period"),
            _("Status"),
            _("Last held on"),
        ],
        rows=rows,
        widths=[16, 30, 6, 20, 12, 10, 12, 10, 12],
    )
