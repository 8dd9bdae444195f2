"""Demonstration bases and their star assessments (SPEC §4, R45).

A district keeps versioned assessment schemes (criteria, veto items, bands, the 5★ share, the
one-step-up rule). Organizations are nominated into a batch; each year a base is assessed: the
secretary's self-assessment with evidence, independent reviewers' scores, proposed stars by the
band, a public notice with objections, then the award."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Scheme(models.Model):
    """One version of a district's star-assessment scheme. A new version never changes old ones:
    an assessment keeps the version it started under."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    version = models.PositiveIntegerField(_("version"))
    # bands: [[stars, minimum score], …] from 5 down to 1
    bands = models.JSONField(_("bands"))
    five_star_needs_innovation = models.BooleanField(
        _("five stars need points on the innovation item"), default=True
    )
    five_star_share = models.PositiveSmallIntegerField(_("five-star share cap (%)"), default=30)
    one_step_up = models.BooleanField(_("one step up a year"), default=True)
    cycle_months = models.PositiveSmallIntegerField(_("review cycle (months)"), default=12)
    reviewers_needed = models.PositiveSmallIntegerField(_("reviewers needed"), default=2)
    outlier_points = models.DecimalField(
        _("outlier distance (points)"), max_digits=5, decimal_places=1, default=10
    )
    satisfaction_weight = models.PositiveSmallIntegerField(_("satisfaction weight (%)"), default=0)
    notice_days = models.PositiveSmallIntegerField(_("public notice (days)"), default=5)
    notice_working_days = models.BooleanField(_("notice counts working days"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("assessment scheme")
        ordering = ["region", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "version"], name="scheme_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.region} v{self.version}"

    @property
    def max_total(self):
        return sum(c.max_points for c in self.criteria.all() if c.kind != CriterionKind.VETO)


class CriterionKind(models.TextChoices):
    SCORED = "scored", _("Scored criterion")
    INNOVATION = "innovation", _("Innovation item")
    VETO = "veto", _("Veto item")


class Criterion(models.Model):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=12, choices=CriterionKind.choices, default=CriterionKind.SCORED
    )
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=1, default=0)
    weight = models.DecimalField(_("weight"), max_digits=4, decimal_places=2, default=1)

    class Meta:
        verbose_name = _("criterion")
        ordering = ["scheme", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Batch(models.Model):
    """A batch of demonstration bases (e.g. 首批): candidates are nominated and rated; the quota
    is the number of bases the batch may name."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=60)
    year = models.PositiveSmallIntegerField(_("year"))
    quota = models.PositiveSmallIntegerField(_("quota"))
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name


class BaseStatus(models.TextChoices):
    NOMINATED = "nominated", _("Candidate")
    NAMED = "named", _("Named a base")


class DemonstrationBase(models.Model):
    """An organization nominated into a batch (a candidate); named a base once it holds stars."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="bases")
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="demonstration_bases",
        verbose_name=_("organization"),
    )
    status = models.CharField(
        pgettext_lazy("base", "status"),
        max_length=12,
        choices=BaseStatus.choices,
        default=BaseStatus.NOMINATED,
    )
    stars = models.PositiveSmallIntegerField(_("stars"), default=0)
    named_on = models.DateField(_("named on"), null=True, blank=True)
    rated_on = models.DateField(_("last rated on"), null=True, blank=True)
    description = models.TextField(_("what it does"), blank=True)
    nominated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("demonstration base")
        ordering = ["-stars", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="base_once_per_organization")
        ]

    def __str__(self) -> str:
        return self.organization.name if self.organization_id else "-"


class BasePhoto(models.Model):
    base = models.ForeignKey(DemonstrationBase, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("file"), upload_to="exemplars/photos/%Y/")
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    content_type = models.CharField(max_length=60)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or self.file.name


class AssessmentState(models.TextChoices):
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    REVIEWING = "reviewing", _("Reviewers scoring")
    ON_NOTICE = "on_notice", _("On public notice")
    AWARDED = "awarded", _("Awarded")


class StarAssessment(models.Model):
    """One year's star rating of a base under one scheme version."""

    base = models.ForeignKey(
        DemonstrationBase, on_delete=models.PROTECT, related_name="assessments"
    )
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=AssessmentState.choices,
        default=AssessmentState.SELF_ASSESSMENT,
    )
    self_submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    proposed_stars = models.PositiveSmallIntegerField(_("proposed stars"), null=True, blank=True)
    notice_starts_on = models.DateField(_("notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice until"), null=True, blank=True)
    awarded_stars = models.PositiveSmallIntegerField(_("awarded stars"), null=True, blank=True)
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True)
    award_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("star assessment")
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["base", "year"], name="assessment_once_a_year")
        ]
        indexes = [models.Index(fields=["state", "year"])]

    def __str__(self) -> str:
        return f"{self.base} {self.year}"


class SelfEntry(models.Model):
    """The secretary's claim for one criterion, with its evidence files."""

    assessment = models.ForeignKey(
        StarAssessment, on_delete=models.CASCADE, related_name="self_entries"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(_("claimed points"), max_digits=5, decimal_places=1, default=0)
    statement = models.TextField(_("statement"), blank=True)

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="self_entry_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.criterion_id}"


class Evidence(models.Model):
    entry = models.ForeignKey(SelfEntry, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="exemplars/evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class Review(models.Model):
    """One reviewer's independent score sheet; fixed once submitted."""

    assessment = models.ForeignKey(StarAssessment, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="star_reviews"
    )
    points = models.JSONField(default=dict)  # {criterion id: points}
    vetoes = models.JSONField(default=list)  # ids of veto items found
    total = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "reviewer"], name="review_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.reviewer_id}"


class Objection(models.Model):
    """An objection from the public during the notice; the award waits until it is answered."""

    assessment = models.ForeignKey(
        StarAssessment, on_delete=models.CASCADE, related_name="objections"
    )
    text = models.TextField(_("objection"))
    name = models.CharField(_("name (optional)"), max_length=40, blank=True)
    source_hash = models.CharField(max_length=64, blank=True)  # keyed hash of the address
    received_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    upheld = models.BooleanField(_("upheld"), default=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [
            models.Index(
                fields=["assessment"], condition=Q(answered_at__isnull=True), name="objection_open"
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]
