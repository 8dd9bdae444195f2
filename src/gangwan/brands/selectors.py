"""Reading service brands, records, problems and events, cut to the caller's scope.

A brand is in scope when its owning organization is (partners see it too); records, problems and
events follow their brand or organizing organization."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gangwan.core.scopes import Scope
from gangwan.organizations.models import Organization

from .models import (
    EmployeeEvent,
    EnterpriseProblem,
    ProblemStatus,
    Registration,
    RegistrationStatus,
    ServiceBrand,
    ServiceRecord,
)


def _brand_q(scope: Scope, prefix: str = "") -> Q:
    if scope.everything:
        return Q()
    orgs = scope.organizations(Organization.objects.all()).values("pk")
    return Q(**{f"{prefix}organization__in": orgs}) | Q(
        **{
            f"{prefix}pk__in": ServiceBrand.partners.through.objects.filter(
                organization__in=orgs
            ).values("servicebrand_id")
        }
    )


def brand_list(*, scope: Scope, category: str = "", q: str = "") -> QuerySet[ServiceBrand]:
    """Brands in scope with their figures (records, hours, units served) in one query."""
    qs = ServiceBrand.objects.filter(_brand_q(scope))
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(name__icontains=q)
    return with_figures(qs).select_related("organization")


def with_figures(qs: QuerySet[ServiceBrand]) -> QuerySet[ServiceBrand]:
    records = ServiceRecord.objects.filter(brand=OuterRef("pk")).order_by().values("brand")
    return qs.annotate(
        record_count=Subquery(records.annotate(n=Count("pk")).values("n")[:1]),
        hours_total=Subquery(records.annotate(h=Sum("hours")).values("h")[:1]),
        units_served=Subquery(
            records.annotate(u=Count("served_unit", distinct=True)).values("u")[:1]
        ),
    )


def brand_get(*, scope: Scope, pk: int) -> ServiceBrand:
    return get_object_or_404(
        with_figures(ServiceBrand.objects.filter(_brand_q(scope))).select_related(
            "organization__region"
        ),
        pk=pk,
    )


def _months_back(day: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def brand_months(*, brand: ServiceBrand, months: int = 12) -> list[dict]:
    """Records, hours and units served for each of the last `months` months (empty months as 0)."""
    today = timezone.localdate()
    first = _months_back(today, months - 1)
    rows = {
        r["month"].strftime("%Y-%m") if hasattr(r["month"], "strftime") else str(r["month"])[:7]: r
        for r in ServiceRecord.objects.filter(brand=brand, served_on__gte=first)
        .annotate(month=TruncMonth("served_on"))
        .order_by()
        .values("month")
        .annotate(
            records=Count("pk"), hours=Sum("hours"), units=Count("served_unit", distinct=True)
        )
    }
    out, d = [], first
    while d <= today:
        key = d.strftime("%Y-%m")
        r = rows.get(key, {})
        out.append(
            {
                "month": key,
                "records": r.get("records", 0),
                "hours": float(r.get("hours") or 0),
                "units": r.get("units", 0),
            }
        )
        d = (d + dt.timedelta(days=32)).replace(day=1)
    return out


def record_list(*, scope: Scope, brand: ServiceBrand | None = None) -> QuerySet[ServiceRecord]:
    qs = ServiceRecord.objects.filter(_brand_q(scope, "brand__"))
    if brand is not None:
        qs = qs.filter(brand=brand)
    return qs.select_related("brand", "served_unit").prefetch_related("members")


def brands_public() -> QuerySet[ServiceBrand]:
    return with_figures(ServiceBrand.objects.filter(is_public=True)).select_related("organization")


def brand_public_get(pk: int) -> ServiceBrand:
    return get_object_or_404(brands_public(), pk=pk)


# --- enterprise problems ---------------------------------------------------------------------
def problem_list(
    *, scope: Scope, status: str = "", brand: ServiceBrand | None = None
) -> QuerySet[EnterpriseProblem]:
    qs = EnterpriseProblem.objects.filter(_brand_q(scope, "brand__"))
    if status:
        qs = qs.filter(status=status)
    if brand is not None:
        qs = qs.filter(brand=brand)
    return qs.select_related("brand", "unit")


def problem_get(*, scope: Scope, pk: int) -> EnterpriseProblem:
    return get_object_or_404(
        problem_list(scope=scope).select_related("brand__organization__region", "record"), pk=pk
    )


def problems_by_status(*, scope: Scope) -> dict[str, int]:
    rows = problem_list(scope=scope).order_by().values("status").annotate(n=Count("pk"))
    counts = {s: 0 for s in ProblemStatus.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def problem_days_to_solve(*, scope: Scope) -> float | None:
    """Average days from report to solution of the solved problems in scope."""
    rows = list(
        problem_list(scope=scope)
        .filter(status=ProblemStatus.SOLVED)
        .values_list("reported_on", "closed_on")
    )
    if not rows:
        return None
    return round(sum((c - r).days for r, c in rows) / len(rows), 1)


# --- events ----------------------------------------------------------------------------------
def _event_counts(qs: QuerySet[EmployeeEvent]) -> QuerySet[EmployeeEvent]:
    return qs.annotate(
        confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
        waiting=Count("registrations", filter=Q(registrations__status="waiting")),
        attended_count=Count(
            "registrations",
            filter=Q(registrations__status="confirmed", registrations__attended=True),
        ),
    )


def event_list(*, scope: Scope) -> QuerySet[EmployeeEvent]:
    qs = EmployeeEvent.objects.all()
    if not scope.everything:
        qs = qs.filter(organization__in=scope.organizations(Organization.objects.all()))
    return (
        _event_counts(qs)
        .select_related("organization", "host_unit", "brand")
        .order_by("-starts_at", "-pk")
    )


def event_get(*, scope: Scope, pk: int) -> EmployeeEvent:
    return get_object_or_404(event_list(scope=scope), pk=pk)


def registrations_of(*, event: EmployeeEvent, status: str = "") -> QuerySet[Registration]:
    qs = event.registrations.all()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "pk")


def registration_get(*, scope: Scope, pk: int) -> Registration:
    events = event_list(scope=scope).values("pk")
    return get_object_or_404(
        Registration.objects.filter(event__in=events).select_related("event__organization"),
        pk=pk,
    )


def waiting_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITING:
        return None
    return (
        Registration.objects.filter(
            event_id=registration.event_id, status=RegistrationStatus.WAITING
        )
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, pk__lt=registration.pk)
        )
        .count()
        + 1
    )


def events_public() -> QuerySet[EmployeeEvent]:
    return (
        _event_counts(EmployeeEvent.objects.filter(is_public=True, starts_at__gte=timezone.now()))
        .select_related("organization", "host_unit", "brand")
        .order_by("starts_at")
    )


def event_public_get(pk: int) -> EmployeeEvent:
    return get_object_or_404(
        _event_counts(EmployeeEvent.objects.filter(is_public=True)).select_related(
            "organization", "host_unit"
        ),
        pk=pk,
    )


# --- dashboard -------------------------------------------------------------------------------
def dashboard_figures(*, scope: Scope, months: int = 12) -> dict:
    """Brands and service hours, problems solved, service hours by month, in a few queries."""
    today = timezone.localdate()
    since = _months_back(today, months - 1)
    records = record_list(scope=scope).order_by()
    by_month = {
        r["month"].strftime("%Y-%m") if hasattr(r["month"], "strftime") else str(r["month"])[:7]: r
        for r in records.filter(served_on__gte=since)
        .annotate(month=TruncMonth("served_on"))
        .values("month")
        .annotate(hours=Sum("hours"), n=Count("pk"))
    }
    months_out, d = [], since
    while d <= today:
        key = d.strftime("%Y-%m")
        months_out.append(
            {"month": key, "hours": float((by_month.get(key) or {}).get("hours") or 0)}
        )
        d = (d + dt.timedelta(days=32)).replace(day=1)
    totals = records.aggregate(n=Count("pk"), hours=Sum("hours"))
    return {
        "brands": ServiceBrand.objects.filter(_brand_q(scope)).count(),
        "records": totals["n"] or 0,
        "hours": float(totals["hours"] or 0),
        "hours_year": sum(m["hours"] for m in months_out),
        "by_month": months_out,
        "problems": problems_by_status(scope=scope),
        "days_to_solve": problem_days_to_solve(scope=scope),
    }
