"""The dashboard's panel for this app: panel(request) -> dict | None (see dashboard/views.py)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from . import selectors
from .models import Category, NeedState


def panel(request):
    scope = request.scope
    if not scope.has_structure_access:
        return None
    f = selectors.figures(scope=scope)
    needs_url = reverse("cobuild:needs")
    return {
        "template": "cobuild/dashboard_panel.html",
        "figures": f,
        "charts": {
            "cobuild_states": {
                "title": _("Needs by state"),
                "type": "bar",
                "items": [
                    {
                        "key": k,
                        "label": str(label),
                        "value": f["by_state"].get(k, 0),
                        "url": f"{needs_url}?state={k}",
                    }
                    for k, label in NeedState.choices
                ],
            },
            "cobuild_categories": {
                "title": _("Needs by category"),
                "type": "pie",
                "items": [
                    {
                        "key": k,
                        "label": str(label),
                        "value": f["by_category"].get(k, 0),
                        "url": f"{needs_url}?category={k}",
                    }
                    for k, label in Category.choices
                    if f["by_category"].get(k)
                ],
            },
            "cobuild_areas": {
                "title": _("Needs done, by street"),
                "type": "bar",
                "items": [
                    {
                        "key": str(i),
                        "label": r["region__parent__name"] or _("Other"),
                        "value": r["done"],
                        "url": needs_url,
                    }
                    for i, r in enumerate(f["by_area"])
                ],
            },
        },
    }
