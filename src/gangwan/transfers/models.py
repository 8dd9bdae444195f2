"""Transfers of the organizational relationship (组织关系转接, SPEC §2, R20, R21, R24).

A `Transfer` moves a member's relationship from one organization to another. Inside the system
both ends are organizations; a transfer to or from another district names that end as text
(`to_text` / `from_text`). The member stays on the sender's roll until the receiver accepts (R21).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gangwan.core.fields import BlindIndexField, EncryptedCharField
from gangwan.members.models import MemberStatus


class TransferDirection(models.TextChoices):
    INTERNAL = "internal", _("Within the system")
    OUT = "out", _("Out of the system")
    IN = "in", _("Into the system")


class TransferState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued (in transit)")
    RECEIVED = "received", _("Received")
    RETURNED = "returned", _("Returned")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


# A member has at most one transfer in these states (R21: one relationship, one way at a time).
OPEN_STATES = (TransferState.DRAFT, TransferState.ISSUED)


class Transfer(models.Model):
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers",
        verbose_name=_("member"),
        help_text=_("Empty for a member arriving from outside the system until received."),
    )
    direction = models.CharField(_("direction"), max_length=10, choices=TransferDirection.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=TransferState.choices, default=TransferState.DRAFT
    )
    from_organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_out",
        verbose_name=_("from organization"),
    )
    from_text = models.CharField(
        _("from (outside the system)"),
        max_length=200,
        blank=True,
        help_text=_("Organization and region, e.g. 中共成都市武侯区某某社区委员会 (四川省成都市)."),
    )
    to_organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
        verbose_name=_("to organization"),
    )
    to_text = models.CharField(
        _("to (outside the system)"),
        max_length=200,
        blank=True,
        help_text=_(
            "Organization and region, e.g. 中共杭州市西湖区某某街道工作委员会 (浙江省杭州市)."
        ),
    )
    # The letter (介绍信). Letters issued here are numbered per issuing organization and year;
    # a letter from outside keeps the number printed on it.
    issuing_organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters_issued",
        verbose_name=_("issued by"),
    )
    letter_no = models.CharField(_("letter no."), max_length=60, blank=True)
    letter_year = models.PositiveSmallIntegerField(null=True, blank=True)
    letter_seq = models.PositiveIntegerField(null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    dues_paid_until = models.DateField(
        _("dues paid up to (month)"),
        null=True,
        blank=True,
        help_text=_("The first day of the last month paid."),
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)
    receipt_returned_on = models.DateField(_("receipt returned on"), null=True, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=300, blank=True)
    expired_on = models.DateField(_("marked expired on"), null=True, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoke_reason = models.CharField(_("reason for revoking"), max_length=300, blank=True)
    # A member arriving from outside the system: who is on the letter, until received.
    incoming_name = models.CharField(_("full name"), max_length=60, blank=True)
    incoming_id_number = EncryptedCharField(_("ID number"), mask="id_number", blank=True)
    incoming_id_number_hash = BlindIndexField(source="incoming_id_number")
    incoming_phone = EncryptedCharField(_("phone"), mask="phone", blank=True)
    incoming_status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, blank=True
    )
    incoming_joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state__in=["draft", "issued"]),
                name="one_open_transfer_per_member",
            ),
            models.UniqueConstraint(
                fields=["issuing_organization", "letter_year", "letter_seq"],
                condition=Q(issuing_organization__isnull=False),
                name="letter_seq_unique_per_issuer_year",
            ),
            models.UniqueConstraint(
                fields=["letter_no"],
                condition=Q(issuing_organization__isnull=False),
                name="letter_no_unique",
            ),
            models.CheckConstraint(
                condition=~Q(direction="internal")
                | Q(from_organization__isnull=False, to_organization__isnull=False),
                name="internal_transfer_has_both_ends",
            ),
            models.CheckConstraint(
                condition=~Q(direction="out") | Q(from_organization__isnull=False),
                name="outgoing_transfer_has_sender",
            ),
            models.CheckConstraint(
                condition=~Q(direction="in") | Q(to_organization__isnull=False),
                name="incoming_transfer_has_receiver",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "valid_until"]),
            models.Index(fields=["state", "received_on"]),
        ]

    def __str__(self) -> str:
        who = self.member.name if self.member_id else self.incoming_name
        return f"{who} {self.letter_no}".strip()

    @property
    def person_name(self) -> str:
        return self.member.name if self.member_id else self.incoming_name

    @property
    def incoming_id_number_masked(self) -> str:
        return self._meta.get_field("incoming_id_number").masked(self.incoming_id_number)

    @property
    def from_label(self) -> str:
        return self.from_organization.name if self.from_organization_id else self.from_text

    @property
    def to_label(self) -> str:
        return self.to_organization.name if self.to_organization_id else self.to_text

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    # The audit trail files an entry under the region of `organization` (core.audit.region_path_of):
    # the sender's for transfers leaving an organization here, the receiver's for arrivals.
    @property
    def organization(self):
        return self.from_organization or self.to_organization


class LetterCounter(models.Model):
    """The last letter number given by an issuing organization in a year. Incremented with an
    UPDATE … SET last = last + 1 inside the issuing transaction, so concurrent issues queue."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField()
    prefix = models.CharField(max_length=40)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="one_counter_per_year"),
            models.UniqueConstraint(fields=["prefix", "year"], name="letter_prefix_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last}"
