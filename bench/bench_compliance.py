"""The compliance page at province scale (250k organizations): the page's server time for one street
and for the whole province, against ONE plain aggregate SQL query over the same activities
(GROUP BY organization_id, kind, date_trunc('month', held_on)) in the same run.

The page is the real view (`gangwan.compliance.views.index`) called with a RequestFactory request
as a superuser (scope: everything); without a `region` parameter it opens on the root region, i.e.
the whole province. The number of organizations it evaluated is taken from the view's own call of
`selectors.compliance_evaluate` (a thin wrapper records the length and the time of that call) and
checked against a SQL count of the undissolved branch-level organizations in the region's subtree.
"""

from __future__ import annotations

import datetime as dt
import time

from lib import log, summary, timed
from registry import bench

# About a year of activities, made with SQL when the dataset has none: every branch-level
# organization holds a theme day in 3 months out of 4 and, except 1 in 5 (the laggards), a general
# meeting every third month: ~12 activities per organization. Nothing is dated after today.
FILL_SQL = """
INSERT INTO activities_activity (organization_id, kind, held_on, topic, place, host, recorder,
                                 minutes, created_at)
SELECT o.id, k.kind, d.held_on, k.kind, '', '', '', '', now()
FROM organizations_organization o
CROSS JOIN generate_series(0, 11) AS m(n)
CROSS JOIN (VALUES ('theme_day'), ('general_meeting')) AS k(kind)
CROSS JOIN LATERAL (
    SELECT (date_trunc('month', %(today)s::date) - make_interval(months => m.n)
            + make_interval(days => (o.id %% 20)::int))::date AS held_on) d
WHERE o.kind = ANY(%(kinds)s) AND o.dissolved_on IS NULL AND d.held_on <= %(today)s::date
  AND CASE k.kind
        WHEN 'theme_day' THEN (o.id + m.n) %% 4 <> 0
        ELSE m.n %% 3 = 0 AND o.id %% 5 <> 0
      END
"""
AGGREGATE_SQL = """
SELECT organization_id, kind, date_trunc('month', held_on) AS bucket, count(*), max(held_on)
FROM activities_activity
WHERE held_on >= %s AND held_on <= %s {where}
GROUP BY organization_id, kind, bucket
"""
# The undissolved branch-level organizations standing in a region's subtree: what the page must
# evaluate for a superuser.
EXPECTED_SQL = """
SELECT count(*) FROM organizations_organization o JOIN regions_region r ON r.id = o.region_id
WHERE o.dissolved_on IS NULL AND o.kind = ANY(%s) AND r.path LIKE %s
"""


@bench("compliance_page", datasets=("province",))
def compliance_page(ctx) -> dict:
    """Compliance page server time (street, province) vs one aggregate query over activities."""
    from datasets import _bulk_load
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import RequestFactory

    from gangwan.compliance import selectors, views
    from gangwan.compliance.rules import RULES, YEAR, previous_period_start
    from gangwan.core.scopes import scope_for
    from gangwan.regions.models import Region

    today = dt.date.today()
    kinds = sorted(RULES[0].org_kinds)
    fill_seconds = None
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM activities_activity")
        if cur.fetchone()[0] == 0:
            t = time.perf_counter()
            cur.execute("SET synchronous_commit = off; SET maintenance_work_mem = '1GB'")
            with _bulk_load(cur, "activities_activity"):
                cur.execute(FILL_SQL, {"today": today, "kinds": kinds})
            cur.execute("VACUUM (ANALYZE) activities_activity")
            fill_seconds = round(time.perf_counter() - t, 1)
        cur.execute("SELECT count(*), count(DISTINCT organization_id) FROM activities_activity")
        n_activities, n_active_orgs = cur.fetchone()
    log(
        f"compliance: {n_activities} activities in {n_active_orgs} organizations ({fill_seconds} s)"
    )

    user = get_user_model().objects.filter(is_superuser=True).first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench_admin", password="x" * 12)
    scope = scope_for(user)
    root = Region.objects.filter(depth=1).order_by("path").first()
    n_roots = Region.objects.filter(depth=1).count()
    streets = list(
        Region.objects.filter(level="street").order_by("path").values_list("pk", flat=True)
    )
    street = Region.objects.get(pk=streets[len(streets) // 2])
    factory = RequestFactory()

    # Record what the view's own call of compliance_evaluate did (length, time).
    calls: list[tuple[int, float, int]] = []
    real_evaluate = selectors.compliance_evaluate

    def recording_evaluate(**kwargs):
        t = time.perf_counter()
        result = real_evaluate(**kwargs)
        calls.append(
            (len(result), (time.perf_counter() - t) * 1000, sum(1 for oc in result if oc.overdue))
        )
        return result

    def page(region_id=None):
        request = factory.get("/compliance/", {"region": region_id} if region_id else {})
        request.user = user
        request.scope = scope
        response = views.index(request)
        assert response.status_code == 200, response.status_code
        return len(response.content)

    def expected(region) -> int:
        with connection.cursor() as cur:
            cur.execute(EXPECTED_SQL, [kinds, region.path + "%"])
            return cur.fetchone()[0]

    earliest = previous_period_start(today, YEAR)

    def aggregate(where: str = "", params=(), fetch: bool = True):
        """The aggregate with all its groups fetched into Python, or (fetch=False) only counted
        on the server, so the time is the query's own, without moving the rows."""
        sql = AGGREGATE_SQL.format(where=where)
        if not fetch:
            sql = f"SELECT count(*) FROM ({sql}) g"

        def run():
            with connection.cursor() as cur:
                cur.execute(sql, [earliest, today, *params])
                return len(cur.fetchall()) if fetch else cur.fetchone()[0]

        return run

    street_where = (
        "AND organization_id IN (SELECT o.id FROM organizations_organization o"
        " JOIN regions_region r ON r.id = o.region_id WHERE r.path LIKE %s)"
    )
    reps = int(ctx.options.get("reps", 5))
    province_reps = min(reps, 3)
    result: dict = {"activities": n_activities, "organizations_with_activities": n_active_orgs}
    if fill_seconds is not None:
        result["activities_fill_seconds"] = fill_seconds
    selectors.compliance_evaluate = recording_evaluate
    try:
        for label, region, n, region_id in (
            ("street", street, reps, street.pk),
            ("province", root, province_reps, None),
        ):
            calls.clear()
            size = page(region_id)  # warm-up
            page_ms, _ = timed(lambda rid=region_id: page(rid), n)
            evaluated = {c[0] for c in calls}
            where, params = (street_where, [region.path + "%"]) if label == "street" else ("", [])
            agg_ms, groups = timed(aggregate(where, params), max(n, 3))
            server_ms, _ = timed(aggregate(where, params, fetch=False), max(n, 3))
            p, a, sv = summary(page_ms), summary(agg_ms), summary(server_ms)
            evaluate_ms = summary([c[1] for c in calls[1:]])
            want = expected(region)
            result[label] = {
                "region": region.name,
                "region_path": region.path,
                "organizations_evaluated": sorted(evaluated),
                "organizations_expected": want,
                "evaluated_as_expected": evaluated == {want},
                "overdue_organizations": calls[-1][2],
                "page_ms": p,
                "evaluate_ms": evaluate_ms,
                "response_bytes": size,
                "aggregate_query_ms": a,
                "aggregate_groups": groups,
                "aggregate_query_server_only_ms": sv,
                "ratio_page_over_aggregate": round(p["median"] / a["median"], 1)
                if a["median"]
                else None,
                "ratio_page_over_aggregate_server_only": round(p["median"] / sv["median"], 1)
                if sv["median"]
                else None,
            }
            log(
                f"compliance {label}: {sorted(evaluated)} evaluated (expected {want}); "
                f"page {p['median']} ms (evaluate {evaluate_ms['median']} ms), "
                f"aggregate {a['median']} ms (server only {sv['median']} ms), ratio {result[label]['ratio_page_over_aggregate']}"
            )
    finally:
        selectors.compliance_evaluate = real_evaluate

    # The same pages on today's rollups (what the worker's daily refresh makes): the view reads
    # one aggregate over compliance_organizationstatus and the first overdue rows.
    from gangwan.compliance import rollups
    from gangwan.compliance.models import OrganizationStatus

    t = time.perf_counter()
    written = rollups.refresh_all(today=today)
    refresh_s = round(time.perf_counter() - t, 1)
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE) compliance_organizationstatus")
    result["rollup_refresh"] = {"seconds": refresh_s, "organizations": written}
    log(f"compliance rollup: full refresh of {written} organizations in {refresh_s} s")
    for label, region, n, region_id in (
        ("street", street, reps, street.pk),
        ("province", root, reps, None),
    ):
        page(region_id)  # warm-up
        page_ms, _ = timed(lambda rid=region_id: page(rid), n)
        p = summary(page_ms)
        live = result[label]["page_ms"]["median"]
        rows = OrganizationStatus.objects.filter(region_path__startswith=region.path).count()
        result[label]["rollup_page_ms"] = p
        result[label]["rollup_rows"] = rows
        result[label]["ratio_live_page_over_rollup_page"] = (
            round(live / p["median"], 1) if p["median"] else None
        )
        result[label]["ratio_rollup_page_over_aggregate"] = (
            round(p["median"] / result[label]["aggregate_query_ms"]["median"], 2)
            if result[label]["aggregate_query_ms"]["median"]
            else None
        )
        log(
            f"compliance {label} on rollups: page {p['median']} ms over {rows} rows "
            f"(live {live} ms, ratio {result[label]['ratio_live_page_over_rollup_page']})"
        )
    result["depth1_regions"] = n_roots
    return result
