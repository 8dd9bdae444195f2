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


class OrganizationStatus(models.Model):
    """The rollup of one organization's compliance as of a day (SPEC §13: pages above the
    community level read these rows, never the activities). Written by compliance.rollups: a full
    refresh once a day by the worker, and one organization's row again whenever its activities
    change. `region_path` is copied from the organization's region so a subtree is a range scan."""

    organization = models.OneToOneField(
        "organizations.Organization",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255, db_index=True)
    as_of = models.DateField()
    pairs = models.PositiveSmallIntegerField(default=0)  # rules that apply
    done_current = models.PositiveSmallIntegerField(default=0)
    done_previous = models.PositiveSmallIntegerField(default=0)
    overdue = models.BooleanField(default=False)
    overdue_rules = models.CharField(max_length=100, blank=True)  # rule codes, comma-separated

    class Meta:
        verbose_name = _("compliance rollup")
        indexes = [
            models.Index(
                fields=["region_path"],
                condition=models.Q(overdue=True),
                name="compliance_overdue_path",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.as_of} {self.done_previous}/{self.pairs}"


class ComplianceRefresh(models.Model):
    """One full refresh of the rollups: the pages trust them only on the day they were made."""

    as_of = models.DateField()
    organizations = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("compliance refresh")
        get_latest_by = "finished_at"

    def __str__(self) -> str:
        return f"{self.as_of} ({self.organizations})"
