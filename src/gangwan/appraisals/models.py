"""Democratic appraisal of members (民主评议党员, R17): one round per organization and year, one
appraisal per member taking part. Full members get one of four fixed grades; probationary members
take part without a grade."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AppraisalGrade(models.TextChoices):
    """The four grades of R17 (HARD: a fixed list)."""

    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    BASICALLY_QUALIFIED = "basically_qualified", _("Basically qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class AppraisalRound(models.Model):
    """The yearly appraisal of an organization's members (those who take part in its life)."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="appraisal_rounds",
        verbose_name=_("organization"),
    )
    year = models.PositiveSmallIntegerField(_("year appraised"))
    held_on = models.DateField(_("held on"))
    # The meeting where the vote took place (an activity of kind "appraisal"), when recorded.
    activity = models.ForeignKey(
        "activities.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appraisal_rounds",
        verbose_name=_("meeting"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Why more than a third are excellent (R17 warns); also kept in the audit entry.
    excellent_reason = models.TextField(_("reason for the share of excellent"), blank=True)

    class Meta:
        verbose_name = _("appraisal round")
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="appraisal_round_one_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Appraisal(models.Model):
    round = models.ForeignKey(AppraisalRound, on_delete=models.CASCADE, related_name="appraisals")
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="appraisals",
        verbose_name=_("member"),
    )
    grade = models.CharField(
        _("grade"), max_length=20, choices=AppraisalGrade.choices, null=True, blank=True
    )
    participated = models.BooleanField(_("took part"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("appraisal")
        ordering = ["round", "member__name", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="appraisal_one_per_member"),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__in=AppraisalGrade.values),
                name="appraisal_grade_fixed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.grade or '—'}"
