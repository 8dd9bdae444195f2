"""Compliance rollups (SPEC §13): one row per organization (OrganizationStatus) so that a street, a
district or a whole province is summed by the database instead of being evaluated organization by
organization. A full refresh runs once a day in the worker (periods turn over at midnight); an
organization's row is written again as soon as one of its activities is recorded or changed
(`activity.changed`). Pages trust the rows only when today's full refresh has finished; until
then they evaluate live, as they do at the community level and for secretaries."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from gangwan.core.scopes import Scope
from gangwan.core.tree import subtree_q
from gangwan.organizations.models import Organization

from .models import ComplianceRefresh, OrganizationStatus
from .rules import DONE, RULES
from .selectors import OrgCompliance, compliance_evaluate

CHUNK = 10_000  # organization ids per evaluation: bounded memory at province scale


def _row(oc: OrgCompliance, today: dt.date) -> OrganizationStatus:
    overdue = [s.rule.code for s in oc.overdue]
    return OrganizationStatus(
        organization_id=oc.id,
        region_id=oc.region_id,
        region_path=oc.region_path,
        as_of=today,
        pairs=len(oc.statuses),
        done_current=sum(s.current == DONE for s in oc.statuses),
        done_previous=sum(s.previous == DONE for s in oc.statuses),
        overdue=bool(overdue),
        overdue_rules=",".join(overdue),
    )


def _write(rows: list[OrganizationStatus]) -> None:
    OrganizationStatus.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["organization"],
        update_fields=[
            "region",
            "region_path",
            "as_of",
            "pairs",
            "done_current",
            "done_previous",
            "overdue",
            "overdue_rules",
        ],
    )


def refresh_all(*, today: dt.date | None = None) -> int:
    """Re-evaluate every organization as of `today`, chunk by chunk, and drop the rows of
    organizations no longer evaluated (dissolved, changed kind). Returns the organizations written."""
    today = today or dt.date.today()
    started = timezone.now()
    everything = Scope(everything=True)
    eligible = Organization.objects.filter(dissolved_on__isnull=True, kind__in=RULES[0].org_kinds)
    ids = eligible.order_by("pk").values_list("pk", flat=True)
    lo, hi = ids.first(), ids.last()
    written = 0
    if lo is not None:
        for start in range(lo, hi + 1, CHUNK):
            evaluated = compliance_evaluate(
                scope=everything, today=today, id_range=(start, start + CHUNK)
            )
            with transaction.atomic():
                _write([_row(oc, today) for oc in evaluated])
            written += len(evaluated)
    with transaction.atomic():
        OrganizationStatus.objects.filter(as_of__lt=today).delete()
        ComplianceRefresh.objects.create(as_of=today, organizations=written, started_at=started)
    return written


def refresh_organizations(organization_ids, *, today: dt.date | None = None) -> int:
    """Write the rows of a few organizations again (after their activities changed)."""
    today = today or dt.date.today()
    ids = sorted(set(organization_ids))
    if not ids:
        return 0
    # Only these organizations, whatever lies between their ids (this runs after a user's change).
    evaluated = compliance_evaluate(scope=Scope(everything=True), today=today, ids=ids)
    with transaction.atomic():
        _write([_row(oc, today) for oc in evaluated])
        # Dissolved, or of a kind the rules no longer apply to: out of the rollups.
        gone = set(ids) - {oc.id for oc in evaluated}
        OrganizationStatus.objects.filter(organization_id__in=gone).delete()
    return len(evaluated)


def refresh_daily(*, today: dt.date | None = None) -> int:
    """The worker's periodic task: a full refresh unless today's has been made already."""
    today = today or dt.date.today()
    return 0 if is_fresh(today) else refresh_all(today=today)


def on_change(*, organization_ids, **_) -> None:
    """Listener for activity.changed / organization.changed: once the change commits, write those
    organizations' rows again, if today's rollups exist (otherwise the daily refresh comes)."""
    ids = list(organization_ids)

    def refresh():
        today = dt.date.today()
        if is_fresh(today):
            refresh_organizations(ids, today=today)

    transaction.on_commit(refresh)


def last_refresh() -> ComplianceRefresh | None:
    return ComplianceRefresh.objects.order_by("-finished_at").first()


def is_fresh(today: dt.date) -> bool:
    return ComplianceRefresh.objects.filter(as_of=today).exists()


def _subtree(roots):
    qs = OrganizationStatus.objects.all()
    if roots is not None:
        qs = qs.filter(subtree_q(list(roots), "region_path"))
    return qs


def sums_by_prefix(*, roots, width: int) -> list[dict]:
    """ONE aggregate: per region prefix of `width` characters (the child regions of a level),
    organizations, rule pairs, done in the current and previous periods, overdue organizations."""
    return list(
        _subtree(roots)
        .annotate(prefix=Substr("region_path", 1, width))
        .values("prefix")
        .annotate(
            organizations=Count("pk"),
            pairs=Sum("pairs", output_field=IntegerField()),
            done_current=Sum("done_current", output_field=IntegerField()),
            done_previous=Sum("done_previous", output_field=IntegerField()),
            overdue_orgs=Count("pk", filter=Q(overdue=True)),
        )
        .order_by()
    )


def overdue_rows(*, roots, limit: int) -> list[OrganizationStatus]:
    """The first `limit` overdue organizations of the subtree, in tree order (partial index)."""
    return list(
        _subtree(roots)
        .filter(overdue=True)
        .select_related("organization", "region")
        .only(
            "region_path",
            "overdue_rules",
            "organization__name",
            "organization__kind",
            "region__name",
        )
        .order_by("region_path", "organization_id")[:limit]
    )
