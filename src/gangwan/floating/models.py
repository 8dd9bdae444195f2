"""Floating members and the service stations that give them a home (SPEC §2, R22, R23).

A floating member is a `members.Member` with `is_floating=True` and one `Floating` record that says
where he comes from (origin organization and region, as text: they lie outside the system), when he
arrived, which station registered him, and when he found a home here (`home_found_on`, his first
attended organizational life). A `SelfRegistration` is what an arriving member submits on the
public portal; the station turns it into a Member and a Floating record, or rejects it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gangwan.core.fields import BlindIndexField, EncryptedCharField
from gangwan.members.models import MemberStatus


class ServiceStation(models.Model):
    """A floating-member service station in a community or village. Its staff are the users that
    hold the role `station_staff` on the station's region (core.RoleAssignment)."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="service_stations",
        verbose_name=_("community"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("station phone"), max_length=30, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("floating-member service station")
        verbose_name_plural = _("floating-member service stations")
        ordering = ["region__path", "name"]

    def __str__(self) -> str:
        return self.name


class RegisteredVia(models.TextChoices):
    COUNTER = "counter", _("At the station's counter")
    SELF_SERVICE = "self_service", _("Self-registration on the portal")


class Floating(models.Model):
    """What the district knows of a floating member beyond the Member record (R22, R23)."""

    member = models.OneToOneField(
        "members.Member",
        on_delete=models.CASCADE,
        related_name="floating",
        verbose_name=_("Party member"),
    )
    origin_organization_name = models.CharField(_("origin organization"), max_length=150)
    origin_region_name = models.CharField(_("origin region"), max_length=100)
    left_origin_on = models.DateField(_("left the origin on"), null=True, blank=True)
    certificate_no = models.CharField(_("activity certificate no."), max_length=40, blank=True)
    certificate_reviewed_on = models.DateField(
        _("certificate last reviewed on"), null=True, blank=True
    )
    arrived_on = models.DateField(_("arrived here on"))
    station = models.ForeignKey(
        ServiceStation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="floatings",
        verbose_name=_("service station"),
    )
    placed_on = models.DateField(_("placed on"), null=True, blank=True)
    home_found_on = models.DateField(_("found a home on"), null=True, blank=True, db_index=True)
    first_activity = models.CharField(_("first organizational life"), max_length=200, blank=True)
    registered_via = models.CharField(
        _("registered"), max_length=20, choices=RegisteredVia.choices, default=RegisteredVia.COUNTER
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("floating member record")
        verbose_name_plural = _("floating member records")
        indexes = [
            models.Index(fields=["station", "home_found_on"]),
            models.Index(fields=["certificate_reviewed_on"]),
        ]

    def __str__(self) -> str:
        return str(self.member)

    @property
    def region(self):
        """Where the record belongs for the audit trail: its station's community, else the area
        of the member's home organization."""
        if self.station_id:
            return self.station.region
        return self.member.home_organization.region

    @property
    def days_to_home(self) -> int | None:
        if self.home_found_on is None:
            return None
        return (self.home_found_on - self.arrived_on).days


class SelfRegistrationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Phone not yet verified")
    PENDING = "pending", _("Awaiting the station")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class SelfRegistration(models.Model):
    """A registration submitted on the public portal ("find a home"). It waits for the phone code
    (`unverified`), then for the station (`pending`), which accepts it (a Member and a Floating
    record are made) or rejects it with a reason."""

    station = models.ForeignKey(
        ServiceStation,
        on_delete=models.PROTECT,
        related_name="self_registrations",
        verbose_name=_("service station"),
    )
    name = models.CharField(_("full name"), max_length=60)
    id_number = EncryptedCharField(_("ID number"), mask="id_number")
    id_number_hash = BlindIndexField(source="id_number")
    phone = EncryptedCharField(_("mobile phone"), mask="phone")
    phone_hash = BlindIndexField(source="phone")
    phone_verified_at = models.DateTimeField(_("phone verified at"), null=True, blank=True)
    member_status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.FULL
    )
    origin_organization_name = models.CharField(_("origin organization"), max_length=150)
    origin_region_name = models.CharField(_("origin region"), max_length=100)
    joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    left_origin_on = models.DateField(_("left the origin on"), null=True, blank=True)
    certificate_no = models.CharField(_("activity certificate no."), max_length=40, blank=True)
    arrived_on = models.DateField(_("arrived here on"))
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    on_call = models.BooleanField(_("on call"), default=False)
    on_call_hours = models.CharField(_("on-call hours"), max_length=60, blank=True)
    status = models.CharField(
        _("state"),
        max_length=20,
        choices=SelfRegistrationStatus.choices,
        default=SelfRegistrationStatus.UNVERIFIED,
        db_index=True,
    )
    reject_reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("self-registration")
        verbose_name_plural = _("self-registrations")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One registration per person waits for a station at a time.
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=Q(status="pending"),
                name="one_pending_self_registration_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def region(self):
        return self.station.region

    @property
    def id_number_masked(self) -> str:
        return self._meta.get_field("id_number").masked(self.id_number)

    @property
    def phone_masked(self) -> str:
        return self._meta.get_field("phone").masked(self.phone)
