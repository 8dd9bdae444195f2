from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CobuildConfig(AppConfig):
    name = "gangwan.cobuild"
    label = "cobuild"
    verbose_name = _("Regional co-building")
    # Rule settings this app reads with core.rules.rule_value (settings.GANGWAN_RULE_DEFAULTS wins).
    # R48 (three lists) is a workflow whose parameters are all local configuration.
    rule_defaults: dict = {
        # public posting of needs on the portal
        "R48.needs_per_ip_per_hour": 5,
        "R48.needs_per_phone_per_day": 3,
        # a post from the same phone whose text is this similar (bigram cosine) to one of the
        # phone's needs of the last `duplicate_days` days is refused as a duplicate
        "R48.duplicate_similarity": 0.85,
        "R48.duplicate_days": 30,
        # wording that holds a post for a moderator's second look instead of the normal queue
        "R48.held_words": [
            "傻逼",
            "操你",
            "他妈的",
            "滚蛋",
            "去死",
            "骗子",
            "垃圾政府",
            "贪官",
            "fuck",
        ],
        # how many resource holders are told of a newly published need
        "R48.notify_top_holders": 5,
    }
