"""The compliance page at province scale (250k organizations): the page's server time for one street
and for the whole province, against ONE plain aggregate SQL query over the same activities
(GROUP BY organization_id, kind, date_trunc('month', held_on)) in the same run."""

from __future__ import annotations

import datetime as dt

from lib import log, summary, timed
from registry import bench

# A year of activities, made with SQL when the dataset has none: every branch holds a theme day in
# most months and a general meeting in most quarters (about 1 in 7 skips one: the laggards).
FILL_SQL = """
INSERT INTO activities_activity (organization_id, kind, held_on, topic, place, host, recorder,
                                 minutes, created_at)
SELECT o.id, k.kind, (date_trunc('month', %(today)s::date) - (m.n || ' months')::interval
                      + ((o.id %% 20) || ' days')::interval)::date,
       k.kind, '', '', '', '', now()
FROM organizations_organization o
CROSS JOIN generate_series(0, 11) AS m(n)
CROSS JOIN (VALUES ('theme_day', 1), ('general_meeting', 3)) AS k(kind, every)
WHERE o.kind = 'branch' AND m.n %% k.every = 0 AND (o.id + m.n) %% 7 <> 0
"""
AGGREGATE_SQL = """
SELECT organization_id, kind, date_trunc('month', held_on) AS bucket, count(*)
FROM activities_activity
WHERE held_on >= %s AND held_on <= %s
GROUP BY organization_id, kind, bucket
"""


@bench("compliance_page", datasets=("province",))
def compliance_page(ctx) -> dict:
    """Compliance page server time (street, province) vs one aggregate query over activities."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import RequestFactory

    from gangwan.compliance import views
    from gangwan.compliance.rules import YEAR, previous_period_start
    from gangwan.core.scopes import scope_for
    from gangwan.regions.models import Region

    today = dt.date.today()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM activities_activity")
        if cur.fetchone()[0] == 0:
            cur.execute(FILL_SQL, {"today": today})
            cur.execute("ANALYZE activities_activity")
        cur.execute("SELECT count(*) FROM activities_activity")
        n_activities = cur.fetchone()[0]
    log(f"compliance: {n_activities} activities")
    user = get_user_model().objects.filter(is_superuser=True).first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench_admin", password="x" * 12)
    street = Region.objects.filter(depth=3).order_by("path").first()
    factory = RequestFactory()

    def page(region_id=None):
        request = factory.get("/compliance/", {"region": region_id} if region_id else {})
        request.user = user
        request.scope = scope_for(user)
        response = views.index(request)
        assert response.status_code == 200
        return len(response.content)

    from gangwan.compliance.selectors import compliance_evaluate

    root = views._region(factory_request(factory, user, scope_for))
    evaluated = {
        "street": len(compliance_evaluate(scope=scope_for(user), region=street, today=today)),
        "province": len(compliance_evaluate(scope=scope_for(user), region=root, today=today)),
    }
    reps = int(ctx.options.get("reps", 3))
    page(street.pk)  # warm up
    street_ms, _ = timed(lambda: page(street.pk), reps)
    province_ms, _ = timed(page, 1)
    earliest = previous_period_start(today, YEAR)

    def aggregate():
        with connection.cursor() as cur:
            cur.execute(AGGREGATE_SQL, [earliest, today])
            return len(cur.fetchall())

    aggregate_ms, groups = timed(aggregate, 1)
    s, p, a = summary(street_ms), summary(province_ms), summary(aggregate_ms)
    log(
        f"compliance: street {s['median']} ms, province {p['median']} ms, aggregate {a['median']} ms"
    )
    return {
        "activities": n_activities,
        "aggregate_groups": groups,
        "street_page_ms": s,
        "province_page_ms": p,
        "aggregate_query_ms": a,
        "ratio_province_page_over_aggregate": round(p["median"] / a["median"], 2)
        if a["median"]
        else None,
        "street": street.name,
        "organizations_evaluated": evaluated,
    }


def factory_request(factory, user, scope_for):
    request = factory.get("/compliance/")
    request.user = user
    request.scope = scope_for(user)
    return request
