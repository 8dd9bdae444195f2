"""The dashboard's panel for service brands: brands, service hours by month, enterprise problems."""

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import ProblemStatus
from .selectors import dashboard_figures


def panel(request):
    scope = request.scope
    if not scope.has_structure_access:
        return None
    figures = dashboard_figures(scope=scope)
    brands_url = reverse("brands:list")
    problems_url = reverse("brands:problems")
    return {
        "template": "brands/dashboard_panel.html",
        "figures": figures,
        "charts": {
            "brand-hours": {
                "title": _("Service hours of the brands, by month"),
                "type": "bar",
                "items": [
                    {"key": m["month"], "label": m["month"], "value": m["hours"], "url": brands_url}
                    for m in figures["by_month"]
                ],
            },
            "enterprise-problems": {
                "title": _("Enterprise problems by status"),
                "type": "pie",
                "items": [
                    {
                        "key": key,
                        "label": str(label),
                        "value": figures["problems"][key],
                        "url": f"{problems_url}?status={key}",
                    }
                    for key, label in ProblemStatus.choices
                ],
            },
        },
    }
