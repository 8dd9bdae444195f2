"""Receiving a member (R21) and the receipt (R24): the step that moves, archives or creates the
member, in the same transaction as the transfer's state change."""

from __future__ import annotations

import datetime as dt
import inspect

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gangwan.core.audit import audit_record, snapshot
from gangwan.members.models import Member

from .base import lock, not_in_future, refuse_state, snap, today_or
from .models import Transfer, TransferDirection, TransferState


@transaction.atomic
def transfer_receive(
    *, actor, transfer: Transfer, received_on: dt.date | None = None, reason: str = ""
) -> Transfer:
    """The receiving organization accepts the member (R21). Within the system the member's
    relationship and home move to the receiving organization (through the members' service: audited,
    events published); out of the system the sender records the returned receipt and the member is
    archived as transferred out; into the system the member is created (or a former member
    re-attached) in the receiving organization. All in this one transaction.

    Refused: a transfer not issued; a date in the future, before the issue date or after the letter's
    validity (R24: an expired letter is not accepted; a new one is issued); a member who has left the
    sending organization since the letter was issued."""
    lock(transfer)
    refuse_state(
        transfer,
        ("issued",),
        _("Only an issued letter can be received; this transfer is %(state)s."),
    )
    before = snap(transfer)
    received_on = today_or(received_on)
    not_in_future(received_on, "received_on")
    if received_on < transfer.issued_on:
        raise ValidationError({"received_on": _("A letter is received after it is issued.")})
    if received_on > transfer.valid_until:
        raise ValidationError(
            {
                "received_on": _(
                    "R24: the letter was valid until %(date)s; it has expired and a new letter is "
                    "needed."
                )
                % {"date": transfer.valid_until.isoformat()}
            }
        )
    member = transfer.member
    if member is not None and member.organization_id != transfer.from_organization_id:
        raise ValidationError(
            _("R21: the member's relationship is no longer held by the sender; revoke this letter.")
        )
    note = (reason or "").strip() or transfer.letter_no
    from gangwan.members import services as member_services

    if transfer.direction == TransferDirection.INTERNAL:
        member_services.member_update(
            actor=actor,
            member=member,
            reason=note,
            organization=transfer.to_organization,
            home_organization=transfer.to_organization,
        )
    elif transfer.direction == TransferDirection.OUT:
        _archive(actor, member, received_on, transfer)
        transfer.receipt_returned_on = received_on
    else:
        transfer.member = _attach_incoming(actor, transfer, note)
        transfer.incoming_id_number, transfer.incoming_phone = "", ""
    transfer.state, transfer.received_on = TransferState.RECEIVED, received_on
    transfer.save()
    audit_record(
        actor=actor,
        action="transfer.receive",
        obj=transfer,
        before=before,
        after=snap(transfer),
        reason=(reason or "").strip(),
    )
    return transfer


def _accepted_kwargs(func, **kwargs) -> dict:
    params = inspect.signature(func).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return kwargs
    return {k: v for k, v in kwargs.items() if k in params}


def _archive(actor, member: Member, on: dt.date, transfer: Transfer) -> None:
    """A member transferred out of the system leaves the roll, kept as a former member (through the
    members' service: refused, for instance, while the member still holds an office)."""
    from gangwan.members import services as member_services

    note = _("To %(to)s, letter %(no)s") % {"to": transfer.to_text, "no": transfer.letter_no}
    member_services.member_archive(
        actor=actor, member=member, reason="transferred_out", note=note[:200], archived_on=on
    )


def _attach_incoming(actor, transfer: Transfer, note: str) -> Member:
    """Create the arriving member, or bring a former member (same ID number) back onto the roll."""
    from gangwan.members import services as member_services
    from gangwan.members.selectors import member_find_by_id_number

    org = transfer.to_organization
    existing = member_find_by_id_number(transfer.incoming_id_number)
    dues = {}
    if "dues_paid_until" in getattr(member_services, "MEMBER_FIELDS", ()):
        dues["dues_paid_until"] = transfer.dues_paid_until  # as the letter says
    if existing is None:
        return member_services.member_create(
            actor=actor,
            reason=note,
            name=transfer.incoming_name,
            id_number=transfer.incoming_id_number,
            phone=transfer.incoming_phone,
            organization=org,
            home_organization=org,
            status=transfer.incoming_status,
            joined_on=transfer.incoming_joined_on,
            **dues,
        )
    if existing.archived_on is None:
        raise ValidationError(
            _(
                "This person is already a member in the system: the organization holding the "
                "relationship issues a transfer within the system."
            )
        )
    restore = getattr(member_services, "member_restore", None)
    if restore is not None:
        existing = restore(**_accepted_kwargs(restore, actor=actor, member=existing, reason=note))
    else:
        # Until the members' service can put a former member back: the same change, audited here.
        before = snapshot(existing)
        existing.archived_on, existing.archive_reason = None, ""
        if hasattr(existing, "archive_note"):
            existing.archive_note = ""
        existing.save()
        audit_record(
            actor=actor,
            action="member.restore",
            obj=existing,
            before=before,
            after=snapshot(existing),
            reason=note,
        )
    fields = {"organization": org, "home_organization": org, "status": transfer.incoming_status}
    fields.update(dues)
    if transfer.incoming_joined_on:
        fields["joined_on"] = transfer.incoming_joined_on
    if transfer.incoming_phone:
        fields["phone"] = transfer.incoming_phone
    return member_services.member_update(actor=actor, member=existing, reason=note, **fields)


@transaction.atomic
def transfer_receipt_return(
    *, actor, transfer: Transfer, returned_on: dt.date | None = None
) -> Transfer:
    """Record that the receipt (回执) went back to the sender (R24: within 1 month of receiving).

    Refused: a transfer not received; a receipt already recorded; a date in the future or before
    the member was received."""
    lock(transfer)
    refuse_state(
        transfer,
        ("received",),
        _("A receipt is returned only for a received transfer; this transfer is %(state)s."),
    )
    if transfer.receipt_returned_on is not None:
        raise ValidationError(_("The receipt has already been recorded."))
    before = snap(transfer)
    returned_on = today_or(returned_on)
    not_in_future(returned_on, "returned_on")
    if returned_on < transfer.received_on:
        raise ValidationError(
            {"returned_on": _("The receipt goes back after the member is received.")}
        )
    transfer.receipt_returned_on = returned_on
    transfer.save(update_fields=["receipt_returned_on", "updated_at"])
    audit_record(
        actor=actor,
        action="transfer.receipt",
        obj=transfer,
        before=before,
        after=snap(transfer),
    )
    return transfer
