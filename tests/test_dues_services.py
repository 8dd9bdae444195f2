"""Dues services: assessment (R30, R36), payments (R4, R36, R37, R38), reductions (R35)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gangwan.core.errors import ReasonRequired, RuleViolation
from gangwan.core.models import AuditEntry
from gangwan.core.scopes import scope_for
from gangwan.dues import services
from gangwan.dues.models import DuesAssessment, DuesPayment
from tests import factories as f

D = Decimal
TODAY = dt.date(2026, 11, 15)


@pytest.fixture
def place(district):
    d = district
    branch = f.organization("青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee)
    member = f.member(branch, name="王五")
    admin = f.user("boss", is_superuser=True)
    return {"d": d, "branch": branch, "member": member, "admin": admin}


def _assess(place, **kw):
    kw.setdefault("year", 2026)
    kw.setdefault("income_kind", "salaried")
    kw.setdefault("post_type", "enterprise")
    kw.setdefault("components", {"base_pay": "5000", "post_pay": "400"})
    return services.dues_assess(actor=place["admin"], member=place["member"], **kw)


def test_assessment_computes_base_and_amount_and_is_audited(place):
    a = _assess(place)
    assert (a.base, a.monthly_amount, a.valid_from) == (
        D("5400.00"),
        D("81.00"),
        dt.date(2026, 1, 1),
    )
    assert AuditEntry.objects.filter(action="dues.assess", object_id=str(a.pk)).exists()


def test_r36_a_year_is_assessed_once_and_changed_only_by_reassessment(place):
    _assess(place)
    with pytest.raises(ValidationError, match="R36"):
        _assess(place)
    with pytest.raises(ValidationError):
        services.dues_reassess(
            actor=place["admin"],
            member=place["member"],
            valid_from=dt.date(2026, 7, 1),
            income_kind="retiree",
            components={"pension": "6000"},
            reason="",
        )
    b = services.dues_reassess(
        actor=place["admin"],
        member=place["member"],
        valid_from=dt.date(2026, 7, 9),
        income_kind="retiree",
        components={"pension": "6000"},
        reason="退休",
    )
    assert (b.valid_from, b.monthly_amount) == (dt.date(2026, 7, 1), D("60.00"))
    assert AuditEntry.objects.filter(action="dues.reassess", reason="退休").exists()
    # Paying Jan–Aug sums 6 months at 81 and 2 at 60.
    p = services.dues_pay(
        actor=place["admin"],
        member=place["member"],
        organization=place["branch"],
        paid_on=TODAY,
        from_month=dt.date(2026, 5, 1),
        to_month=dt.date(2026, 8, 1),
        today=TODAY,
    )
    assert p.amount == D("81.00") * 2 + D("60.00") * 2


def test_pay_monthly_moves_the_paid_up_month(place):
    _assess(place)
    member = place["member"]
    p = services.dues_pay(
        actor=place["admin"],
        member=member,
        organization=place["branch"],
        paid_on=TODAY,
        from_month=dt.date(2026, 10, 1),
        to_month=dt.date(2026, 11, 1),
        today=TODAY,
    )
    member.refresh_from_db()
    assert member.dues_paid_until == dt.date(2026, 11, 1)
    assert (p.amount, p.kind, p.routed_to) == (D("162.00"), "regular", "branch")
    assert AuditEntry.objects.filter(action="dues.pay", object_id=str(p.pk)).exists()
    # The next payment must start at December.
    with pytest.raises(ValidationError, match="2026-12"):
        services.dues_pay(
            actor=place["admin"],
            member=member,
            organization=place["branch"],
            paid_on=TODAY,
            from_month=dt.date(2026, 11, 1),
            to_month=dt.date(2026, 11, 1),
            today=TODAY,
        )


def test_pay_refuses_months_without_assessment(place):
    with pytest.raises(ValidationError, match="2026-10"):
        services.dues_pay(
            actor=place["admin"],
            member=place["member"],
            organization=place["branch"],
            paid_on=TODAY,
            from_month=dt.date(2026, 10, 1),
            to_month=dt.date(2026, 10, 1),
            today=TODAY,
        )


def test_r38_back_payments_over_six_months_need_a_reason(place):
    _assess(place)
    kw = dict(
        actor=place["admin"],
        member=place["member"],
        organization=place["branch"],
        paid_on=TODAY,
        from_month=dt.date(2026, 1, 1),
        to_month=dt.date(2026, 10, 1),
        today=TODAY,
    )
    with pytest.raises(ReasonRequired):
        services.dues_pay(**kw)
    assert not DuesPayment.objects.exists()
    p = services.dues_pay(**kw, reason="外出务工，回乡补交")
    assert p.kind == "back"
    entry = AuditEntry.objects.get(action="dues.pay")
    assert entry.warnings[0]["rule"] == "R38"


def test_r38_quarterly_ahead_only_with_consent(place):
    kw = dict(
        actor=place["admin"],
        member=place["member"],
        organization=place["branch"],
        paid_on=dt.date(2026, 10, 3),
        from_month=dt.date(2026, 10, 1),
        to_month=dt.date(2026, 12, 1),
        today=dt.date(2026, 10, 3),
    )
    a = _assess(place)
    with pytest.raises(RuleViolation, match="R38"):
        services.dues_pay(**kw)
    DuesAssessment.objects.filter(pk=a.pk).update(quarterly=True)
    assert services.dues_pay(**kw).amount == D("243.00")


def test_r37_a_voluntary_payment_of_1000_goes_to_the_central_committee(place):
    member = place["member"]
    small = services.dues_pay(
        actor=place["admin"],
        member=member,
        organization=place["branch"],
        paid_on=TODAY,
        kind="voluntary",
        amount=D("999.99"),
        today=TODAY,
    )
    big = services.dues_pay(
        actor=place["admin"],
        member=member,
        organization=place["branch"],
        paid_on=TODAY,
        kind="voluntary",
        amount=D("1000"),
        today=TODAY,
    )
    assert (small.routed_to, big.routed_to) == ("branch", "central")
    assert big.amount == D("1000.00")
    member.refresh_from_db()
    assert member.dues_paid_until is None  # extra payments are not dues for a month


def test_r4_a_temporary_branch_cannot_collect_dues(place):
    d = place["d"]
    temp = f.organization("临时党支部", "temporary_branch", d.qingzhi, d.qingzhi_committee)
    member = f.member(temp)
    with pytest.raises(RuleViolation, match="R4"):
        services.dues_pay(
            actor=place["admin"],
            member=member,
            organization=temp,
            paid_on=TODAY,
            kind="voluntary",
            amount=D("10"),
            today=TODAY,
        )


def test_r36_dues_are_paid_where_the_membership_is_held(place):
    d = place["d"]
    other = f.organization("别的支部", "branch", d.qingzhi, d.qingzhi_committee)
    with pytest.raises(RuleViolation, match="R36"):
        services.dues_pay(
            actor=place["admin"],
            member=place["member"],
            organization=other,
            paid_on=TODAY,
            kind="voluntary",
            amount=D("10"),
            today=TODAY,
        )
    floating = f.member(place["branch"], is_floating=True, home_organization=other)
    p = services.dues_pay(
        actor=place["admin"],
        member=floating,
        organization=other,
        paid_on=TODAY,
        kind="voluntary",
        amount=D("10"),
        today=TODAY,
    )
    assert p.organization == other


def test_r35_reduction_changes_nothing_until_the_higher_committee_approves(place):
    d = place["d"]
    a = _assess(place)
    r = services.dues_reduce_request(
        actor=place["admin"],
        member=place["member"],
        year=2026,
        monthly_amount=D("0"),
        reason="支部讨论：重病",
        today=TODAY,
    )
    assert r.approving_organization == d.qingzhi_committee
    a.refresh_from_db()
    assert a.effective_amount == D("81.00")
    branch_sec = f.user("sec", role="secretary", organization=place["branch"])
    with pytest.raises(RuleViolation, match="R35"):
        services.dues_reduce_decide(
            actor=branch_sec, scope=scope_for(branch_sec), reduction=r, approve=True
        )
    committee_sec = f.user("csec", role="secretary", organization=d.qingzhi_committee)
    services.dues_reduce_decide(
        actor=committee_sec,
        scope=scope_for(committee_sec),
        reduction=r,
        approve=True,
        today=TODAY,
    )
    a.refresh_from_db()
    assert a.effective_amount == D("0")
    assert AuditEntry.objects.filter(action="dues.reduce_approve").exists()
    p = services.dues_pay(
        actor=place["admin"],
        member=place["member"],
        organization=place["branch"],
        paid_on=TODAY,
        from_month=dt.date(2026, 10, 1),
        to_month=dt.date(2026, 10, 1),
        today=TODAY,
    )
    assert p.amount == D("0")


def test_r36_probationary_members_pay_from_acceptance(place):
    member = f.member(
        place["branch"], name="新预备", status="probationary", joined_on=dt.date(2026, 9, 20)
    )
    services.dues_assess(
        actor=place["admin"],
        member=member,
        year=2026,
        income_kind="salaried",
        post_type="enterprise",
        components={"base_pay": "5000"},
    )
    with pytest.raises(RuleViolation, match="R36.*2026-09"):
        services.dues_pay(
            actor=place["admin"],
            member=member,
            organization=place["branch"],
            paid_on=TODAY,
            from_month=dt.date(2026, 8, 1),
            to_month=dt.date(2026, 10, 1),
            today=TODAY,
        )
    assert not DuesPayment.objects.filter(member=member).exists()
    p = services.dues_pay(
        actor=place["admin"],
        member=member,
        organization=place["branch"],
        paid_on=TODAY,
        from_month=dt.date(2026, 9, 1),
        to_month=dt.date(2026, 10, 1),
        today=TODAY,
    )
    assert (p.from_month, p.amount) == (dt.date(2026, 9, 1), D("100.00"))
