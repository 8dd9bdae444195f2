"""The incubator (SPEC §2): a unit whose full members in a reservoir (the area's regional branch)
reach R1's minimum becomes `eligible`; the regional branch proposes it, the superior committee
approves or declines (R7: reply within a month), and establishment sets up the unit's own branch."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IncubationState(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    ESTABLISHED = "established", _("Established")
    DECLINED = "declined", _("Declined")


# States in which an incubation is still under way (at most one per unit, unless it lapsed).
OPEN_STATES = (IncubationState.ELIGIBLE, IncubationState.PROPOSED, IncubationState.APPROVED)


class Incubation(models.Model):
    """One unit's way from the reservoir to its own branch. Written only by incubator.services."""

    unit = models.ForeignKey(
        "units.Unit", on_delete=models.PROTECT, related_name="incubations", verbose_name=_("unit")
    )
    regional_branch = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="incubations",
        verbose_name=_("regional comprehensive branch"),
    )
    superior_committee = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="incubations_to_decide",
        verbose_name=_("superior committee"),
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=IncubationState.choices,
        default=IncubationState.ELIGIBLE,
        db_index=True,
    )
    full_members_at_eligibility = models.PositiveIntegerField(_("full members when eligible"))
    eligible_since = models.DateTimeField(_("eligible since"))

    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposal_text = models.TextField(_("proposal"), blank=True)
    reply_due_on = models.DateField(_("reply due on"), null=True, blank=True)

    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    full_members_at_decision = models.PositiveIntegerField(null=True, blank=True)

    established_at = models.DateTimeField(_("established at"), null=True, blank=True)
    established_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    established_organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incubated_from",
        verbose_name=_("established organization"),
    )

    # An eligible unit that falls below the minimum before it is proposed is closed with a note
    # (kept, not deleted, so its history stays readable); it no longer counts as open.
    lapsed_at = models.DateTimeField(_("lapsed at"), null=True, blank=True)
    lapse_note = models.CharField(_("note"), max_length=300, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("incubation")
        verbose_name_plural = _("incubations")
        ordering = ["-eligible_since", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(state__in=["eligible", "proposed", "approved"], lapsed_at__isnull=True),
                name="one_open_incubation_per_unit",
            ),
        ]
        indexes = [models.Index(fields=["regional_branch", "state"])]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_state_display()})"

    @property
    def region(self):
        """The area of the regional branch: the audit trail is cut by it."""
        return self.regional_branch.region

    @property
    def overdue(self) -> bool:
        """R7: proposed, and the superior committee's reply is past due."""
        return (
            self.state == IncubationState.PROPOSED
            and self.reply_due_on is not None
            and self.reply_due_on < timezone.localdate()
        )

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES and self.lapsed_at is None
