from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandsConfig(AppConfig):
    name = "gangwan.brands"
    label = "brands"
    verbose_name = _("Service brands")
    # Rule settings this app reads with core.rules.rule_value (settings.GANGWAN_RULE_DEFAULTS wins).
    rule_defaults: dict = {}
