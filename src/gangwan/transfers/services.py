"""Transfers of the organizational relationship: the state machine of SPEC §2 (R20, R21, R24).

    draft ──issue──▶ issued ──receive──▶ received ──receipt──▶ (receipt_returned_on set)
      │                │ ├──return (with a reason)──▶ returned
      │                │ └──expire (validity passed)──▶ expired
      └──revoke────────┴──revoke (with a reason)──▶ revoked

R21 (HARD): until received, the member stays on the sender's roll: nothing here touches
`Member.organization` before `transfer_receive`, which moves the member (within the system),
archives the member (out of the system) or creates/attaches the member (into the system) in the
same transaction as the state change. Every service writes an audit entry.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gangwan.core import crypto
from gangwan.core.audit import audit_record
from gangwan.core.validators import (
    normalize_id_number,
    parse_id_number,
    validate_id_number,
    validate_phone,
)
from gangwan.members.models import Member, MemberStatus
from gangwan.organizations.models import Organization
from gangwan.organizations.rules import add_months

from .base import (
    ISSUING_KINDS,
    RULE_DEFAULTS,
    lock,
    not_in_future,
    reason_given,
    refuse_state,
    region_of,
    snap,
    today_or,
    transfer_rule,
)
from .letters import letter_issuer, letter_next_number, letter_number, letter_short_name
from .models import Transfer, TransferDirection, TransferState
from .receiving import transfer_receipt_return, transfer_receive

__all__ = [
    "ISSUING_KINDS",
    "RULE_DEFAULTS",
    "letter_issuer",
    "letter_next_number",
    "letter_number",
    "letter_short_name",
    "transfer_create",
    "transfer_expire",
    "transfer_expire_due",
    "transfer_issue",
    "transfer_receipt_return",
    "transfer_receive",
    "transfer_return",
    "transfer_revoke",
    "transfer_rule",
]


# --- creating ----------------------------------------------------------------------------------
@transaction.atomic
def transfer_create(
    *,
    actor,
    direction: str,
    member: Member | None = None,
    to_organization: Organization | None = None,
    to_text: str = "",
    from_text: str = "",
    incoming_name: str = "",
    incoming_id_number: str = "",
    incoming_phone: str = "",
    incoming_status: str = "",
    incoming_joined_on: dt.date | None = None,
) -> Transfer:
    """Draft a transfer. Within the system and out of it, the member's relationship organization
    sends; into the system, `to_organization` receives a member named by the letter.

    Refused: an unknown direction; a member who is archived or already has an open transfer (one
    at a time); a receiving organization that is dissolved or is the sender; a missing counterpart
    text for the end outside the system; for arrivals, an invalid ID number (GB 11643) or one that
    belongs to a current member (that member's organization issues an in-system transfer)."""
    to_text, from_text = (to_text or "").strip(), (from_text or "").strip()
    t = Transfer(direction=direction, created_by=actor if getattr(actor, "pk", None) else None)
    if direction in (TransferDirection.INTERNAL, TransferDirection.OUT):
        if member is None:
            raise ValidationError({"member": _("Choose the member to transfer.")})
        if member.archived_on is not None:
            raise ValidationError({"member": _("An archived member cannot be transferred.")})
        _refuse_second_open(member)
        t.member, t.from_organization = member, member.organization
        if direction == TransferDirection.INTERNAL:
            if to_organization is None:
                raise ValidationError({"to_organization": _("Choose the receiving organization.")})
            if to_organization.pk == member.organization_id:
                raise ValidationError(
                    {"to_organization": _("The member's relationship is already held there.")}
                )
            t.to_organization = to_organization
        else:
            if not to_text:
                raise ValidationError(
                    {"to_text": _("Name the receiving organization and its region.")}
                )
            t.to_text = to_text[:200]
    elif direction == TransferDirection.IN:
        if to_organization is None:
            raise ValidationError({"to_organization": _("Choose the receiving organization.")})
        if not from_text:
            raise ValidationError({"from_text": _("Name the sending organization and its region.")})
        t.to_organization, t.from_text = to_organization, from_text[:200]
        _incoming_person(
            t,
            incoming_name,
            incoming_id_number,
            incoming_phone,
            incoming_status,
            incoming_joined_on,
        )
    else:
        raise ValidationError({"direction": _("Choose the direction of the transfer.")})
    if t.to_organization is not None and t.to_organization.dissolved_on is not None:
        raise ValidationError(
            {"to_organization": _("The receiving organization has been dissolved.")}
        )
    try:
        with transaction.atomic():
            t.save()
    except IntegrityError:
        raise ValidationError(
            {"member": _("This member already has an open transfer (a draft or an issued letter).")}
        ) from None
    audit_record(actor=actor, action="transfer.create", obj=t, after=snap(t))
    return t


def _refuse_second_open(member: Member) -> None:
    if Transfer.objects.filter(member=member, state__in=["draft", "issued"]).exists():
        raise ValidationError(
            {"member": _("This member already has an open transfer (a draft or an issued letter).")}
        )


def _incoming_person(t, name, id_number, phone, status, joined_on) -> None:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"incoming_name": _("Enter the member's name.")})
    try:
        id_number = validate_id_number(id_number or "")
    except ValidationError as exc:
        raise ValidationError({"incoming_id_number": exc.messages}) from None
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            raise ValidationError({"incoming_phone": exc.messages}) from None
    if status not in MemberStatus.values:
        raise ValidationError({"incoming_status": _("Choose full or probationary.")})
    from gangwan.members import services as member_services

    date_errors = getattr(member_services, "member_date_errors", None)
    if date_errors is not None:
        errors = date_errors(
            birth_date=parse_id_number(id_number)[0],
            status=status,
            joined_on=joined_on,
            full_on=None,
        )
        if "joined_on" in errors:
            raise ValidationError({"incoming_joined_on": errors["joined_on"]})
    hashes = crypto.blind_indexes(normalize_id_number(id_number))
    if Member.objects.filter(id_number_hash__in=hashes, archived_on__isnull=True).exists():
        raise ValidationError(
            {
                "incoming_id_number": _(
                    "This person is already a member in the system: the organization holding the "
                    "relationship issues a transfer within the system."
                )
            }
        )
    if Transfer.objects.filter(
        incoming_id_number_hash__in=hashes, state__in=["draft", "issued"]
    ).exists():
        raise ValidationError(
            {"incoming_id_number": _("A transfer for this person is already open.")}
        )
    t.incoming_name, t.incoming_id_number, t.incoming_phone = name[:60], id_number, phone or ""
    t.incoming_status, t.incoming_joined_on = status, joined_on


# --- issuing -----------------------------------------------------------------------------------
def _first_of_month(value: dt.date | None) -> dt.date | None:
    return value.replace(day=1) if value else None


@transaction.atomic
def transfer_issue(
    *,
    actor,
    transfer: Transfer,
    issued_on: dt.date | None = None,
    dues_paid_until: dt.date | None = None,
    letter_no: str = "",
    valid_until: dt.date | None = None,
) -> Transfer:
    """Issue the letter of a draft: a letter number (per issuing committee and year), the issue
    date, the validity (R24, CONFIG 3 months) and the month up to which dues are paid (from the
    member's record when it has one, else as given). For a member arriving from outside, record the
    letter as printed: its number and dates are entered.

    Refused: a transfer that is not a draft; a date in the future; no dues month; a member who has
    left the sending organization or been archived since the draft; a receiving organization
    dissolved since."""
    lock(transfer)
    refuse_state(transfer, ("draft",), _("Only a draft can be issued; this transfer is %(state)s."))
    before = snap(transfer)
    issued_on = today_or(issued_on)
    not_in_future(issued_on, "issued_on")
    member = transfer.member
    if member is not None:
        if member.archived_on is not None:
            raise ValidationError(_("The member has been archived since the draft."))
        if member.organization_id != transfer.from_organization_id:
            raise ValidationError(
                _("The member's relationship has moved since the draft; revoke it and start anew.")
            )
    if transfer.to_organization is not None and transfer.to_organization.dissolved_on:
        raise ValidationError(_("The receiving organization has been dissolved."))
    dues = _first_of_month(dues_paid_until) or _first_of_month(
        getattr(member, "dues_paid_until", None)
    )
    if dues is None:
        raise ValidationError(
            {
                "dues_paid_until": _(
                    "Enter the month up to which dues are paid (printed on the letter)."
                )
            }
        )
    if dues > issued_on.replace(day=1):
        raise ValidationError(
            {"dues_paid_until": _("Dues cannot be paid up beyond the month of issue.")}
        )
    transfer.issued_on, transfer.dues_paid_until = issued_on, dues
    months = transfer_rule("R24.letter_valid_months", region_of(transfer))
    if transfer.direction == TransferDirection.IN:
        letter_no = (letter_no or "").strip()
        if not letter_no:
            raise ValidationError({"letter_no": _("Enter the number printed on the letter.")})
        transfer.letter_no = letter_no[:60]
        transfer.valid_until = valid_until or add_months(issued_on, months)
    else:
        issuer = letter_issuer(transfer.from_organization)
        transfer.issuing_organization = issuer
        transfer.letter_year = issued_on.year
        transfer.letter_no, transfer.letter_seq = letter_next_number(issuer, issued_on.year)
        transfer.valid_until = add_months(issued_on, months)
    if transfer.valid_until < issued_on:
        raise ValidationError({"valid_until": _("A letter is valid from its issue date on.")})
    transfer.state = TransferState.ISSUED
    transfer.save()
    audit_record(
        actor=actor, action="transfer.issue", obj=transfer, before=before, after=snap(transfer)
    )
    return transfer


# --- closing without receipt ---------------------------------------------------------------
@transaction.atomic
def transfer_return(
    *, actor, transfer: Transfer, reason: str, returned_on: dt.date | None = None
) -> Transfer:
    """The receiving side sends the letter back. R21: no organization refuses a transfer without
    cause, so a reason is required. The member stays with the sender.

    Refused: a transfer not issued; no reason; a date in the future or before the issue date."""
    lock(transfer)
    refuse_state(
        transfer,
        ("issued",),
        _("Only an issued letter can be returned; this transfer is %(state)s."),
    )
    reason = reason_given(
        reason, "reason", _("R21: a transfer is not refused without cause; give the reason.")
    )
    before = snap(transfer)
    returned_on = today_or(returned_on)
    not_in_future(returned_on, "returned_on")
    if returned_on < transfer.issued_on:
        raise ValidationError({"returned_on": _("A letter is returned after it is issued.")})
    transfer.state, transfer.returned_on = TransferState.RETURNED, returned_on
    transfer.return_reason = reason[:300]
    transfer.save()
    audit_record(
        actor=actor,
        action="transfer.return",
        obj=transfer,
        before=before,
        after=snap(transfer),
        reason=reason,
    )
    return transfer


@transaction.atomic
def transfer_revoke(
    *, actor, transfer: Transfer, reason: str, revoked_on: dt.date | None = None
) -> Transfer:
    """The sending side withdraws a draft or an issued letter. The member stays with the sender.

    Refused: a transfer already received, returned, expired or revoked; no reason."""
    lock(transfer)
    refuse_state(
        transfer,
        ("draft", "issued"),
        _("Only a draft or an issued letter can be revoked; this transfer is %(state)s."),
    )
    reason = reason_given(reason, "reason", _("Give the reason for revoking."))
    before = snap(transfer)
    revoked_on = today_or(revoked_on)
    not_in_future(revoked_on, "revoked_on")
    transfer.state, transfer.revoked_on = TransferState.REVOKED, revoked_on
    transfer.revoke_reason = reason[:300]
    transfer.save()
    audit_record(
        actor=actor,
        action="transfer.revoke",
        obj=transfer,
        before=before,
        after=snap(transfer),
        reason=reason,
    )
    return transfer


@transaction.atomic
def transfer_expire(*, actor, transfer: Transfer, today: dt.date | None = None) -> Transfer:
    """Mark an issued letter whose validity has passed without receipt as expired (R24). The member
    stays with the sender, who may issue a new letter.

    Refused: a transfer not issued; a letter still valid."""
    lock(transfer)
    refuse_state(
        transfer, ("issued",), _("Only an issued letter can expire; this transfer is %(state)s.")
    )
    today = today_or(today)
    if transfer.valid_until >= today:
        raise ValidationError(
            _("The letter is valid until %(date)s.") % {"date": transfer.valid_until.isoformat()}
        )
    before = snap(transfer)
    transfer.state, transfer.expired_on = TransferState.EXPIRED, today
    transfer.save(update_fields=["state", "expired_on", "updated_at"])
    audit_record(
        actor=actor,
        action="transfer.expire",
        obj=transfer,
        before=before,
        after=snap(transfer),
        reason="R24",
    )
    return transfer


def transfer_expire_due(*, today: dt.date | None = None, actor=None) -> int:
    """Mark every issued letter whose validity passed before `today` as expired (for the background
    worker). Idempotent: a second run finds nothing. Each letter in its own transaction, so one
    letter received meanwhile does not hold up the rest. Returns how many expired."""
    today = today_or(today)
    done = 0
    due = Transfer.objects.filter(state=TransferState.ISSUED, valid_until__lt=today)
    for pk in list(due.values_list("pk", flat=True)):
        try:
            transfer_expire(actor=actor, transfer=Transfer(pk=pk), today=today)
        except ValidationError:
            continue  # received or revoked since the list was read
        done += 1
    return done
