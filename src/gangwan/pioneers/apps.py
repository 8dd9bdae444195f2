from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PioneersConfig(AppConfig):
    name = "gangwan.pioneers"
    label = "pioneers"
    verbose_name = _("Service pioneers")
    # Rule settings this app reads with core.rules.rule_value (settings.GANGWAN_RULE_DEFAULTS wins).
    rule_defaults: dict = {}
