"""The compliance page (SPEC §3): for any scope, drill down street → community → organizations with
their status per rule for the current and previous periods; overdue list; .xlsx export."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gangwan.core.audit import audit_record
from gangwan.core.exports import xlsx_response
from gangwan.core.permissions import administers_region, require_structure_access
from gangwan.regions.models import Region

from . import rollups, selectors
from .rules import RULES, RULES_BY_CODE, STATUS_LABELS, period_label

OVERDUE_LIST = 200


def _region(request):
    """The region asked for (404 outside the scope), else the user's single root region; None
    for secretaries (their organizations, without a region level) and for a superuser whose
    scope has several top-level regions (the page then opens on all of them)."""
    scope = request.scope
    regions = scope.regions(Region.objects.all())
    pk = request.GET.get("region")
    if pk:
        try:
            return regions.get(pk=int(pk))
        except (ValueError, Region.DoesNotExist) as exc:
            raise Http404 from exc
    if scope.everything:
        roots = list(Region.objects.filter(depth=1).order_by("path")[:2])
        return roots[0] if len(roots) == 1 else None
    if len(scope.region_paths) == 1:
        return Region.objects.get(path=scope.region_paths[0])
    return None


def _overdue_item(name, region_name, codes):
    return {
        "name": name,
        "region_name": region_name,
        "rules": [RULES_BY_CODE[c] for c in codes if c in RULES_BY_CODE],
    }


def _from_rollups(region, children):
    """Summary by child area and the overdue list from the rollups: two queries whatever the
    number of organizations below."""
    width = len(children[0].path)
    roots = [region.path] if region is not None else None
    sums = {r["prefix"]: r for r in rollups.sums_by_prefix(roots=roots, width=width)}
    summary = []
    for c in children:
        row = sums.get(c.path, {})
        summary.append(
            selectors.RegionSummary(
                region_id=c.pk,
                name=c.name,
                organizations=row.get("organizations", 0),
                pairs=row.get("pairs") or 0,
                done_current=row.get("done_current") or 0,
                done_previous=row.get("done_previous") or 0,
                overdue_orgs=row.get("overdue_orgs", 0),
            )
        )
    overdue = [
        _overdue_item(r.organization.name, r.region.name, r.overdue_rules.split(","))
        for r in rollups.overdue_rows(roots=roots, limit=OVERDUE_LIST)
    ]
    return (
        summary,
        overdue,
        sum(s.organizations for s in summary),
        sum(s.overdue_orgs for s in summary),
    )


@login_required
def index(request):
    require_structure_access(request.scope)
    scope = request.scope
    today = dt.date.today()
    region = _region(request)
    if region is not None:
        children = list(scope.regions(Region.objects.filter(parent=region)).order_by("path"))
    elif scope.everything:
        children = list(Region.objects.filter(depth=1).order_by("path"))
    else:
        children = []
    # Above the organizations' own level, a region administrator reads today's rollups.
    whole = region is None and scope.everything
    use_rollups = bool(
        children
        and (whole or (region is not None and administers_region(scope, region)))
        and rollups.is_fresh(today)
    )
    evaluated = []
    if use_rollups:
        summary, overdue, total, overdue_total = _from_rollups(region, children)
        as_of = rollups.last_refresh().finished_at
    else:
        evaluated = selectors.compliance_evaluate(scope=scope, region=region, today=today)
        summary = selectors.summary_by_child_region(evaluated, children)
        behind = [oc for oc in evaluated if oc.overdue]
        overdue = [
            _overdue_item(oc.name, oc.region_name, [st.rule.code for st in oc.overdue])
            for oc in behind[:OVERDUE_LIST]
        ]
        total, overdue_total, as_of = len(evaluated), len(behind), None
    ancestors = list(region.ancestors()) if region is not None else []
    return render(
        request,
        "compliance/index.html",
        {
            "region": region,
            "ancestors": [a for a in ancestors if scope.everything or _visible(request, a)],
            "summary": summary,
            "organizations": evaluated if not children else [],
            "show_orgs": not children,
            "overdue": overdue,
            "overdue_total": overdue_total,
            "rules": RULES,
            "today": today,
            "total": total,
            "rollup_as_of": as_of,
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
            pgettext("compliance", "Status"),
            _("Current period"),
            pgettext("compliance", "Status"),
            _("Last held on"),
        ],
        rows=rows,
        widths=[16, 30, 6, 20, 12, 10, 12, 10, 12],
    )
