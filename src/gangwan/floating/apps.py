from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FloatingConfig(AppConfig):
    name = "gangwan.floating"
    label = "floating"
    verbose_name = _("Floating")
