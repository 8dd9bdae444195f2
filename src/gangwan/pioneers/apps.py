from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PioneersConfig(AppConfig):
    name = "gangwan.pioneers"
    label = "pioneers"
    verbose_name = _("Service pioneers")
    # Rule settings this app reads with core.rules.rule_value (settings.GANGWAN_RULE_DEFAULTS wins).
    # The public vote is one input, never the sole basis (SPEC §5): weights of the normalized vote
    # share and of the committee's score; the notice lasts 5 working days (RULES R42, local CONFIG).
    rule_defaults: dict = {
        "pioneers.vote_weight": "0.40",
        "pioneers.committee_weight": "0.60",
        "pioneers.notice_working_days": 5,
        "pioneers.objections_per_ip_per_hour": 5,
        "pioneers.objections_per_phone_per_day": 3,
    }
