from __future__ import annotations

import datetime as dt

from ninja import Field, Schema

from gangwan.members.models import MemberStatus

from .models import TransferDirection, TransferState


class OrganizationRef(Schema):
    id: int
    name: str


class MemberRef(Schema):
    id: int
    name: str


class TransferOut(Schema):
    id: int
    direction: TransferDirection
    state: TransferState
    member: MemberRef | None = Field(
        None, description="Empty for an arrival from outside the system until received."
    )
    person_name: str
    incoming_id_number_masked: str = Field("", description="Arrivals only, masked.")
    from_organization: OrganizationRef | None
    from_text: str = Field(..., description="The sender outside the system, as text.")
    to_organization: OrganizationRef | None
    to_text: str = Field(..., description="The receiver outside the system, as text.")
    letter_no: str
    issued_on: dt.date | None
    valid_until: dt.date | None
    dues_paid_until: dt.date | None = Field(None, description="First day of the month paid up to.")
    received_on: dt.date | None
    receipt_returned_on: dt.date | None
    returned_on: dt.date | None
    return_reason: str
    revoked_on: dt.date | None
    revoke_reason: str
    expired_on: dt.date | None
    actions: list[str] = Field(
        ...,
        description="What the caller may do now: issue, revoke, receive, return, receipt, "
        "expire, print.",
    )


class TransferFilters(Schema):
    state: TransferState | None = None
    direction: TransferDirection | None = None
    side: str = Field("", pattern="^(|outgoing|incoming)$", description="outgoing or incoming.")
    q: str = Field("", max_length=60, description="Part of the name, or of the letter number.")


class IncomingPerson(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    id_number: str = Field(..., max_length=18)
    phone: str = Field("", max_length=20)
    status: MemberStatus
    joined_on: dt.date | None = None


class TransferIn(Schema):
    direction: TransferDirection
    member: int | None = Field(None, description="A member you administer (internal, out).")
    to_organization: int | None = Field(
        None, description="Any active organization (internal); one you administer (in)."
    )
    to_text: str = Field("", max_length=200, description="The receiver outside the system (out).")
    from_text: str = Field("", max_length=200, description="The sender outside the system (in).")
    incoming: IncomingPerson | None = Field(None, description="The arriving member (in).")


class IssueIn(Schema):
    issued_on: dt.date | None = None
    dues_paid_until: dt.date | None = Field(
        None, description="Any day of the month paid up to; defaults to the member's dues record."
    )
    letter_no: str = Field("", max_length=60, description="Arrivals only: the printed number.")
    valid_until: dt.date | None = Field(None, description="Arrivals only: as printed.")


class ReceiveIn(Schema):
    received_on: dt.date | None = None
    reason: str = Field("", max_length=200, description="A note for the audit trail.")


class ReceiptIn(Schema):
    returned_on: dt.date | None = None


class ReturnIn(Schema):
    reason: str = Field(..., max_length=300)
    returned_on: dt.date | None = None


class RevokeIn(Schema):
    reason: str = Field(..., max_length=300)
    revoked_on: dt.date | None = None
