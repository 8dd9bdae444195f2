from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class DashboardSnapshot(models.Model):
    """The dashboard's figures for one region administrator's scope, in one language, computed by
    the worker (dashboard.snapshots) so that the page reads one row instead of a dozen aggregates
    over the district's members, activities and units (SPEC §13)."""

    scope_key = models.CharField(max_length=500)
    language = models.CharField(max_length=10)
    figures = models.JSONField(encoder=DjangoJSONEncoder)
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)  # how long computing them took

    class Meta:
        verbose_name = _("dashboard snapshot")
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key", "language"], name="dashboard_snapshot_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope_key} {self.language} {self.computed_at:%Y-%m-%d %H:%M}"
