"""Member records: register, change, archive (never delete), reveal personal data with a reason.

Every service writes the audit trail; changes that can move a member between organizations or
units publish core.events.MEMBER_CHANGED so upper apps (the incubator) can react in the same
transaction."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core import crypto, events
from gangwan.core.audit import audit_record, snapshot
from gangwan.core.errors import enforce
from gangwan.core.validators import parse_id_number, validate_id_number, validate_phone
from gangwan.organizations import rules as org_rules
from gangwan.organizations.models import Office

from .models import SKILL_SEPARATOR, ArchiveReason, Member, MemberStatus, add_years

MEMBER_FIELDS = {
    "name",
    "id_number",
    "phone",
    "organization",
    "home_organization",
    "unit",
    "post",
    "status",
    "joined_on",
    "full_on",
    "is_floating",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "skills",
    "on_call",
    "on_call_hours",
    "community_post",
    "last_life_on",
    "dues_paid_until",
}
# A change of any of these may move a member in or out of a reservoir or an incubation.
EVENT_FIELDS = ("status", "unit_id", "home_organization_id", "organization_id", "is_floating")
TEXT_LIMITS = {
    "ethnicity": 20,
    "post": 60,
    "on_call_hours": 60,
    "community_post": 60,
    "skills": 200,
}
ADULT_AGE = 18  # R41: applicants are 18 or older (党章 第一条)


def normalize_skills(value) -> str:
    """Skills as tags joined by "、": from a list or from text separated by commas, 、, ; or spaces."""
    parts = value if isinstance(value, list | tuple) else re.split(r"[,，、;；/\s]+", value or "")
    tags = [str(p).strip() for p in parts]
    return SKILL_SEPARATOR.join(dict.fromkeys(t for t in tags if t))


def first_of_month(d: dt.date) -> dt.date:
    return d.replace(day=1)


def PROBATIONARY_NEEDS_JOINED() -> str:  # noqa: N802 - a message, translated when called
    return _("A probationary member needs the joining date (probation lasts one year from it).")


def member_date_errors(
    *,
    birth_date: dt.date | None,
    status: str,
    joined_on: dt.date | None,
    full_on: dt.date | None,
    last_life_on: dt.date | None = None,
    dues_paid_until: dt.date | None = None,
    today: dt.date | None = None,
    joined_required: bool = True,
) -> dict[str, str]:
    """Field → message for dates that cannot be right (shared by the services and the import).
    `joined_required`: a probationary member must have a joining date (the forms, the import and
    transfer letters ask for it; member_create/member_update accept records that lack it)."""
    today = today or timezone.localdate()
    errors = {}
    if joined_on:
        if joined_on > today:
            errors["joined_on"] = _("The joining date lies in the future.")
        elif birth_date and joined_on < add_years(birth_date, ADULT_AGE):
            errors["joined_on"] = _("R41: members join the Party at 18 or older.")
    elif status == MemberStatus.PROBATIONARY and joined_required:
        errors["joined_on"] = PROBATIONARY_NEEDS_JOINED()
    if full_on:
        if status == MemberStatus.PROBATIONARY:
            errors["full_on"] = _("A probationary member has no conversion date yet.")
        elif full_on > today:
            errors["full_on"] = _("The conversion date lies in the future.")
        elif joined_on and full_on < joined_on:
            errors["full_on"] = _("The conversion date lies before the joining date.")
    if last_life_on and last_life_on > today:
        errors["last_life_on"] = _("The date of the last organizational life lies in the future.")
    if dues_paid_until and dues_paid_until > add_years(first_of_month(today), 1):
        errors["dues_paid_until"] = _("Dues cannot be paid more than a year ahead.")
    return errors


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
    for field, limit in TEXT_LIMITS.items():
        value = getattr(member, field)
        value = normalize_skills(value) if field == "skills" else (value or "").strip()
        if len(value) > limit:
            raise ValidationError({field: _("At most %(n)d characters, please.") % {"n": limit}})
        setattr(member, field, value)
    if member.dues_paid_until:
        member.dues_paid_until = first_of_month(member.dues_paid_until)
    errors = member_date_errors(
        birth_date=member.birth_date,
        status=member.status,
        joined_on=member.joined_on,
        full_on=member.full_on,
        last_life_on=member.last_life_on,
        dues_paid_until=member.dues_paid_until,
        joined_required=False,
    )
    if errors:
        raise ValidationError(errors)
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


def publish_member_changed(*, actor, members: list[Member], unit_ids=()) -> None:
    """Tell the upper apps which members changed and which units (old and new) are concerned."""
    units = {u for u in unit_ids if u is not None} | {
        m.unit_id for m in members if m.unit_id is not None
    }
    events.publish(events.MEMBER_CHANGED, actor=actor, members=members, unit_ids=units)


@transaction.atomic
def member_create(*, actor, reason: str = "", **fields) -> Member:
    """Register a member. Refused: an invalid ID number (GB 11643) or one that disagrees with the
    given birth date/gender, a duplicate ID number, impossible dates (joined under 18 (R41), in
    the future, converted before joining), recruiting into a temporary branch (R4)."""
    unknown = set(fields) - MEMBER_FIELDS
    if unknown:
        raise ValueError(f"member_create: unknown fields {unknown}")
    gender_given, birth_given = bool(fields.get("gender")), bool(fields.get("birth_date"))
    fields = {k: v for k, v in fields.items() if v is not None or k not in _NOT_NULL}
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
    publish_member_changed(actor=actor, members=[member])
    return member


# Text and flag fields that a caller may pass as None meaning "not given".
_NOT_NULL = {
    "phone",
    "post",
    "ethnicity",
    "education",
    "skills",
    "on_call",
    "on_call_hours",
    "community_post",
    "is_floating",
}


@transaction.atomic
def member_update(*, actor, member: Member, reason: str = "", **fields) -> Member:
    """Change a member's record. Refused as member_create refuses, and for a former (archived)
    member. Publishes MEMBER_CHANGED when status, unit, organizations or the floating flag change."""
    unknown = set(fields) - MEMBER_FIELDS
    if unknown:
        raise ValueError(f"member_update: unknown fields {unknown}")
    if member.archived_on:
        raise ValidationError(_("This is a former member's record; it is kept as it is."))
    before = snapshot(member)
    old = {f: getattr(member, f) for f in EVENT_FIELDS}
    for key, value in fields.items():
        if value is None and key in _NOT_NULL:
            continue
        setattr(member, key, value)
    _clean(member, gender_given="gender" in fields, birth_given="birth_date" in fields)
    findings = []
    if member.status == MemberStatus.PROBATIONARY and (
        before["status"] != MemberStatus.PROBATIONARY
        or before["organization_id"] != member.organization_id
    ):
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
    after = snapshot(member)
    if after != before:
        audit_record(
            actor=actor,
            action="member.update",
            obj=member,
            before=before,
            after=after,
            reason=reason,
            warnings=warnings,
        )
    if any(getattr(member, f) != old[f] for f in EVENT_FIELDS):
        publish_member_changed(actor=actor, members=[member], unit_ids={old["unit_id"]})
    return member


@transaction.atomic
def member_archive(
    *,
    actor,
    member: Member,
    reason: str,
    note: str = "",
    archived_on: dt.date | None = None,
) -> Member:
    """Make a member a former member: the record stays with the date and the reason (transferred
    out, deceased, removed, quit, other), never deleted. Refused: no reason or an unknown one,
    "other" without details, a date in the future or before joining, a member already archived,
    a member who still holds an office (end it first)."""
    if member.archived_on:
        raise ValidationError(_("This member's record is archived already."))
    if reason not in ArchiveReason.values:
        raise ValidationError({"reason": _("Choose why the member leaves the roll.")})
    note = (note or "").strip()
    if reason == ArchiveReason.OTHER and not note:
        raise ValidationError({"note": _("Say what happened.")})
    if len(note) > 200:
        raise ValidationError({"note": _("At most %(n)d characters, please.") % {"n": 200}})
    archived_on = archived_on or timezone.localdate()
    if archived_on > timezone.localdate():
        raise ValidationError({"archived_on": _("The date lies in the future.")})
    if member.joined_on and archived_on < member.joined_on:
        raise ValidationError({"archived_on": _("The date lies before the joining date.")})
    offices = list(
        Office.objects.filter(member=member, ended_on__isnull=True).select_related("organization")
    )
    if offices:
        raise ValidationError(
            _("%(name)s still holds an office (%(offices)s); end it first.")
            % {
                "name": member.name,
                "offices": ", ".join(
                    f"{o.organization.name} {o.get_role_display()}" for o in offices
                ),
            }
        )
    before = snapshot(member)
    member.archived_on, member.archive_reason, member.archive_note = archived_on, reason, note
    member.save(update_fields=["archived_on", "archive_reason", "archive_note"])
    audit_record(
        actor=actor,
        action="member.archive",
        obj=member,
        before=before,
        after=snapshot(member),
        reason=note or str(ArchiveReason(reason).label),
    )
    publish_member_changed(actor=actor, members=[member])
    return member


REVEALABLE = {"id_number", "phone"}
MIN_REASON = 4


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationError(_("Say why you need to see the full value (at least 4 characters)."))
    return reason


@transaction.atomic
def member_reveal(*, actor, member: Member, field: str, reason: str) -> str:
    """Show one personal field in the clear. Needs a reason, which is logged with the actor."""
    if field not in REVEALABLE:
        raise ValidationError(_("This field cannot be revealed."))
    reason = _check_reason(reason)
    audit_record(actor=actor, action=f"member.reveal.{field}", obj=member, reason=reason)
    return getattr(member, field)


@transaction.atomic
def member_export_reveal(*, actor, reason: str, count: int, filters: dict, region_path: str):
    """Record that `actor` exports `count` members with full ID numbers and phones, and why.
    Refused without a reason. The entry is filed under the exporting user's region."""
    reason = _check_reason(reason)
    entry = audit_record(
        actor=actor,
        action="member.export.full",
        after={"members": count, "filters": {k: str(v) for k, v in filters.items() if v}},
        reason=reason,
    )
    if region_path:
        entry.region_path = region_path
        entry.save(update_fields=["region_path"])
    return entry


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
