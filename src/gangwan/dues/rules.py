"""Party dues rules (RULES.md §D, R30–R38), as pure functions over Decimal.

Rounding: half-up to 2 decimals (fen). The regulation does not say; RULES.md marks it
UNCONFIRMED and follows the code samples (binbinjianke/partyfee `Caculate.java`). One place: `money`.
CONFIG values are read through `setting()` with the module defaults below as a fallback until the
keys are in settings.GANGWAN_RULE_DEFAULTS.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gangwan.core.errors import Finding
from gangwan.core.rules import rule_value

CENT = Decimal("0.01")
CENTRAL_THRESHOLD = Decimal(
    "1000"
)  # R37: a single voluntary payment ≥ 1000 yuan → Central Committee

DEFAULTS = {
    "R30.included_items": {
        "civil_servant": ["post_pay", "grade_pay", "allowances"],
        "institution": ["post_pay", "scale_pay", "performance_pay", "allowances"],
        "enterprise": ["base_pay", "post_pay", "bonus"],
    },
    # Deducted from the included items: the base is after tax, insurances and housing fund.
    "R30.deducted_items": ["income_tax", "social_insurance", "housing_fund", "annuity"],
    "R34.farmer_monthly": "0.50",  # farmers: 0.2–1 yuan a month
    "R34.hardship_monthly": "0.20",  # students, unemployed, relief, minimum income support (低保)
    "R38.back_payment_warn_months": 6,
}

# Items never counted (common exclusions, R30); listed so the form can show them and say why.
EXCLUDED_ITEMS = ["transport_allowance", "phone_allowance", "overtime_pay", "year_end_pay"]

ITEM_LABELS = {
    "post_pay": gettext_lazy("Post pay"),
    "grade_pay": gettext_lazy("Grade pay"),
    "allowances": gettext_lazy("Allowances"),
    "scale_pay": gettext_lazy("Salary-scale pay"),
    "performance_pay": gettext_lazy("Performance pay"),
    "base_pay": gettext_lazy("Base pay"),
    "bonus": gettext_lazy("Bonus"),
    "income_tax": gettext_lazy("Personal income tax"),
    "social_insurance": gettext_lazy("Five insurances (personal part)"),
    "housing_fund": gettext_lazy("Housing fund (personal part)"),
    "annuity": gettext_lazy("Enterprise or occupational annuity"),
    "transport_allowance": gettext_lazy("Transport allowance"),
    "phone_allowance": gettext_lazy("Phone allowance"),
    "overtime_pay": gettext_lazy("Overtime pay"),
    "year_end_pay": gettext_lazy("Year-end performance pay"),
    "received_this_month": gettext_lazy("Annual salary received this month"),
    "quarter_net_income": gettext_lazy("Net income of the previous quarter"),
    "pension": gettext_lazy("Total pension"),
}


class IncomeKind(models.TextChoices):
    SALARIED = "salaried", gettext_lazy("Salaried")
    ANNUAL_SALARY = "annual_salary", gettext_lazy("Annual salary")
    SELF_EMPLOYED = "self_employed", gettext_lazy("Self-employed")
    RETIREE = "retiree", gettext_lazy("Retiree")
    FARMER = "farmer", gettext_lazy("Farmer")
    STUDENT = "student", gettext_lazy("Student")
    UNEMPLOYED = "unemployed", gettext_lazy("Laid-off or unemployed")
    RELIEF = "relief", gettext_lazy("Living on relief")
    MINIMUM_INCOME = "minimum_income", gettext_lazy("Minimum income support")


class PostType(models.TextChoices):
    CIVIL_SERVANT = "civil_servant", gettext_lazy("Civil servant")
    INSTITUTION = "institution", gettext_lazy("Public institution")
    ENTERPRISE = "enterprise", gettext_lazy("Enterprise")


HARDSHIP_KINDS = {
    IncomeKind.STUDENT,
    IncomeKind.UNEMPLOYED,
    IncomeKind.RELIEF,
    IncomeKind.MINIMUM_INCOME,
}
FIXED_KINDS = HARDSHIP_KINDS | {IncomeKind.FARMER}


def setting(key: str, region=None):
    try:
        return rule_value(key, region)
    except KeyError:
        return DEFAULTS[key]


def money(value) -> Decimal:
    """Half-up to the fen (R31 rounding, UNCONFIRMED)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _dec(value) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    d = Decimal(str(value))
    if d < 0:
        raise ValueError(_("Amounts cannot be negative."))
    return d


# --- R31 / R33: rates -----------------------------------------------------------------------------
def r31_rate(base: Decimal) -> Decimal:
    """The rate of a salaried member's base, applied to the WHOLE amount (not progressive)."""
    base = Decimal(base)
    if base <= 3000:
        return Decimal("0.005")
    if base <= 5000:
        return Decimal("0.01")
    if base <= 10000:
        return Decimal("0.015")
    return Decimal("0.02")


def r31_monthly_amount(base) -> Decimal:
    return money(Decimal(base) * r31_rate(Decimal(base)))


def r33_rate(pension: Decimal) -> Decimal:
    return Decimal("0.005") if Decimal(pension) <= 5000 else Decimal("0.01")


def r33_monthly_amount(pension) -> Decimal:
    return money(Decimal(pension) * r33_rate(Decimal(pension)))


# --- R34: fixed amounts ---------------------------------------------------------------------------
def r34_fixed_amount(kind: str, *, farmer_amount=None, region=None) -> Decimal:
    """Farmers pay 0.2–1 yuan a month (CONFIG default 0.5); hardship kinds 0.2 yuan."""
    if kind == IncomeKind.FARMER:
        amount = money(
            farmer_amount
            if farmer_amount not in (None, "")
            else setting("R34.farmer_monthly", region)
        )
        if not Decimal("0.20") <= amount <= Decimal("1.00"):
            raise ValueError(_("R34: farmers pay between 0.20 and 1.00 yuan a month."))
        return amount
    if kind in HARDSHIP_KINDS:
        return money(setting("R34.hardship_monthly", region))
    raise ValueError(f"{kind} has no fixed amount")


# --- R30 / R32: the base ---------------------------------------------------------------------------
def r30_salaried_base(post_type: str, components: dict, *, region=None) -> Decimal:
    """Sum of the post type's included items minus tax, insurances, housing fund and annuities.
    Anything else (transport, phone, overtime, year-end pay) is not counted. Never below zero."""
    included = setting("R30.included_items", region).get(post_type)
    if included is None:
        raise ValueError(_("Choose the post type (civil servant, institution or enterprise)."))
    deducted = setting("R30.deducted_items", region)
    gross = sum((_dec(components.get(k)) for k in included), Decimal("0"))
    less = sum((_dec(components.get(k)) for k in deducted), Decimal("0"))
    return money(max(gross - less, Decimal("0")))


def r32_annual_salary_base(components: dict) -> Decimal:
    """Annual-salary members: the amount actually received that month."""
    return money(_dec(components.get("received_this_month")))


def r32_self_employed_base(components: dict) -> Decimal:
    """Self-employed: the average monthly net income of the previous quarter."""
    return money(_dec(components.get("quarter_net_income")) / 3)


def compute_base(kind: str, components: dict, *, post_type: str = "", region=None):
    """The base for a kind of income, or None for the fixed-amount kinds (R34)."""
    if kind == IncomeKind.SALARIED:
        return r30_salaried_base(post_type, components, region=region)
    if kind == IncomeKind.ANNUAL_SALARY:
        return r32_annual_salary_base(components)
    if kind == IncomeKind.SELF_EMPLOYED:
        return r32_self_employed_base(components)
    if kind == IncomeKind.RETIREE:
        return money(_dec(components.get("pension")))
    if kind in FIXED_KINDS:
        return None
    raise ValueError(f"unknown income kind {kind}")


def monthly_amount(kind: str, base, *, farmer_amount=None, region=None) -> Decimal:
    if kind in FIXED_KINDS:
        return r34_fixed_amount(kind, farmer_amount=farmer_amount, region=region)
    if kind == IncomeKind.RETIREE:
        return r33_monthly_amount(base)
    return r31_monthly_amount(base)


def component_keys(kind: str, post_type: str = "", region=None) -> list[str]:
    """The inputs an assessment of this kind asks for."""
    if kind == IncomeKind.SALARIED:
        included = setting("R30.included_items", region).get(post_type, [])
        return [*included, *setting("R30.deducted_items", region)]
    return {
        IncomeKind.ANNUAL_SALARY: ["received_this_month"],
        IncomeKind.SELF_EMPLOYED: ["quarter_net_income"],
        IncomeKind.RETIREE: ["pension"],
    }.get(kind, [])


# --- R37: voluntary extra payments ----------------------------------------------------------------
def r37_routed_to(amount) -> str:
    """A single voluntary payment of 1000 yuan or more goes in full to the Central Committee."""
    return "central" if Decimal(amount) >= CENTRAL_THRESHOLD else "branch"


# --- R38: timing ----------------------------------------------------------------------------------
def first_of_month(d: dt.date) -> dt.date:
    return d.replace(day=1)


def month_index(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def month_from_index(i: int) -> dt.date:
    return dt.date(i // 12, i % 12 + 1, 1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months from start to end inclusive."""
    return [month_from_index(i) for i in range(month_index(start), month_index(end) + 1)]


def months_behind(paid_until: dt.date | None, today: dt.date) -> int | None:
    """Months unpaid up to the previous month (None when nothing was ever paid)."""
    if paid_until is None:
        return None
    return max(month_index(today) - 1 - month_index(paid_until), 0)


def check_r38_timing(
    *, from_month: dt.date, to_month: dt.date, today: dt.date, quarterly: bool, region=None
) -> list[Finding]:
    """Monthly; quarterly (ahead, within the current quarter) only with the branch's consent;
    back payments of more than 6 months (CONFIG) are warned and need a reason."""
    findings = []
    now = month_index(today)
    if month_index(to_month) > now:
        quarter_end = (now // 3) * 3 + 2
        if not quarterly:
            findings.append(
                Finding(
                    "R38",
                    "hard",
                    _(
                        "R38: dues are paid monthly; paying ahead needs the branch's consent to pay quarterly."
                    ),
                )
            )
        elif month_index(to_month) > quarter_end:
            findings.append(
                Finding("R38", "hard", _("R38: paying ahead goes no further than this quarter."))
            )
    limit = int(setting("R38.back_payment_warn_months", region))
    back = now - month_index(from_month)
    if back > limit:
        findings.append(
            Finding(
                "R38",
                "warn",
                _("R38: a back payment of %(n)s months (more than %(limit)s): give the reason.")
                % {"n": back, "limit": limit},
            )
        )
    return findings
