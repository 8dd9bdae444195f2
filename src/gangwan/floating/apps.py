from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FloatingConfig(AppConfig):
    name = "gangwan.floating"
    label = "floating"
    verbose_name = _("Floating")

    def ready(self):
        # The inactivity list (R27) counts a floating member from his arrival here, not from joining.
        from django.db.models import DateField, OuterRef, Subquery

        from gangwan.members.inactivity import register_arrival_source

        from .models import Floating

        register_arrival_source(
            lambda: Subquery(
                Floating.objects.filter(member=OuterRef("pk")).values("arrived_on")[:1],
                output_field=DateField(),
            )
        )
