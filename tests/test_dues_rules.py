"""Party dues rules (RULES.md §D), named after their rule, with exact bracket boundaries."""

import datetime as dt
from decimal import Decimal

import pytest

from gangwan.dues import rules
from gangwan.dues.rules import IncomeKind

D = Decimal


@pytest.mark.parametrize(
    "base, amount",
    [
        ("0", "0.00"),
        ("2999.99", "15.00"),
        ("3000", "15.00"),
        ("3000.01", "30.00"),
        ("5000", "50.00"),
        ("5000.01", "75.00"),
        ("5400", "81.00"),
        ("10000", "150.00"),
        ("10000.01", "200.00"),
        ("12345.67", "246.91"),
    ],
)
def test_r31_whole_amount_brackets(base, amount):
    assert rules.r31_monthly_amount(D(base)) == D(amount)


def test_r31_the_jump_at_5000_01_is_not_progressive():
    # Progressively 5000.01 would pay 50.00 + a fen; the whole amount pays 1.5%.
    assert rules.r31_monthly_amount(D("5000.01")) - rules.r31_monthly_amount(D("5000")) == D(
        "25.00"
    )


def test_r31_rounds_half_up_to_the_fen():
    # UNCONFIRMED in the regulation; half-up as the code samples do: 3001 × 1% = 30.01, 3000.50 → 30.005 → 30.01
    assert rules.r31_monthly_amount(D("3000.50")) == D("30.01")
    assert rules.r31_monthly_amount(D("1001")) == D("5.01")  # 5.005 → 5.01


@pytest.mark.parametrize(
    "pension, amount",
    [("3000", "15.00"), ("5000", "25.00"), ("5000.01", "50.00"), ("8000", "80.00")],
)
def test_r33_retirees(pension, amount):
    assert rules.monthly_amount(IncomeKind.RETIREE, D(pension)) == D(amount)


def test_r34_farmers_default_and_range():
    assert rules.monthly_amount(IncomeKind.FARMER, None) == D("0.50")
    assert rules.monthly_amount(IncomeKind.FARMER, None, farmer_amount="1") == D("1.00")
    assert rules.monthly_amount(IncomeKind.FARMER, None, farmer_amount="0.2") == D("0.20")
    for bad in ("0.19", "1.01"):
        with pytest.raises(ValueError, match="R34"):
            rules.monthly_amount(IncomeKind.FARMER, None, farmer_amount=bad)


@pytest.mark.parametrize("kind", ["student", "unemployed", "relief", "minimum_income"])
def test_r34_hardship_kinds_pay_twenty_fen(kind):
    assert rules.monthly_amount(kind, None) == D("0.20")
    assert rules.compute_base(kind, {}) is None


def test_r32_annual_salary_uses_the_amount_received_that_month():
    base = rules.compute_base(IncomeKind.ANNUAL_SALARY, {"received_this_month": "12000"})
    assert base == D("12000.00")
    assert rules.monthly_amount(IncomeKind.ANNUAL_SALARY, base) == D("240.00")


def test_r32_self_employed_use_the_previous_quarters_monthly_average():
    base = rules.compute_base(IncomeKind.SELF_EMPLOYED, {"quarter_net_income": "15000"})
    assert base == D("5000.00")
    assert rules.monthly_amount(IncomeKind.SELF_EMPLOYED, base) == D("50.00")


def test_r30_base_from_components_by_post_type():
    components = {
        "base_pay": "4000",
        "post_pay": "2500",
        "bonus": "1000",
        "income_tax": "200",
        "social_insurance": "800",
        "housing_fund": "500",
        "annuity": "100",
        # never counted
        "transport_allowance": "300",
        "phone_allowance": "100",
        "overtime_pay": "900",
        "year_end_pay": "20000",
        "performance_pay": "999",  # not an enterprise item
    }
    base = rules.compute_base(IncomeKind.SALARIED, components, post_type="enterprise")
    assert base == D("5900.00")
    assert rules.monthly_amount(IncomeKind.SALARIED, base) == D("88.50")
    civil = rules.compute_base(
        IncomeKind.SALARIED,
        {"post_pay": "3000", "grade_pay": "1500", "allowances": "2000", "income_tax": "100"},
        post_type="civil_servant",
    )
    assert civil == D("6400.00")
    institution = rules.compute_base(
        IncomeKind.SALARIED,
        {"post_pay": "2000", "scale_pay": "1000", "performance_pay": "1500", "allowances": "500"},
        post_type="institution",
    )
    assert institution == D("5000.00")


def test_r30_base_needs_a_post_type_and_is_never_negative():
    with pytest.raises(ValueError):
        rules.compute_base(IncomeKind.SALARIED, {"base_pay": "1"}, post_type="")
    assert rules.compute_base(
        IncomeKind.SALARIED, {"base_pay": "100", "income_tax": "500"}, post_type="enterprise"
    ) == D("0.00")
    with pytest.raises(ValueError):
        rules.compute_base(IncomeKind.SALARIED, {"base_pay": "-1"}, post_type="enterprise")


def test_r30_included_items_are_config(settings):
    settings.GANGWAN_RULE_DEFAULTS = {
        **settings.GANGWAN_RULE_DEFAULTS,
        "R30.included_items": {"enterprise": ["base_pay"]},
        "R30.deducted_items": [],
    }
    assert rules.compute_base(
        IncomeKind.SALARIED, {"base_pay": "4000", "bonus": "3000"}, post_type="enterprise"
    ) == D("4000.00")


@pytest.mark.parametrize(
    "amount, routed", [("999.99", "branch"), ("1000", "central"), ("5000", "central")]
)
def test_r37_voluntary_payments_of_1000_or_more_go_to_the_central_committee(amount, routed):
    assert rules.r37_routed_to(D(amount)) == routed


def test_r38_back_payments_over_six_months_warn():
    today = dt.date(2026, 11, 15)
    six = rules.check_r38_timing(
        from_month=dt.date(2026, 5, 1), to_month=dt.date(2026, 10, 1), today=today, quarterly=False
    )
    assert six == []
    seven = rules.check_r38_timing(
        from_month=dt.date(2026, 4, 1), to_month=dt.date(2026, 10, 1), today=today, quarterly=False
    )
    assert [(f.rule, f.level) for f in seven] == [("R38", "warn")]


def test_r38_paying_ahead_needs_quarterly_consent_within_the_quarter():
    today = dt.date(2026, 10, 5)
    kw = {"from_month": dt.date(2026, 10, 1), "today": today}
    assert rules.check_r38_timing(to_month=dt.date(2026, 10, 1), quarterly=False, **kw) == []
    ahead = rules.check_r38_timing(to_month=dt.date(2026, 12, 1), quarterly=False, **kw)
    assert [(f.rule, f.level) for f in ahead] == [("R38", "hard")]
    assert rules.check_r38_timing(to_month=dt.date(2026, 12, 1), quarterly=True, **kw) == []
    beyond = rules.check_r38_timing(to_month=dt.date(2027, 1, 1), quarterly=True, **kw)
    assert [(f.rule, f.level) for f in beyond] == [("R38", "hard")]


def test_months_behind_counts_up_to_the_previous_month():
    today = dt.date(2026, 11, 15)
    assert rules.months_behind(dt.date(2026, 10, 1), today) == 0
    assert rules.months_behind(dt.date(2026, 11, 1), today) == 0
    assert rules.months_behind(dt.date(2026, 7, 1), today) == 3
    assert rules.months_behind(None, today) is None
