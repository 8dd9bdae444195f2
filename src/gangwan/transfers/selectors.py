"""Reading transfers, always cut to a scope.

Who sees a transfer: the sender's scope (its `from_organization` lies in the scope) and, once the
letter is out of draft, the receiver's scope (its `to_organization`). For a member arriving from
outside the system, the receiving side holds the whole record. Everyone else: it does not exist.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gangwan.core.permissions import administers_organization
from gangwan.core.scopes import Scope
from gangwan.members.models import Member
from gangwan.organizations.rules import add_months

from .models import OPEN_STATES, Transfer, TransferDirection, TransferState
from .services import transfer_rule

RELATED = (
    "member",
    "from_organization__region",
    "to_organization__region",
    "issuing_organization",
)


def _sender_q(scope: Scope) -> Q:
    return scope.organization_q("from_organization__") & Q(from_organization__isnull=False)


def _receiver_q(scope: Scope) -> Q:
    return (
        scope.organization_q("to_organization__")
        & Q(to_organization__isnull=False)
        & (~Q(state=TransferState.DRAFT) | Q(direction=TransferDirection.IN))
    )


def transfers_visible(*, scope: Scope) -> QuerySet[Transfer]:
    qs = Transfer.objects.select_related(*RELATED)
    if scope.everything:
        return qs
    return qs.filter(_sender_q(scope) | _receiver_q(scope))


def transfer_list(
    *, scope: Scope, state: str = "", direction: str = "", side: str = "", q: str = ""
) -> QuerySet[Transfer]:
    """Transfers in the scope, newest first. `side`: "outgoing" (sent from the scope) or
    "incoming" (addressed to the scope, including arrivals from outside the system)."""
    qs = transfers_visible(scope=scope)
    if state:
        qs = qs.filter(state=state)
    if direction:
        qs = qs.filter(direction=direction)
    if side == "outgoing":
        qs = qs.filter(
            Q(from_organization__isnull=False) & scope.organization_q("from_organization__")
        )
    elif side == "incoming":
        qs = qs.filter(_receiver_q(scope))
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(member__name__icontains=q) | Q(incoming_name__icontains=q) | Q(letter_no__icontains=q)
        )
    return qs.order_by("-created_at", "-id")


def transfer_get(*, scope: Scope, pk: int) -> Transfer:
    return get_object_or_404(transfers_visible(scope=scope), pk=pk)


def _sender_side(scope: Scope, t: Transfer) -> bool:
    org = t.to_organization if t.direction == TransferDirection.IN else t.from_organization
    return org is not None and administers_organization(scope, org)


def _receiver_side(scope: Scope, t: Transfer) -> bool:
    # Out of the system the receiver is elsewhere: the sender records what comes back.
    org = t.from_organization if t.direction == TransferDirection.OUT else t.to_organization
    return org is not None and administers_organization(scope, org)


def transfer_actions(*, scope: Scope, transfer: Transfer, today: dt.date | None = None) -> set[str]:
    """What this scope may do with the transfer now: issue and revoke belong to the sender,
    receive, return and the receipt to the receiver; expire and print to the sender."""
    today = today or timezone.localdate()
    t, sender, receiver = transfer, _sender_side(scope, transfer), _receiver_side(scope, transfer)
    actions: set[str] = set()
    if t.state == TransferState.DRAFT and sender:
        actions |= {"issue", "revoke"}
    if t.state == TransferState.ISSUED:
        if sender:
            actions.add("revoke")
            if t.valid_until and t.valid_until < today:
                actions.add("expire")
        if receiver:
            actions |= {"receive", "return"}
    if t.state == TransferState.RECEIVED and t.receipt_returned_on is None and receiver:
        actions.add("receipt")
    if t.issuing_organization_id and t.state != TransferState.REVOKED and sender:
        actions.add("print")
    return actions


def open_transfer_of(member: Member) -> Transfer | None:
    """The member's transfer in draft or in transit, if any (R21: the member is still the sender's)."""
    return (
        Transfer.objects.filter(member=member, state__in=OPEN_STATES)
        .select_related("to_organization")
        .first()
    )


def member_transfers(*, scope: Scope, member: Member) -> QuerySet[Transfer]:
    return transfers_visible(scope=scope).filter(member=member).order_by("-created_at", "-id")


def _expired_q(today: dt.date) -> Q:
    still_issued = Q(state=TransferState.ISSUED, valid_until__lt=today)
    # A letter marked expired needs action while the member is still on the sender's roll.
    marked = Q(state=TransferState.EXPIRED) & (
        Q(member__isnull=True)
        | Q(member__organization=F("from_organization"), member__archived_on__isnull=True)
    )
    return still_issued | marked


def letters_expired(*, scope: Scope, today: dt.date | None = None) -> QuerySet[Transfer]:
    """Letters whose validity passed without receipt (R24): still marked issued (the worker has not
    run yet) or marked expired with the member still on the sender's roll. Oldest first."""
    today = today or timezone.localdate()
    return transfers_visible(scope=scope).filter(_expired_q(today)).order_by("valid_until", "id")


def _receipt_cutoff(today: dt.date) -> dt.date:
    return add_months(today, -transfer_rule("R24.receipt_due_months"))


def receipts_overdue(*, scope: Scope, today: dt.date | None = None) -> QuerySet[Transfer]:
    """Members received more than a month ago (R24, CONFIG) whose receipt has not gone back."""
    today = today or timezone.localdate()
    return (
        transfers_visible(scope=scope)
        .filter(
            state=TransferState.RECEIVED,
            receipt_returned_on__isnull=True,
            received_on__lt=_receipt_cutoff(today),
        )
        .order_by("received_on", "id")
    )


def transfer_figures(*, scope: Scope, today: dt.date | None = None) -> dict[str, int]:
    """Dashboard figures in one query: drafts, letters in transit, expired letters (R24), receipts
    overdue (R24) and members received this year."""
    today = today or timezone.localdate()
    row = transfers_visible(scope=scope).aggregate(
        drafts=Count("id", filter=Q(state=TransferState.DRAFT)),
        in_transit=Count("id", filter=Q(state=TransferState.ISSUED, valid_until__gte=today)),
        letters_expired=Count("id", filter=_expired_q(today)),
        receipts_overdue=Count(
            "id",
            filter=Q(
                state=TransferState.RECEIVED,
                receipt_returned_on__isnull=True,
                received_on__lt=_receipt_cutoff(today),
            ),
        ),
        received_this_year=Count(
            "id",
            filter=Q(state=TransferState.RECEIVED, received_on__gte=today.replace(month=1, day=1)),
        ),
    )
    return {k: int(v or 0) for k, v in row.items()}
