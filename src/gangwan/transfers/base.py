"""Shared helpers of the transfer services: rule values (R24), snapshots, refusals and locking."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core.audit import snapshot
from gangwan.core.rules import rule_value
from gangwan.organizations.models import OrganizationKind

from .models import Transfer, TransferState

RULE_DEFAULTS = {"R24.letter_valid_months": 3, "R24.receipt_due_months": 1}
ISSUING_KINDS = (OrganizationKind.COMMITTEE, OrganizationKind.WORKING_COMMITTEE)


def snap(transfer: Transfer) -> dict:
    """The audit snapshot without bookkeeping timestamps and empty text fields."""
    data = snapshot(transfer) or {}
    for key in ("created_at", "updated_at"):
        data.pop(key, None)
    return {k: v for k, v in data.items() if v not in ("", None) or k in ("letter_no",)}


def transfer_rule(key: str, region=None) -> int:
    try:
        return int(rule_value(key, region))
    except KeyError:
        return RULE_DEFAULTS[key]


def region_of(transfer: Transfer):
    org = transfer.from_organization or transfer.to_organization
    return org.region if org is not None else None


def today_or(value: dt.date | None) -> dt.date:
    return value or timezone.localdate()


def not_in_future(value: dt.date, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def reason_given(reason: str, field: str, message: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({field: message})
    return reason


def refuse_state(transfer: Transfer, allowed: tuple[str, ...], message: str) -> None:
    if transfer.state not in allowed:
        raise ValidationError(
            message % {"state": TransferState(transfer.state).label},
            code="transfer_state",
        )


def lock(transfer: Transfer) -> Transfer:
    """Re-read the transfer under a row lock: two clicks on "receive" must not move twice."""
    fresh = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("member", "from_organization", "to_organization")
        .get(pk=transfer.pk)
    )
    transfer.__dict__.update(fresh.__dict__)
    transfer._state.fields_cache = fresh._state.fields_cache
    return transfer
