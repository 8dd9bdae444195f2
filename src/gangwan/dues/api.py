"""Party dues in the API: an organization's overview, a member's assessments, recording payments.
Cut by the caller's scope exactly as the back office (404 outside it, 403 without the right)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import AuthorizationError
from ninja.pagination import paginate

from gangwan.core.api_auth import structure_scope
from gangwan.core.permissions import administers_organization
from gangwan.core.schemas import (
    DETAIL_ERRORS,
    UPDATE_ERRORS,
    Pagination,
    ReasonRequiredOut,
)

from . import selectors, services
from .models import PaymentKind

router = Router(tags=["dues"])


class OverviewRowOut(Schema):
    id: int
    name: str
    organization_id: int
    monthly_amount: Decimal | None
    dues_paid_until: dt.date | None
    months_behind: int | None


class RateOut(Schema):
    members: int
    paid_up: int
    rate: float | None


class AssessmentOut(Schema):
    id: int
    year: int
    valid_from: dt.date
    income_kind: str
    post_type: str
    components: dict
    base: Decimal | None
    monthly_amount: Decimal
    effective_amount: Decimal
    is_fixed: bool
    quarterly: bool


class PaymentIn(Schema):
    kind: str = PaymentKind.REGULAR
    to_month: dt.date | None = None
    amount: Decimal | None = None
    paid_on: dt.date | None = None
    reason: str = ""


class PaymentOut(Schema):
    id: int
    member_id: int
    organization_id: int
    from_month: dt.date
    to_month: dt.date
    amount: Decimal
    paid_on: dt.date
    kind: str
    routed_to: str


@router.get(
    "/organizations/{int:organization_id}/overview",
    response={200: list[OverviewRowOut], **DETAIL_ERRORS},
    summary="Dues overview of an organization",
)
@paginate(Pagination)
def dues_overview(request, organization_id: int, year: int | None = None):
    """Members whose membership lies in the organization's subtree with the monthly amount in
    force this year, the paid-up month and months behind (up to the previous month)."""
    scope = structure_scope(request)
    org = selectors.organization_get(scope=scope, pk=organization_id)
    today = timezone.localdate()
    qs = selectors.overview(scope=scope, organization=org, year=year or today.year)
    return _Rows(qs, today)


class _Rows:
    """A sliceable view of the overview that computes the derived columns per page."""

    def __init__(self, qs, today):
        self.qs, self.today = qs, today

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, s):
        return [
            {
                "id": m.pk,
                "name": m.name,
                "organization_id": m.organization_id,
                "monthly_amount": m.dues_due,
                "dues_paid_until": m.dues_paid_until,
                "months_behind": m.dues_behind,
            }
            for m in selectors.overview_rows(self.qs[s], self.today)
        ]


@router.get(
    "/organizations/{int:organization_id}/rate",
    response={200: RateOut, **DETAIL_ERRORS},
    summary="Dues paid-up rate of an organization",
)
def dues_rate(request, organization_id: int):
    scope = structure_scope(request)
    org = selectors.organization_get(scope=scope, pk=organization_id)
    return selectors.paid_up_rate(scope=scope, organization=org)


@router.get(
    "/members/{int:member_id}/assessments",
    response={200: list[AssessmentOut], **DETAIL_ERRORS},
    summary="A member's dues assessments",
)
def dues_assessments(request, member_id: int):
    scope = structure_scope(request)
    member = selectors.member_get(scope=scope, pk=member_id)
    return list(selectors.assessments(scope=scope, member=member))


@router.post(
    "/members/{int:member_id}/payments",
    response={201: PaymentOut, 409: ReasonRequiredOut, **UPDATE_ERRORS},
    summary="Record a dues payment",
)
def dues_payment_create(request, member_id: int, payload: PaymentIn):
    """Record a payment received by the member's branch (or, for an activity-certificate holder,
    the inflow organization). Refused (422): R4, R36, months not assessed, paying ahead without
    quarterly consent (R38). Warned (409; resend with `reason`): back payments over 6 months.
    A voluntary payment of 1000 yuan or more is routed to the Central Committee (R37)."""
    scope = structure_scope(request)
    member = selectors.member_get(scope=scope, pk=member_id)
    if administers_organization(scope, member.organization):
        org = member.organization
    elif (
        member.is_floating
        and member.home_organization_id
        and administers_organization(scope, member.home_organization)
    ):
        org = member.home_organization
    else:
        raise AuthorizationError(message=_("You do not administer this member's branch."))
    payment = services.dues_pay(
        actor=request.auth,
        member=member,
        organization=org,
        paid_on=payload.paid_on or timezone.localdate(),
        kind=payload.kind,
        to_month=payload.to_month,
        amount=payload.amount,
        reason=payload.reason,
    )
    return Status(201, payment)
