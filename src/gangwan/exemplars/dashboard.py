"""The dashboard's panel: demonstration bases by stars, each bar drilling down to the list."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import selectors


def panel(request):
    scope = request.scope
    if not scope.has_structure_access:
        if not scope.has_role("reviewer"):
            return None
        # A reviewer's queue: the sheets still to score.
        return {
            "template": "exemplars/dashboard_panel.html",
            "to_score": selectors.reviews_to_score(user=request.user).count(),
        }
    counts = selectors.bases_by_stars(scope=scope)
    url = reverse("exemplars:bases")
    items = [
        {
            "key": str(n),
            "label": ngettext("%(n)s star", "%(n)s stars", n) % {"n": n},
            "value": counts.get(n, 0),
            "url": f"{url}?status=named&stars={n}",
        }
        for n in (5, 4, 3, 2, 1)
    ]
    return {
        "template": "exemplars/dashboard_panel.html",
        "total": sum(counts.values()),
        "charts": {
            "exemplars_stars": {
                "title": _("Demonstration bases by stars"),
                "type": "bar",
                "items": items,
            }
        },
    }
