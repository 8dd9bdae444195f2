"""Dashboard figures for a scope, read only through the apps' selectors."""

from __future__ import annotations

from gangwan.core.scopes import Scope
from gangwan.members.models import MemberStatus
from gangwan.members.selectors import floating_count, members_by_status
from gangwan.organizations.models import OrganizationKind
from gangwan.organizations.selectors import coverage, organizations_by_kind
from gangwan.units.selectors import unit_list


def dashboard_figures(*, scope: Scope) -> dict:
    by_kind = organizations_by_kind(scope=scope)
    by_status = members_by_status(scope=scope)
    cov = coverage(scope=scope)
    return {
        "organizations_total": sum(by_kind.values()),
        "organizations_by_kind": [
            {"key": k, "label": str(label), "value": by_kind.get(k, 0)}
            for k, label in OrganizationKind.choices
            if by_kind.get(k)
        ],
        "members_total": sum(by_status.values()),
        "members_by_status": [
            {"key": k, "label": str(label), "value": by_status.get(k, 0)}
            for k, label in MemberStatus.choices
        ],
        "floating_total": floating_count(scope=scope),
        "units_total": unit_list(scope=scope, operating=True).count(),
        "coverage": cov,
    }


def members_issue_figures(*, scope: Scope) -> dict:
    """Floating members and days to home, the reservoir and incubations, transfers (SPEC §2, §9)."""
    from gangwan.floating.selectors import floating_figures
    from gangwan.incubator.reservoir import reservoir_size
    from gangwan.incubator.selectors import incubations_by_state, overdue_proposals
    from gangwan.members.inactivity import inactivity_counts
    from gangwan.members.selectors import on_call_count
    from gangwan.transfers.selectors import transfer_figures

    return {
        "floating": floating_figures(scope=scope),
        "reservoir_size": reservoir_size(scope=scope),
        "incubations": incubations_by_state(scope=scope),
        "incubations_overdue": overdue_proposals(scope=scope).count(),
        "transfers": transfer_figures(scope=scope),
        "inactivity": inactivity_counts(scope=scope),
        "on_call": on_call_count(scope=scope),
    }


def organizational_life_figures(*, scope: Scope, today=None) -> dict:
    """Compliance by street, attendance rate over the last 90 days (SPEC §3, §9)."""
    import datetime as dt

    from django.utils import timezone

    from gangwan.activities.selectors import attendance_rate
    from gangwan.compliance.selectors import rate_by_street
    from gangwan.dues.selectors import paid_up_rate

    today = today or timezone.localdate()
    return {
        "compliance_by_street": rate_by_street(scope=scope, today=today),
        "attendance": attendance_rate(scope=scope, since=today - dt.timedelta(days=90)),
        "dues": _percent(paid_up_rate(scope=scope, today=today)),
    }


def _percent(figure: dict) -> dict:
    rate = figure.get("rate")
    return {**figure, "percent": round(100 * rate, 1) if rate is not None else None}
