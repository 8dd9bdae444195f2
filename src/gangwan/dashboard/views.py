from importlib import import_module

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gangwan.incubator.models import IncubationState

from .selectors import dashboard_figures, members_issue_figures, organizational_life_figures
from .snapshots import snapshot_for, snapshot_store

# Apps that add a panel to the dashboard: each module has panel(request) -> dict | None, the dict
# naming its "template" (rendered with the dict as `panel`) and optionally "charts" (merged into
# the page's ECharts, same shape as below).
PANEL_MODULES = (
    "gangwan.exemplars.dashboard",
    "gangwan.brands.dashboard",
    "gangwan.pioneers.dashboard",
    "gangwan.voting.dashboard",
    "gangwan.cobuild.dashboard",
)


def _panels(request):
    panels = []
    for name in PANEL_MODULES:
        panel = import_module(name).panel(request)
        if panel:
            panels.append(panel)
    return panels


@login_required
def home(request):
    scope = request.scope
    ctx = {"has_structure": scope.has_structure_access}
    if scope.has_structure_access:
        snapshot = None
        if request.GET.get("fresh"):
            # Recompute now, and keep the result for the next visits of this scope.
            snapshot = snapshot_store(scope, language=get_language())
        else:
            snapshot = snapshot_for(scope, language=get_language())
        if snapshot is not None:
            figures = snapshot.figures["figures"]
            ctx["snapshot_at"] = snapshot.computed_at
        else:
            figures = dashboard_figures(scope=scope)
        cov = figures["coverage"]
        coverage_url = reverse("organizations:coverage")
        ctx["figures"] = figures
        ctx["charts"] = {
            "kinds": {
                "title": _("Organizations by kind"),
                "type": "bar",
                "items": [
                    {**i, "url": reverse("organizations:list") + f"?kind={i['key']}"}
                    for i in figures["organizations_by_kind"]
                ],
            },
            "status": {
                "title": _("Members by status"),
                "type": "pie",
                "items": [
                    {**i, "url": reverse("members:list") + f"?status={i['key']}"}
                    for i in figures["members_by_status"]
                ],
            },
            "coverage": {
                "title": _("Coverage of non-public enterprises (%)"),
                "type": "bar",
                "max": 100,
                "items": [
                    {
                        "key": "organization",
                        "label": _("Organization coverage"),
                        "value": cov["organization_coverage"] or 0,
                        "url": coverage_url + "?show=covered",
                    },
                    {
                        "key": "own",
                        "label": _("Own-organization rate"),
                        "value": cov["own_organization_rate"] or 0,
                        "url": coverage_url + "?show=covered",
                    },
                    {
                        "key": "union",
                        "label": _("Union coverage"),
                        "value": cov["union_coverage"] or 0,
                        "url": coverage_url + "?show=union",
                    },
                    {
                        "key": "work",
                        "label": _("Work coverage"),
                        "value": cov["work_coverage"] or 0,
                        "url": coverage_url + "?show=uncovered",
                    },
                ],
            },
        }
        more = snapshot.figures["more"] if snapshot else members_issue_figures(scope=scope)
        ctx["more"] = more
        floating_url = reverse("floating:home")
        ctx["charts"]["days_to_home"] = {
            "title": _("Median days from arrival to home, by street"),
            "type": "bar",
            "items": [
                {
                    "key": str(r["street_id"]),
                    "label": r["street"] or _("Other"),
                    "value": r["median_days_to_home"] or 0,
                    "url": floating_url,
                }
                for r in more["floating"]["by_street"]
            ],
        }
        incubator_url = reverse("incubator:index")
        ctx["charts"]["incubations"] = {
            "title": _("Incubations by state"),
            "type": "bar",
            "items": [
                {
                    "key": k,
                    "label": str(label),
                    "value": more["incubations"].get(k, 0),
                    "url": incubator_url,
                }
                for k, label in IncubationState.choices
            ],
        }
        life = snapshot.figures["life"] if snapshot else organizational_life_figures(scope=scope)
        ctx["life"] = life
        compliance_url = reverse("compliance:index")
        ctx["charts"]["compliance"] = {
            "title": _("Organizational life done in the last period, by street (%)"),
            "type": "bar",
            "max": 100,
            "items": [
                {
                    "key": str(r["region_id"]),
                    "label": r["name"],
                    "value": r["rate"],
                    "url": f"{compliance_url}?region={r['region_id']}",
                }
                for r in life["compliance_by_street"]
            ],
        }
    ctx["panels"] = _panels(request)
    if scope.has_structure_access:
        for panel in ctx["panels"]:
            ctx["charts"].update(panel.get("charts") or {})
    return render(request, "dashboard/home.html", ctx)
