from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubatorConfig(AppConfig):
    name = "gangwan.incubator"
    label = "incubator"
    verbose_name = _("Incubator")

    def ready(self):
        # Every member change (arrival, status change to full, transfer, archiving) re-checks the
        # units it touched, so eligibility never waits for someone to look (SPEC §2, R1).
        from gangwan.core import events

        from .services import on_member_changed

        events.subscribe(events.MEMBER_CHANGED, on_member_changed)
