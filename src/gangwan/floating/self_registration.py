"""Self-registration on the public portal ("find a home"): an arriving member fills the form,
proves his phone with a one-time code, and the station accepts (placement, as at the counter) or
rejects with a reason. Nothing waits for a station until the phone is verified.

Whether the person is a member already, or has a registration waiting, is told only after the
phone is verified: the ID number of someone else cannot be probed without his phone.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core import crypto
from gangwan.core.audit import audit_record, snapshot
from gangwan.core.notifications import notify_many
from gangwan.core.phone_verification import code_check, code_send
from gangwan.core.validators import validate_id_number, validate_phone
from gangwan.members.models import MemberStatus
from gangwan.members.selectors import member_find_by_id_number

from .models import RegisteredVia, SelfRegistration, SelfRegistrationStatus, ServiceStation
from .selectors import station_staff
from .services import _check_arrival, _clean_text, floating_register

PURPOSE = "floating.self_registration"
UNVERIFIED_TTL = dt.timedelta(days=1)


def _field_error(field: str, exc: ValidationError) -> ValidationError:
    return ValidationError({field: exc.messages})


@transaction.atomic
def self_registration_submit(
    *,
    station: ServiceStation,
    name: str,
    id_number: str,
    phone: str,
    member_status: str = MemberStatus.FULL,
    joined_on: dt.date | None = None,
    origin_organization_name: str,
    origin_region_name: str,
    arrived_on: dt.date,
    left_origin_on: dt.date | None = None,
    certificate_no: str = "",
    skills: str = "",
    on_call: bool = False,
    on_call_hours: str = "",
    today: dt.date | None = None,
) -> SelfRegistration:
    """Keep the submission (unverified) and send a code to the phone. The same person's earlier
    unverified submissions are dropped. Refused: a closed station, an invalid ID number or phone,
    missing origin, impossible dates, and what code_send refuses (too soon, too many codes)."""
    today = today or timezone.localdate()
    errors = _check_arrival(arrived_on=arrived_on, left_origin_on=left_origin_on, today=today)
    name = _clean_text(name)
    if not name:
        errors["name"] = _("Enter your name.")
    try:
        id_number = validate_id_number(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    try:
        phone = validate_phone(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if not _clean_text(origin_organization_name):
        errors["origin_organization_name"] = _("Enter the organization you come from.")
    if not _clean_text(origin_region_name):
        errors["origin_region_name"] = _("Enter the region you come from.")
    if member_status not in MemberStatus.values:
        errors["member_status"] = _("Choose full or probationary member.")
    elif member_status == MemberStatus.PROBATIONARY and joined_on is None:
        errors["joined_on"] = _(
            "A probationary member needs the joining date (probation lasts one year from it)."
        )
    if joined_on and joined_on > today:
        errors["joined_on"] = _("The joining date lies in the future.")
    if not station.active:
        errors["station"] = _("This service station is closed; choose another one.")
    if errors:
        raise ValidationError(errors)
    SelfRegistration.objects.filter(
        status=SelfRegistrationStatus.UNVERIFIED,
        id_number_hash__in=crypto.blind_indexes(id_number),
    ).delete()
    registration = SelfRegistration.objects.create(
        station=station,
        name=name,
        id_number=id_number,
        phone=phone,
        member_status=member_status,
        joined_on=joined_on,
        origin_organization_name=_clean_text(origin_organization_name),
        origin_region_name=_clean_text(origin_region_name),
        left_origin_on=left_origin_on,
        certificate_no=_clean_text(certificate_no),
        arrived_on=arrived_on,
        skills=_clean_text(skills),
        on_call=bool(on_call),
        on_call_hours=_clean_text(on_call_hours)[:60],
    )
    code_send(phone=phone, purpose=PURPOSE)
    audit_record(
        actor=None,
        action="floating.self_registration.submit",
        obj=registration,
        after=snapshot(registration),
    )
    return registration


@transaction.atomic
def self_registration_code_resend(*, registration: SelfRegistration) -> None:
    """Send a new code for an unverified submission (code_send's limits apply)."""
    if registration.status != SelfRegistrationStatus.UNVERIFIED:
        raise ValidationError(_("This registration has been verified already."))
    code_send(phone=registration.phone, purpose=PURPOSE)
    audit_record(actor=None, action="floating.self_registration.code_resend", obj=registration)


def _duplicate_message(registration: SelfRegistration) -> str | None:
    if member_find_by_id_number(registration.id_number) is not None:
        return _(
            "You are registered as a Party member in this district already. Please contact the "
            "service station directly."
        )
    waiting = (
        SelfRegistration.objects.filter(
            status=SelfRegistrationStatus.PENDING,
            id_number_hash__in=crypto.blind_indexes(registration.id_number),
        )
        .exclude(pk=registration.pk)
        .exists()
    )
    if waiting:
        return _(
            "A registration with this ID number is already waiting for a service station; the "
            "station will contact you."
        )
    return None


def self_registration_verify(*, registration: SelfRegistration, code: str) -> SelfRegistration:
    """Check the code; on success the registration waits for its station (which is told). A
    person who is a member already, or whose registration waits already, is refused and the
    submission dropped.

    Deliberately not one transaction: a wrong code must stay counted (code_check's attempts)
    although this function then refuses."""
    if registration.status != SelfRegistrationStatus.UNVERIFIED:
        raise ValidationError(_("This registration has been verified already."))
    code_check(phone=registration.phone, purpose=PURPOSE, code=code)
    message = _duplicate_message(registration)
    if message:
        self_registration_drop(registration=registration, reason=message)
        raise ValidationError(message, code="duplicate")
    try:
        return _mark_pending(registration)
    except IntegrityError:  # a twin submission was verified a moment ago
        registration.status, registration.phone_verified_at = (
            SelfRegistrationStatus.UNVERIFIED,
            None,
        )
        message = _(
            "A registration with this ID number is already waiting for a service station; the "
            "station will contact you."
        )
        self_registration_drop(registration=registration, reason=message)
        raise ValidationError(message, code="duplicate") from None


@transaction.atomic
def self_registration_drop(*, registration: SelfRegistration, reason: str) -> None:
    """Drop an unverified submission (refused as a duplicate, or abandoned after wrong codes);
    its personal data goes with it, the audit entry keeps only the masked snapshot."""
    if registration.status != SelfRegistrationStatus.UNVERIFIED:
        raise ValidationError(_("Only an unverified registration can be dropped."))
    audit_record(
        actor=None,
        action="floating.self_registration.drop",
        obj=registration,
        before=snapshot(registration),
        reason=reason,
    )
    registration.delete()


@transaction.atomic
def _mark_pending(registration: SelfRegistration) -> SelfRegistration:
    before = snapshot(registration)
    registration.status = SelfRegistrationStatus.PENDING
    registration.phone_verified_at = timezone.now()
    registration.save(update_fields=["status", "phone_verified_at"])
    audit_record(
        actor=None,
        action="floating.self_registration.verified",
        obj=registration,
        before=before,
        after=snapshot(registration),
    )
    station = registration.station
    url = reverse("floating:self_registration_detail", args=[registration.pk])
    notify_many(
        users=list(station_staff(station=station)),
        title=_("New self-registration at %(station)s") % {"station": station.name},
        body=_("%(name)s registered on the portal and waits for placement.")
        % {"name": registration.name},
        url=url,
    )
    return registration


def _lock_pending(registration: SelfRegistration) -> SelfRegistration:
    locked = (
        SelfRegistration.objects.select_for_update()
        .select_related("station", "station__region")
        .get(pk=registration.pk)
    )
    if locked.status != SelfRegistrationStatus.PENDING:
        raise ValidationError(
            _("This registration has been decided already (%(state)s).")
            % {"state": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def self_registration_accept(
    *,
    actor,
    registration: SelfRegistration,
    home_organization=None,
    unit=None,
    today: dt.date | None = None,
):
    """Accept a pending registration: the same Member and Floating record as at the counter
    (floating_register, registered via self-service), placed by choice or by the placement rule.
    Refused: a decided registration, and whatever floating_register refuses."""
    registration = _lock_pending(registration)
    floating = floating_register(
        actor=actor,
        station=registration.station,
        name=registration.name,
        id_number=registration.id_number,
        phone=registration.phone,
        status=registration.member_status,
        joined_on=registration.joined_on,
        origin_organization_name=registration.origin_organization_name,
        origin_region_name=registration.origin_region_name,
        arrived_on=registration.arrived_on,
        left_origin_on=registration.left_origin_on,
        certificate_no=registration.certificate_no,
        skills=registration.skills,
        on_call=registration.on_call,
        on_call_hours=registration.on_call_hours,
        unit=unit,
        home_organization=home_organization,
        registered_via=RegisteredVia.SELF_SERVICE,
        today=today,
    )
    before = snapshot(registration)
    registration.status = SelfRegistrationStatus.ACCEPTED
    registration.decided_at = timezone.now()
    registration.decided_by = actor
    registration.member = floating.member
    registration.save(update_fields=["status", "decided_at", "decided_by", "member"])
    audit_record(
        actor=actor,
        action="floating.self_registration.accept",
        obj=registration,
        before=before,
        after=snapshot(registration),
    )
    return floating


@transaction.atomic
def self_registration_reject(
    *, actor, registration: SelfRegistration, reason: str
) -> SelfRegistration:
    """Reject a pending registration with a reason (at least 4 characters), kept and audited."""
    reason = _clean_text(reason)
    if len(reason) < 4:
        raise ValidationError(
            {"reason": _("Give the reason for rejecting (at least 4 characters).")}
        )
    registration = _lock_pending(registration)
    before = snapshot(registration)
    registration.status = SelfRegistrationStatus.REJECTED
    registration.reject_reason = reason
    registration.decided_at = timezone.now()
    registration.decided_by = actor
    registration.save(update_fields=["status", "reject_reason", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action="floating.self_registration.reject",
        obj=registration,
        before=before,
        after=snapshot(registration),
        reason=reason,
    )
    return registration


@transaction.atomic
def self_registration_purge_unverified(*, now=None) -> int:
    """Drop submissions whose phone was never verified within a day (they hold personal data)."""
    now = now or timezone.now()
    n, _by_model = SelfRegistration.objects.filter(
        status=SelfRegistrationStatus.UNVERIFIED, created_at__lt=now - UNVERIFIED_TTL
    ).delete()
    if n:
        audit_record(actor=None, action="floating.self_registration.purge", after={"dropped": n})
    return n
