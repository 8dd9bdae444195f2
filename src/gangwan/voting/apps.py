import os

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "gangwan.voting"
    label = "voting"
    verbose_name = _("Public votes")
    # Rule settings this app reads with core.rules.rule_value (settings.GANGWAN_RULE_DEFAULTS wins).
    rule_defaults: dict = {
        # Public writes: per client address and per phone (counted in the shared cache).
        # Behind a large NAT (a campus, an enterprise) raise it: GANGWAN_VOTING_CAST_PER_IP_PER_MINUTE.
        "voting.cast_per_ip_per_minute": int(
            os.environ.get("GANGWAN_VOTING_CAST_PER_IP_PER_MINUTE", "60")
        ),
        "voting.codes_per_ip_per_hour": 20,
        "voting.verify_per_phone_per_hour": 30,
        # How long a verified phone may vote before verifying again.
        "voting.verification_minutes": 30,
        # Suspicious bursts flagged for review.
        "voting.flag_network_ballots": 30,
        "voting.flag_network_minutes": 10,
        "voting.flag_same_choices_ballots": 50,
        "voting.flag_same_choices_minutes": 1,
    }
