"""Writing dues: assessments (R30–R34, R36), payments (R4, R36–R38) and reductions (R35).
Every service is atomic and audited; refusals name their rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gangwan.core.audit import audit_record, snapshot
from gangwan.core.errors import Finding, RuleViolation, enforce
from gangwan.core.permissions import administers_organization
from gangwan.members.models import Member
from gangwan.organizations.rules import check_r4_temporary

from . import rules
from .models import DuesAssessment, DuesPayment, DuesReduction, PaymentKind, ReductionState
from .rules import IncomeKind


def _assessment_values(*, member, income_kind, post_type, components, farmer_amount) -> dict:
    region = member.organization.region
    clean = {k: str(v) for k, v in (components or {}).items() if v not in (None, "")}
    try:
        base = rules.compute_base(income_kind, clean, post_type=post_type, region=region)
        amount = rules.monthly_amount(income_kind, base, farmer_amount=farmer_amount, region=region)
    except (ValueError, ArithmeticError) as exc:
        raise ValidationError(str(exc)) from exc
    if income_kind == IncomeKind.FARMER:
        clean = {"farmer_amount": str(amount)}
    return {
        "income_kind": income_kind,
        "post_type": post_type if income_kind == IncomeKind.SALARIED else "",
        "components": clean,
        "base": base,
        "monthly_amount": amount,
        "is_fixed": income_kind in rules.FIXED_KINDS,
    }


@transaction.atomic
def dues_assess(
    *,
    actor,
    member: Member,
    year: int,
    income_kind: str,
    components: dict | None = None,
    post_type: str = "",
    farmer_amount=None,
    quarterly: bool = False,
) -> DuesAssessment:
    """Set a member's monthly amount for a year from its income (R36: once, at the start of the
    year). The base is computed from components, never typed in (R30). Refused when the year is
    already assessed: a change of income goes through `dues_reassess`."""
    if DuesAssessment.objects.filter(member=member, year=year).exists():
        raise ValidationError(
            _("R36: %(year)s is already assessed; a change of income needs a re-assessment.")
            % {"year": year}
        )
    values = _assessment_values(
        member=member,
        income_kind=income_kind,
        post_type=post_type,
        components=components,
        farmer_amount=farmer_amount,
    )
    a = DuesAssessment.objects.create(
        member=member,
        year=year,
        valid_from=dt.date(year, 1, 1),
        quarterly=quarterly,
        assessed_by=actor if getattr(actor, "pk", None) else None,
        **values,
    )
    audit_record(actor=actor, action="dues.assess", obj=a, after=snapshot(a))
    return a


@transaction.atomic
def dues_reassess(
    *,
    actor,
    member: Member,
    valid_from: dt.date,
    income_kind: str,
    reason: str,
    components: dict | None = None,
    post_type: str = "",
    farmer_amount=None,
    quarterly: bool | None = None,
) -> DuesAssessment:
    """A change of income within the year takes effect from that month (R36). Needs a reason and
    an assessment for the year already; months already paid keep their amount."""
    valid_from = rules.first_of_month(valid_from)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the re-assessment.")})
    previous = (
        DuesAssessment.objects.filter(member=member, year=valid_from.year)
        .order_by("-valid_from")
        .first()
    )
    if previous is None:
        raise ValidationError(_("Assess the year first."))
    if valid_from <= previous.valid_from:
        raise ValidationError(
            {"valid_from": _("A re-assessment starts after the month of the last one.")}
        )
    values = _assessment_values(
        member=member,
        income_kind=income_kind,
        post_type=post_type,
        components=components,
        farmer_amount=farmer_amount,
    )
    a = DuesAssessment.objects.create(
        member=member,
        year=valid_from.year,
        valid_from=valid_from,
        quarterly=previous.quarterly if quarterly is None else quarterly,
        reduction=previous.reduction,
        assessed_by=actor if getattr(actor, "pk", None) else None,
        **values,
    )
    audit_record(
        actor=actor,
        action="dues.reassess",
        obj=a,
        before=snapshot(previous),
        after=snapshot(a),
        reason=reason,
    )
    return a


def assessments_for_months(member: Member, months: list[dt.date]) -> dict[dt.date, DuesAssessment]:
    """The assessment in force for each month (the latest valid_from ≤ month of that year)."""
    years = {m.year for m in months}
    rows = list(
        DuesAssessment.objects.filter(member=member, year__in=years)
        .select_related("reduction")
        .order_by("valid_from")
    )
    found = {}
    for m in months:
        hits = [a for a in rows if a.year == m.year and a.valid_from <= m]
        if hits:
            found[m] = hits[-1]
    return found


def receiving_organization_ok(member: Member, organization) -> bool:
    """R36: dues go to the branch holding the membership; activity-certificate holders (floating
    members) may pay at the inflow organization where they take part."""
    if organization.pk == member.organization_id:
        return True
    return member.is_floating and organization.pk == member.home_organization_id


@transaction.atomic
def dues_pay(
    *,
    actor,
    member: Member,
    organization,
    paid_on: dt.date,
    kind: str = PaymentKind.REGULAR,
    from_month: dt.date | None = None,
    to_month: dt.date | None = None,
    amount: Decimal | None = None,
    reason: str = "",
    today: dt.date | None = None,
) -> DuesPayment:
    """Record a payment. Regular and back payments cover whole months from the month after the
    paid-up month, at the amount assessed for each month, and move `Member.dues_paid_until`.
    A voluntary extra payment is any amount; one of 1000 yuan or more is routed in full to the
    Central Committee (R37). Refused: a temporary branch (R4), another branch than the one holding
    the membership (R36), months before the member's acceptance (R36: a probationary member pays
    from the day the branch assembly accepts them, `Member.joined_on`), months without an
    assessment, paying ahead without quarterly consent (R38). Back payments of more than 6 months need a reason (R38, warn)."""
    today = today or timezone.localdate()
    member = Member.objects.select_for_update().select_related("organization").get(pk=member.pk)
    enforce(check_r4_temporary(organization=organization, function="collect_dues"), None)
    if not receiving_organization_ok(member, organization):
        raise RuleViolation(
            [Finding("R36", "hard", _("R36: dues are paid to the branch holding the membership."))]
        )
    warnings: list[dict] = []
    if kind == PaymentKind.VOLUNTARY:
        if amount is None or Decimal(amount) <= 0:
            raise ValidationError({"amount": _("Enter the amount of the voluntary payment.")})
        month = rules.first_of_month(paid_on)
        payment = DuesPayment(
            from_month=month,
            to_month=month,
            amount=rules.money(amount),
            routed_to=rules.r37_routed_to(amount),
        )
    else:
        if to_month is None:
            raise ValidationError({"to_month": _("Choose the last month paid for.")})
        to_month = rules.first_of_month(to_month)
        expected_from = (
            rules.month_from_index(rules.month_index(member.dues_paid_until) + 1)
            if member.dues_paid_until
            else None
        )
        from_month = rules.first_of_month(from_month) if from_month else expected_from
        if from_month is None:
            raise ValidationError({"from_month": _("Choose the first month paid for.")})
        if expected_from is not None and from_month != expected_from:
            raise ValidationError(
                {
                    "from_month": _("Dues are paid up to %(m)s: pay from %(n)s.")
                    % {"m": f"{member.dues_paid_until:%Y-%m}", "n": f"{expected_from:%Y-%m}"}
                }
            )
        if to_month < from_month:
            raise ValidationError({"to_month": _("The last month comes before the first.")})
        accepted = rules.first_of_month(member.joined_on) if member.joined_on else None
        if accepted is not None and from_month < accepted:
            raise RuleViolation(
                [
                    Finding(
                        "R36",
                        "hard",
                        _(
                            "R36: a member pays from the month the branch assembly accepted them"
                            " (%(m)s); months before it cannot be paid."
                        )
                        % {"m": f"{accepted:%Y-%m}"},
                    )
                ]
            )
        months = rules.months_between(from_month, to_month)
        found = assessments_for_months(member, months)
        missing = [m for m in months if m not in found]
        if missing:
            raise ValidationError(
                _("No dues assessment for %(months)s.")
                % {"months": ", ".join(f"{m:%Y-%m}" for m in missing)}
            )
        quarterly = found[months[-1]].quarterly
        warnings = enforce(
            rules.check_r38_timing(
                from_month=from_month,
                to_month=to_month,
                today=today,
                quarterly=quarterly,
                region=organization.region,
            ),
            reason,
        )
        back = rules.month_index(from_month) < rules.month_index(today) - 1
        kind = PaymentKind.BACK if back else PaymentKind.REGULAR
        payment = DuesPayment(
            from_month=from_month,
            to_month=to_month,
            amount=sum((found[m].effective_amount for m in months), Decimal("0")),
        )
        before = member.dues_paid_until
        member.dues_paid_until = to_month
        member.save(update_fields=["dues_paid_until"])
        audit_record(
            actor=actor,
            action="member.dues_paid_until",
            obj=member,
            before={"dues_paid_until": before and before.isoformat()},
            after={"dues_paid_until": to_month.isoformat()},
        )
    payment.member = member
    payment.organization = organization
    payment.paid_on = paid_on
    payment.kind = kind
    payment.reason = reason or ""
    payment.recorded_by = actor if getattr(actor, "pk", None) else None
    payment.save()
    audit_record(
        actor=actor,
        action="dues.pay",
        obj=payment,
        after=snapshot(payment),
        reason=reason,
        warnings=warnings,
    )
    return payment


def approving_organization_of(member: Member):
    """R35: the next higher committee above the branch holding the membership."""
    return member.organization.parent


@transaction.atomic
def dues_reduce_request(
    *, actor, member: Member, year: int, monthly_amount: Decimal, reason: str, today=None
) -> DuesReduction:
    """The branch asks the next higher committee to reduce or waive a member's dues (R35).
    Nothing changes until it is approved."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason (the branch's discussion).")})
    if Decimal(monthly_amount) < 0:
        raise ValidationError({"monthly_amount": _("Amounts cannot be negative.")})
    approver = approving_organization_of(member)
    if approver is None:
        raise ValidationError(_("R35: no higher committee above this branch to approve."))
    r = DuesReduction.objects.create(
        member=member,
        year=year,
        monthly_amount=rules.money(monthly_amount),
        reason=reason,
        approving_organization=approver,
        requested_by=actor if getattr(actor, "pk", None) else None,
        requested_on=today or timezone.localdate(),
    )
    audit_record(actor=actor, action="dues.reduce_request", obj=r, after=snapshot(r), reason=reason)
    return r


@transaction.atomic
def dues_reduce_decide(
    *, actor, scope, reduction: DuesReduction, approve: bool, today=None
) -> DuesReduction:
    """The next higher committee approves (the year's assessments take the reduced amount) or
    refuses. HARD (R35): only someone administering that committee decides, once."""
    reduction = DuesReduction.objects.select_for_update().get(pk=reduction.pk)
    if reduction.state != ReductionState.PENDING:
        raise ValidationError(_("This request is already decided."))
    org = reduction.approving_organization
    if not administers_organization(scope, org):
        raise RuleViolation(
            [Finding("R35", "hard", _("R35: only the next higher committee approves a reduction."))]
        )
    before = snapshot(reduction)
    reduction.state = ReductionState.APPROVED if approve else ReductionState.REFUSED
    if approve:
        reduction.approved_by = actor if getattr(actor, "pk", None) else None
        reduction.approved_on = today or timezone.localdate()
        DuesAssessment.objects.filter(member_id=reduction.member_id, year=reduction.year).update(
            reduction=reduction
        )
    reduction.save()
    audit_record(
        actor=actor,
        action="dues.reduce_approve" if approve else "dues.reduce_refuse",
        obj=reduction,
        before=before,
        after=snapshot(reduction),
    )
    return reduction
