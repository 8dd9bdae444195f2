"""Subtree member counts: members whose relationship organization lies in an organization's
subtree, by the materialized-path range (gangwan.members.selectors.subtree_member_count) against
a WITH RECURSIVE walk over parent_id that uses no index for the walk."""

from __future__ import annotations

import json

from lib import log, summary, timed
from registry import bench

# The walk runs over bench_org_parent, an index-less copy of (id, parent_id) made with CREATE TABLE
# AS, so no index on parent_id can serve it (the migrations give organizations_organization.parent_id
# one). The member side joins members_member the same way in both queries.
RECURSIVE_SQL = """
WITH RECURSIVE sub(id) AS (
    SELECT id FROM bench_org_parent WHERE id = %s
    UNION ALL
    SELECT c.id FROM bench_org_parent c JOIN sub ON c.parent_id = sub.id
)
SELECT count(*) FROM members_member m
WHERE m.archived_on IS NULL AND m.organization_id IN (SELECT id FROM sub)
"""
RECURSIVE_VARIANT = (
    "WITH RECURSIVE over parent_id on bench_org_parent, an index-less copy of "
    "organizations_organization(id, parent_id) made with CREATE TABLE AS; "
    "members joined by organization_id in both variants"
)


def _plan_nodes(plan: dict) -> list[str]:
    """Scan nodes of a PostgreSQL JSON plan: 'Node Type on relation using index'."""
    out = []

    def walk(node):
        if "Scan" in node["Node Type"]:
            text = node["Node Type"]
            if node.get("Relation Name"):
                text += f" on {node['Relation Name']}"
            if node.get("Index Name"):
                text += f" using {node['Index Name']}"
            out.append(text)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return out


def _explain(cursor, engine: str, sql: str) -> dict:
    if engine == "postgresql":
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        raw = cursor.fetchone()[0]
        plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
        nodes = _plan_nodes(plan)
        org_nodes = [n for n in nodes if "organizations_organization" in n]
        return {
            "scan_nodes": nodes,
            "organization_scan": " / ".join(org_nodes),
            "path_uses_index": any("Index" in n and "_path" in n for n in org_nodes),
        }
    cursor.execute("EXPLAIN QUERY PLAN " + sql)
    rows = [r[-1] for r in cursor.fetchall()]
    org_scan = next((r for r in rows if "organizations_organization" in r), None)
    return {
        "scan_nodes": rows,
        "organization_scan": org_scan,
        "path_uses_index": bool(org_scan and "INDEX" in org_scan),
    }


@bench("subtree_member_count", datasets=("district", "province"))
def subtree_member_count(ctx) -> dict:
    """Time subtree member counts at each depth, path range vs unindexed recursive walk."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gangwan.members.selectors import subtree_member_count as count_by_path
    from gangwan.organizations.models import Organization

    reps = int(ctx.options.get("reps", 5))
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_org_parent")
        cur.execute(
            "CREATE TABLE bench_org_parent AS SELECT id, parent_id FROM organizations_organization"
        )
        if ctx.engine == "postgresql":
            cur.execute("ANALYZE bench_org_parent")
        else:
            cur.execute("PRAGMA automatic_index = OFF")  # or SQLite would build a transient index
    results, agree = {}, True
    for level, paths in ctx.facts["roots"].items():
        ids = dict(Organization.objects.filter(path__in=paths).values_list("path", "id"))
        selector_ms, path_ms, rec_ms, counts = [], [], [], []
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                n_selector = count_by_path(path=path)  # also warms the cache
            sql = captured.captured_queries[-1]["sql"]  # the selector's query, parameters inlined
            ms, _ = timed(lambda p=path: count_by_path(path=p), reps)
            selector_ms += ms
            with connection.cursor() as cur:

                def by_path(cur=cur, sql=sql):
                    cur.execute(sql)
                    return cur.fetchone()[0]

                def recursive(cur=cur, pk=ids[path]):
                    cur.execute(RECURSIVE_SQL, [pk])
                    return cur.fetchone()[0]

                ms, n_path = timed(by_path, reps)
                path_ms += ms
                recursive()
                ms, n_rec = timed(recursive, reps)
                rec_ms += ms
            agree &= n_selector == n_path == n_rec
            counts.append(n_path)
        with connection.cursor() as cur:
            plan = _explain(cur, ctx.engine, sql)
        p, r = summary(path_ms), summary(rec_ms)
        results[level] = {
            "roots": len(paths),
            "depth": len(paths[0]) // 5,
            "members_counted": {"min": min(counts), "max": max(counts)},
            "path_range_ms": p,
            "recursive_ms": r,
            "ratio_recursive_over_path": round(r["median"] / p["median"], 1)
            if p["median"]
            else None,
            "selector_call_ms": summary(selector_ms),
            "explain": plan,
        }
        log(f"{ctx.dataset} {level}: path {p['median']} ms, recursive {r['median']} ms")
    with connection.cursor() as cur:
        cur.execute("DROP TABLE bench_org_parent")
    return {
        "by_root_level": results,
        "counts_agree": agree,
        "reps_per_root": reps,
        "recursive_variant": RECURSIVE_VARIANT
        + ("; PRAGMA automatic_index=OFF" if ctx.engine == "sqlite" else ""),
        "path_variant": (
            "the SQL of gangwan.members.selectors.subtree_member_count (path >= p AND path < "
            "successor(p)), run on a cursor like the recursive one; selector_call_ms adds the ORM"
        ),
    }
