"""The dashboard's panel for this app: panel(request) -> dict | None (see dashboard/views.py):
nominations by state, turnout by day of the newest selection's poll (from the voting app's
ballots), announced pioneers per street — for the selections the user reads."""

from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors
from .models import NominationState


def panel(request):
    scope = request.scope
    if not (scope.has_structure_access or scope.has_role("reviewer")):
        return None
    figs = selectors.figures(scope=scope, user=request.user)
    index = reverse("pioneers:index")
    sel = figs["turnout_selection"]
    sel_url = reverse("pioneers:detail", args=[sel.pk]) if sel else index
    return {
        "template": "pioneers/dashboard_panel.html",
        "nominations": [
            (k, str(label), figs["nominations"][k]) for k, label in NominationState.choices
        ],
        "turnout_selection": sel,
        "turnout_total": sum(n for _d, n in figs["turnout"]),
        "charts": {
            "pioneers_nominations": {
                "title": _("Pioneer nominations by state"),
                "type": "bar",
                "items": [
                    {"key": k, "label": str(label), "value": figs["nominations"][k], "url": index}
                    for k, label in NominationState.choices
                ],
            },
            "pioneers_turnout": {
                "title": _("Public vote: ballots by day"),
                "type": "bar",
                "items": [
                    {"key": d.isoformat(), "label": d.strftime("%m-%d"), "value": n, "url": sel_url}
                    for d, n in figs["turnout"]
                ],
            },
            "pioneers_streets": {
                "title": _("Service pioneers by street"),
                "type": "bar",
                "items": [
                    {
                        "key": str(r["street"].pk),
                        "label": r["street"].name,
                        "value": r["n"],
                        "url": reverse("pioneers_public:index"),
                    }
                    for r in figs["pioneers_by_street"]
                ],
            },
        },
    }
