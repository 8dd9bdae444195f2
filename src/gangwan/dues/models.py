"""Party dues (R30–R38): a yearly assessment per member, payments, reductions (R35)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules import IncomeKind, PostType


class DuesAssessment(models.Model):
    """The monthly amount in force from `valid_from` (R36: set at the start of the year; a mid-year
    re-assessment starts a new row from the month of the change)."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="dues_assessments"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    valid_from = models.DateField(_("valid from (month)"))
    income_kind = models.CharField(_("kind of income"), max_length=20, choices=IncomeKind.choices)
    post_type = models.CharField(
        _("post type"), max_length=20, choices=PostType.choices, blank=True, default=""
    )
    components = models.JSONField(_("salary components"), default=dict, blank=True)
    base = models.DecimalField(_("base"), max_digits=10, decimal_places=2, null=True, blank=True)
    monthly_amount = models.DecimalField(_("monthly amount"), max_digits=8, decimal_places=2)
    is_fixed = models.BooleanField(_("fixed amount (R34)"), default=False)
    quarterly = models.BooleanField(_("pays quarterly (branch consent)"), default=False)
    reduction = models.ForeignKey(
        "dues.DuesReduction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved reduction"),
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dues assessment")
        ordering = ["member_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["member", "valid_from"], name="dues_assessment_month")
        ]
        indexes = [models.Index(fields=["year", "member"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.valid_from:%Y-%m} {self.monthly_amount}"

    @property
    def organization(self):
        """The branch holding the membership (for the audit trail's region)."""
        return self.member.organization

    @property
    def effective_amount(self):
        """The amount due each month: an approved reduction (R35) replaces the computed amount."""
        if self.reduction_id and self.reduction.approved_on:
            return self.reduction.monthly_amount
        return self.monthly_amount


class PaymentKind(models.TextChoices):
    REGULAR = "regular", _("Regular")
    BACK = "back", _("Back payment")
    VOLUNTARY = "voluntary", _("Voluntary extra payment")


class RoutedTo(models.TextChoices):
    BRANCH = "branch", _("Branch")
    CENTRAL = "central", _("Central Committee")


class DuesPayment(models.Model):
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="dues_payments"
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="dues_payments",
        verbose_name=_("received by"),
    )
    from_month = models.DateField(_("from month"))
    to_month = models.DateField(_("to month"))
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    kind = models.CharField(_("kind"), max_length=12, choices=PaymentKind.choices)
    routed_to = models.CharField(
        _("routed to"), max_length=10, choices=RoutedTo.choices, default=RoutedTo.BRANCH
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dues payment")
        ordering = ["-paid_on", "-pk"]
        indexes = [models.Index(fields=["member", "to_month"])]

    def __str__(self) -> str:
        return f"{self.member_id} {self.from_month:%Y-%m}–{self.to_month:%Y-%m} {self.amount}"


class ReductionState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class DuesReduction(models.Model):
    """A reduction or waiver (R35): the branch asks, the next higher committee decides."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    monthly_amount = models.DecimalField(
        _("reduced monthly amount (0 waives)"), max_digits=8, decimal_places=2
    )
    reason = models.CharField(_("reason"), max_length=300)
    state = models.CharField(
        _("state"), max_length=10, choices=ReductionState.choices, default=ReductionState.PENDING
    )
    approving_organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approving committee"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_on = models.DateField(_("requested on"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    class Meta:
        verbose_name = _("dues reduction")
        ordering = ["-requested_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year} {self.monthly_amount}"

    @property
    def organization(self):
        """The branch holding the membership (for the audit trail's region)."""
        return self.member.organization
