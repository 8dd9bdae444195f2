from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    name = "gangwan.brands"
    label = "brands"
    verbose_name = _("Service brands")
    # Rule settings this app reads with core.rules.rule_value (settings.GANGWAN_RULE_DEFAULTS wins).
    rule_defaults: dict = {}

    def ready(self):
        from gangwan.core import events

        from .services import record_from_project_done

        # A finished co-building project of a brand's organization is one of its service records.
        events.subscribe("project.done", record_from_project_done)
