from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    UPCOMING = "upcoming", _("Before the period ends")
    OVERDUE = "overdue", _("Overdue")


class ReminderSent(models.Model):
    """A compliance reminder sent once per (organization, rule, period, kind of reminder)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    rule = models.CharField(_("rule"), max_length=10)
    period_start = models.DateField(_("period starts"))
    kind = models.CharField(_("reminder"), max_length=10, choices=ReminderKind.choices)
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("compliance reminder")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "rule", "period_start", "kind"],
                name="compliance_reminder_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.rule} {self.period_start} {self.kind}"
