"""Service pioneers (SPEC §5): a selection runs grassroots nomination → committee review → public
vote (a poll of the `voting` app, linked by id only) → ranking → public notice with objections →
announcement. Announced pioneers get a public profile; "listen, see, evaluate, speak" learning
activities link to them. Written only by pioneers.services."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gangwan.core.fields import BlindIndexField, EncryptedCharField


class Phase(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NOMINATING = "nominating", _("Nominating")
    REVIEWING = "reviewing", _("Committee review")
    VOTING = "voting", _("Public vote")
    PROPOSED = "proposed", _("Proposed list")
    ON_NOTICE = "on_notice", _("On public notice")
    ANNOUNCED = "announced", _("Announced")


PHASE_ORDER = [p.value for p in Phase]


class Selection(models.Model):
    """One selection campaign (评选), e.g. "2013 区域党员服务先锋", run for a region (the district)."""

    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    quota = models.PositiveIntegerField(_("quota"), default=30)
    phase = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.DRAFT, db_index=True
    )
    nominations_close_on = models.DateField(_("nominations close on"))
    review_close_on = models.DateField(_("review closes on"))
    vote_opens_at = models.DateTimeField(_("vote opens at"))
    vote_closes_at = models.DateTimeField(_("vote closes at"))
    # Weights of the public vote and the committee's score in the ranking (CONFIG defaults,
    # copied onto the selection when it is created so a later change of the default cannot
    # change a finished ranking).
    vote_weight = models.DecimalField(
        _("weight of the public vote"), max_digits=4, decimal_places=2
    )
    committee_weight = models.DecimalField(
        _("weight of the committee score"), max_digits=4, decimal_places=2
    )
    notice_working_days = models.PositiveIntegerField(_("notice (working days)"))
    notice_starts_on = models.DateField(_("notice starts on"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice ends on"), null=True, blank=True)
    announced_on = models.DateField(_("announced on"), null=True, blank=True)
    # The public poll in the voting app (which knows nothing of pioneers): linked by id, and the
    # poll carries owner_ref "pioneers.selection:<id>".
    poll_id = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("selection")
        verbose_name_plural = _("selections")
        ordering = ["-vote_opens_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_ref(self) -> str:
        return f"pioneers.selection:{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.phase != Phase.DRAFT


class NominationState(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("nomination", "Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", pgettext_lazy("nomination", "Rejected")


class Nomination(models.Model):
    """A grassroots nomination: one nominee (a full member), the deeds, the organization's opinion."""

    selection = models.ForeignKey(
        Selection, on_delete=models.CASCADE, related_name="nominations", verbose_name=_("selection")
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("nominating organization"),
    )
    nominee = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("nominee")
    )
    headline = models.CharField(_("headline"), max_length=120, blank=True)
    deeds = models.TextField(_("deeds"))
    opinion = models.TextField(_("opinion of the nominating organization"))
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=NominationState.choices,
        default=NominationState.SUBMITTED,
        db_index=True,
    )
    decision_note = models.CharField(_("committee's conclusion"), max_length=300, blank=True)
    committee_score = models.DecimalField(
        _("committee score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    candidate_id = models.PositiveIntegerField(null=True, blank=True)  # voting.Candidate
    votes = models.PositiveIntegerField(_("votes"), null=True, blank=True)
    combined_score = models.DecimalField(
        _("combined score"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    proposed = models.BooleanField(_("on the proposed list"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["selection", "nominee"], name="pioneers_one_nomination_per_nominee"
            )
        ]
        indexes = [models.Index(fields=["selection", "state"])]

    def __str__(self) -> str:
        return f"{self.nominee.name} ({self.selection})"

    @property
    def region(self):
        return self.organization.region

    @property
    def ref(self) -> str:
        return f"pioneers.nomination:{self.pk}"


class NominationPhoto(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to="pioneers/%Y/%m/")
    content_type = models.CharField(max_length=60)
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.nomination_id}: {self.file.name}"


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", pgettext_lazy("review", "Reject")


class Review(models.Model):
    """One committee reviewer's verdict on one nomination: approve or reject, a reason, a score."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    score = models.PositiveSmallIntegerField(_("score (0–100)"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "reviewer"], name="pioneers_one_review_per_reviewer"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="pioneers_score_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.nomination_id}: {self.decision} {self.score}"

    @property
    def region(self):
        return self.nomination.organization.region


class Objection(models.Model):
    """An objection raised by the public during the notice. Counted once its phone is verified;
    an unanswered verified objection blocks the announcement."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="objections")
    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="objections", verbose_name=_("about")
    )
    name = models.CharField(_("your name"), max_length=60, blank=True)
    text = models.TextField(_("objection"))
    phone = EncryptedCharField(_("phone"), mask="phone")
    phone_hash = BlindIndexField(source="phone")
    verified_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objection")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["selection", "verified_at", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.nomination_id}: {self.text[:40]}"

    @property
    def region(self):
        return self.selection.region

    @property
    def phone_masked(self) -> str:
        return type(self)._meta.get_field("phone").masked(self.phone)


class Pioneer(models.Model):
    """An announced regional service pioneer: the public profile shows the nomination's deeds."""

    selection = models.ForeignKey(Selection, on_delete=models.PROTECT, related_name="pioneers")
    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="pioneer")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(_("rank"))
    announced_on = models.DateField(_("announced on"))

    class Meta:
        verbose_name = _("regional service pioneer")
        verbose_name_plural = _("regional service pioneers")
        ordering = ["selection", "rank"]

    def __str__(self) -> str:
        return self.member.name

    @property
    def region(self):
        return self.nomination.organization.region


class PioneerLearning(models.Model):
    """A "listen, see, evaluate, speak" learning activity (activities.Activity of kind
    exemplar_learning) held about a pioneer."""

    pioneer = models.ForeignKey(Pioneer, on_delete=models.CASCADE, related_name="learnings")
    activity = models.ForeignKey("activities.Activity", on_delete=models.CASCADE, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-activity__held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pioneer", "activity"], name="pioneers_learning_once")
        ]

    def __str__(self) -> str:
        return f"{self.pioneer_id} ← {self.activity_id}"

    @property
    def region(self):
        return self.activity.organization.region
