from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "gangwan.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        from gangwan.core import events

        from .rollups import on_change

        events.subscribe(events.ACTIVITY_CHANGED, on_change)
        events.subscribe(events.ORGANIZATION_CHANGED, on_change)
