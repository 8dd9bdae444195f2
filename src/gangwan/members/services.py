"""Member records (minimal in the Foundation; the Members issue completes them)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gangwan.core import crypto
from gangwan.core.audit import audit_record, snapshot
from gangwan.core.errors import enforce
from gangwan.core.validators import parse_id_number, validate_id_number, validate_phone
from gangwan.organizations import rules as org_rules

from .models import Member, MemberStatus

MEMBER_FIELDS = {
    "name",
    "id_number",
    "phone",
    "organization",
    "home_organization",
    "unit",
    "status",
    "joined_on",
    "is_floating",
    "gender",
    "birth_date",
}


def _clean(member: Member, *, gender_given: bool, birth_given: bool) -> None:
    member.name = (member.name or "").strip()
    if not member.name:
        raise ValidationError({"name": _("Enter the member's name.")})
    try:
        member.id_number = validate_id_number(
            member.id_number,
            birth_date=member.birth_date if birth_given else None,
            gender=member.gender if gender_given else None,
        )
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages}) from None
    member.birth_date, member.gender = parse_id_number(member.id_number)
    if member.phone:
        try:
            member.phone = validate_phone(member.phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None
    clash = (
        Member.objects.filter(id_number_hash__in=crypto.blind_indexes(member.id_number))
        .exclude(pk=member.pk)
        .first()
    )
    if clash:
        raise ValidationError(
            {"id_number": _("A member with this ID number is already registered.")}
        )
    if member.organization_id is None:
        raise ValidationError(
            {"organization": _("Choose the organization that holds the membership.")}
        )
    if member.home_organization_id is None:
        member.home_organization = member.organization
    if member.organization.dissolved_on or member.home_organization.dissolved_on:
        raise ValidationError(_("A member cannot be placed in a dissolved organization."))


@transaction.atomic
def member_create(*, actor, reason: str = "", **fields) -> Member:
    """Register a member. Refused: an invalid ID number (GB 11643) or one that disagrees with the
    given birth date/gender, a duplicate ID number, recruiting into a temporary branch (R4)."""
    unknown = set(fields) - MEMBER_FIELDS
    if unknown:
        raise ValueError(f"member_create: unknown fields {unknown}")
    gender_given, birth_given = bool(fields.get("gender")), bool(fields.get("birth_date"))
    member = Member(**fields)
    _clean(member, gender_given=gender_given, birth_given=birth_given)
    findings = []
    if member.status == MemberStatus.PROBATIONARY:
        findings += org_rules.check_r4_temporary(
            organization=member.organization, function="recruit"
        )
    warnings = enforce(findings, reason)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError:
        raise ValidationError(
            {"id_number": _("A member with this ID number is already registered.")}
        ) from None
    audit_record(
        actor=actor,
        action="member.create",
        obj=member,
        after=snapshot(member),
        reason=reason,
        warnings=warnings,
    )
    return member


@transaction.atomic
def member_update(*, actor, member: Member, reason: str = "", **fields) -> Member:
    unknown = set(fields) - MEMBER_FIELDS
    if unknown:
        raise ValueError(f"member_update: unknown fields {unknown}")
    before = snapshot(member)
    for key, value in fields.items():
        setattr(member, key, value)
    _clean(member, gender_given="gender" in fields, birth_given="birth_date" in fields)
    findings = []
    if member.status == MemberStatus.PROBATIONARY and before["status"] != MemberStatus.PROBATIONARY:
        findings += org_rules.check_r4_temporary(
            organization=member.organization, function="recruit"
        )
    warnings = enforce(findings, reason)
    member.save()
    audit_record(
        actor=actor,
        action="member.update",
        obj=member,
        before=before,
        after=snapshot(member),
        reason=reason,
        warnings=warnings,
    )
    return member


REVEALABLE = {"id_number", "phone"}


@transaction.atomic
def member_reveal(*, actor, member: Member, field: str, reason: str) -> str:
    """Show one personal field in the clear. Needs a reason, which is logged with the actor."""
    if field not in REVEALABLE:
        raise ValidationError(_("This field cannot be revealed."))
    if len((reason or "").strip()) < 4:
        raise ValidationError(_("Say why you need to see the full value (at least 4 characters)."))
    audit_record(actor=actor, action=f"member.reveal.{field}", obj=member, reason=reason.strip())
    return getattr(member, field)


@transaction.atomic
def member_personal_data_rekey(*, actor, batch_size: int = 500) -> int:
    """After a key rotation (a new GANGWAN_DATA_KEY, the old one listed in GANGWAN_DATA_KEYS_OLD),
    re-encrypt every member's ID number and phone under the current key and recompute their lookup
    hashes, so that the old key can be dropped. Returns how many members were re-keyed."""
    count, last_pk = 0, 0
    while batch := list(Member.objects.filter(pk__gt=last_pk).order_by("pk")[:batch_size]):
        for m in batch:  # bulk_update skips pre_save: the hashes are set here
            m.id_number_hash = crypto.blind_index(m.id_number) if m.id_number else ""
            m.phone_hash = crypto.blind_index(m.phone) if m.phone else ""
        Member.objects.bulk_update(batch, ["id_number", "id_number_hash", "phone", "phone_hash"])
        count, last_pk = count + len(batch), batch[-1].pk
    audit_record(actor=actor, action="member.rekey", after={"members": count})
    return count
