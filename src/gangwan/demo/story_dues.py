"""Party dues in the demo district (R30–R38).

Every member has this year's assessment: employees of enterprises with salary components (base,
post pay and bonus, less tax, insurances and housing fund; bases of about 4,000–15,000 yuan), civil
servants of the committees, retirees with their pensions, farmers in villages at a fixed amount,
students and a few on minimum income support at 0.20. Payments: about 90% are paid up to last month,
a few are one or two months behind, some 3–8 months (so the inactivity list, R27, has dues-based
cases). A few voluntary extra payments; one of 1,000 yuan or more is routed to the Central
Committee (R37). Rows are bulk-inserted; amounts come from the same rule functions as the services.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

from gangwan.dues import rules
from gangwan.dues.models import DuesAssessment, DuesPayment, PaymentKind, RoutedTo
from gangwan.dues.rules import IncomeKind, PostType
from gangwan.members.models import Member
from gangwan.organizations.models import OrganizationKind

BATCH = 2000


def _age(m, today: dt.date) -> int:
    return today.year - m.birth_date.year


def _kind_and_components(rng: random.Random, m, today: dt.date) -> tuple[str, str, dict]:
    age = _age(m, today)
    org = m.organization
    if age >= 60:
        return IncomeKind.RETIREE, "", {"pension": str(rng.randint(25, 72) * 100)}
    if age < 23:
        return IncomeKind.STUDENT, "", {}
    if org.kind in (OrganizationKind.COMMITTEE, OrganizationKind.WORKING_COMMITTEE):
        return (
            IncomeKind.SALARIED,
            PostType.CIVIL_SERVANT,
            {
                "post_pay": str(rng.randint(25, 45) * 100),
                "grade_pay": str(rng.randint(15, 30) * 100),
                "allowances": str(rng.randint(10, 30) * 100),
                "income_tax": str(rng.randint(1, 6) * 100),
                "social_insurance": str(rng.randint(8, 14) * 100),
                "housing_fund": str(rng.randint(6, 12) * 100),
            },
        )
    if m.unit_id:
        gross = rng.randint(50, 190) * 100
        return (
            IncomeKind.SALARIED,
            PostType.ENTERPRISE,
            {
                "base_pay": str(gross * 6 // 10),
                "post_pay": str(gross * 3 // 10),
                "bonus": str(gross // 10),
                "income_tax": str(gross // 40),
                "social_insurance": str(gross // 10),
                "housing_fund": str(gross // 20),
                "year_end_pay": str(gross * rng.randint(1, 3)),  # never counted (R30)
            },
        )
    if org.region.kind == "village" or rng.random() < 0.2:
        return IncomeKind.FARMER, "", {}
    r = rng.random()
    if r < 0.5:
        return IncomeKind.SELF_EMPLOYED, "", {"quarter_net_income": str(rng.randint(60, 300) * 100)}
    if r < 0.8:
        return IncomeKind.UNEMPLOYED, "", {}
    return IncomeKind.MINIMUM_INCOME, "", {}


def _paid_until(rng: random.Random, today: dt.date, first: dt.date) -> dt.date | None:
    last = rules.month_index(today) - 1
    r = rng.random()
    back = 0 if r < 0.9 else rng.randint(1, 2) if r < 0.95 else rng.randint(3, 8)
    i = last - back
    if i < rules.month_index(first):
        return None
    return rules.month_from_index(i)


def _insert(model, rows: list[dict]) -> None:
    """Bulk insert plain rows (attname → value) without model instances: tens of thousands."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = [f.get_db_prep_save(timezone.now(), connection) for f in fields if f.name == "created_at"]
    prep = []
    for f in fields:
        if isinstance(f, models.JSONField):
            prep.append(lambda v, f=f: f.get_db_prep_save(v, connection))
        elif isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
            prep.append(connection.ops.adapt_datefield_value)
        else:
            prep.append(None)
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(fields))})"
    values = [
        [
            now[0] if f.name == "created_at" else p(r.get(f.attname)) if p else r.get(f.attname)
            for f, p in zip(fields, prep, strict=True)
        ]
        for r in rows
    ]
    with connection.cursor() as cursor:
        for i in range(0, len(values), BATCH):
            cursor.executemany(sql, values[i : i + BATCH])


def load(plan, users: dict) -> None:
    rng = random.Random(plan.seed * 7 + 30)
    today = plan.today
    year = today.year
    jan = dt.date(year, 1, 1)
    assessments, payments, paid = [], [], []
    for m in plan.members:
        if m.pk is None or m.organization.pk is None:
            continue
        if m.organization.kind == OrganizationKind.TEMPORARY_BRANCH:
            continue  # R4: temporary branches do not collect dues
        kind, post_type, components = _kind_and_components(rng, m, today)
        farmer = Decimal(rng.choice(["0.20", "0.50", "0.50", "1.00"])) if kind == "farmer" else None
        base = rules.compute_base(kind, components, post_type=post_type)
        amount = rules.monthly_amount(kind, base, farmer_amount=farmer)
        if kind == IncomeKind.FARMER:
            components = {"farmer_amount": str(amount)}
        values = {
            "member_id": m.pk,
            "income_kind": kind,
            "post_type": post_type,
            "components": components,
            "base": base,
            "monthly_amount": amount,
            "is_fixed": kind in rules.FIXED_KINDS,
            "quarterly": rng.random() < 0.1,
        }
        assessments.append({"year": year, "valid_from": jan, **values})
        joined = m.joined_on.replace(day=1) if m.joined_on else jan
        # Payments over the last 12 months (last year's months at the same amount, assessed too).
        first = max(rules.month_from_index(rules.month_index(today) - 12), joined)
        until = _paid_until(rng, today, first)
        if until is None:
            continue
        if first.year < year:
            assessments.append(
                {"year": first.year, "valid_from": dt.date(first.year, 1, 1), **values}
            )
        paid.append((m.pk, until))
        # Secretaries collect and record in blocks of up to six months, early the following month.
        for start in range(rules.month_index(first), rules.month_index(until) + 1, 6):
            end = min(start + 5, rules.month_index(until))
            to_month = rules.month_from_index(end)
            months = end - start + 1
            paid_on = min(
                rules.month_from_index(end + 1) + dt.timedelta(days=rng.randint(0, 9)), today
            )
            payments.append(
                {
                    "member_id": m.pk,
                    "organization_id": m.organization.pk,
                    "from_month": rules.month_from_index(start),
                    "to_month": to_month,
                    "amount": amount * months,
                    "paid_on": paid_on,
                    "kind": PaymentKind.REGULAR,
                    "routed_to": RoutedTo.BRANCH,
                    "reason": "",
                }
            )
        if rng.random() < 0.01 or len(paid) == 1:
            extra = (
                Decimal("1000.00") if len(paid) == 1 else Decimal(rng.choice([50, 100, 200, 500]))
            )
            payments.append(
                {
                    "member_id": m.pk,
                    "organization_id": m.organization.pk,
                    "from_month": rules.first_of_month(today),
                    "to_month": rules.first_of_month(today),
                    "amount": extra,
                    "paid_on": today,
                    "kind": PaymentKind.VOLUNTARY,
                    "routed_to": rules.r37_routed_to(extra),
                    "reason": "自愿多交党费",
                }
            )
    _insert(DuesAssessment, assessments)
    _insert(DuesPayment, payments)
    by_month: dict[dt.date, list[int]] = {}
    for pk, until in paid:
        by_month.setdefault(until, []).append(pk)
    for until, pks in by_month.items():
        for i in range(0, len(pks), BATCH):
            Member.objects.filter(pk__in=pks[i : i + BATCH]).update(dues_paid_until=until)
