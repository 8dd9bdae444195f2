from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "gangwan.dues"
    label = "dues"
    verbose_name = _("Dues")
