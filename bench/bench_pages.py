"""Back-office pages of the demo district on SQLite (SPEC §13: every page < 100 ms server time).

Each page is requested in-process through Django's test client (the whole stack: middleware,
sessions, scopes, queries, templates; no network), logged in as a demo account, and timed
`--reps` times after one warm-up. The baseline, measured in the same run, is the login page
requested anonymously: the framework's own floor (middleware, session, template), touching no
domain data. Reported per page: median and p95 ms, queries, and the ratio to the floor."""

from __future__ import annotations

from lib import log, summary, timed
from registry import bench

# (account, url name, kwargs-free path). Paths, so that the list reads like what users open.
PAGES = [
    ("district_admin", "/"),
    ("district_admin", "/?fresh=1"),
    ("district_admin", "/members/"),
    ("district_admin", "/members/?q=王"),
    ("district_admin", "/organizations/"),
    ("district_admin", "/units/"),
    ("district_admin", "/regions/"),
    ("district_admin", "/organizations/coverage/"),
    ("district_admin", "/activities/"),
    ("district_admin", "/compliance/"),
    ("district_admin", "/floating/"),
    ("district_admin", "/incubator/"),
    ("district_admin", "/transfers/"),
    ("district_admin", "/members/inactive/"),
    ("district_admin", "/appraisals/"),
    ("district_admin", "/dues/reductions/"),
    ("district_admin", "/exemplars/"),
    ("district_admin", "/exemplars/bases/"),
    ("district_admin", "/brands/"),
    ("district_admin", "/voting/"),
    ("district_admin", "/pioneers/"),
    ("district_admin", "/cobuild/"),
    ("district_admin", "/cobuild/resources/"),
    ("district_admin", "/cobuild/projects/"),
    ("street_xinqi", "/"),
    ("street_xinqi", "/compliance/"),
    ("secretary_gaotang", "/"),
    ("secretary_gaotang", "/activities/"),
    ("secretary_gaotang", "/compliance/"),
    (None, "/portal/"),
    (None, "/portal/exemplars/"),
    (None, "/portal/brands/"),
    (None, "/portal/polls/"),
    (None, "/portal/pioneers/"),
    (None, "/portal/cobuild/"),
]


@bench("pages", datasets=("district",))
def pages(ctx) -> dict:
    """Server time of the main back-office pages vs the login page (framework floor)."""
    from django.db import connection
    from django.test import Client

    from gangwan.compliance import rollups
    from gangwan.dashboard.snapshots import snapshots_refresh
    from gangwan.demo.services import DEMO_PASSWORD

    reps = int(ctx.options.get("reps", 5))
    rollups.refresh_all()  # what the worker does at start and daily
    snapshots_refresh()  # and every 15 minutes
    clients: dict = {}

    def client_for(user):
        if user not in clients:
            c = Client()
            if user is not None:
                assert c.login(username=user, password=DEMO_PASSWORD), user
            clients[user] = c
        return clients[user]

    def measure(user, path):
        c = client_for(user)

        def get():
            r = c.get(path, follow=True)
            assert r.status_code == 200, (user, path, r.status_code)
            return len(r.content)

        get()  # warm-up
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        # A wrapper on the connection object survives the close at the end of each request.
        with connection.execute_wrapper(count):
            get()
        ms, size = timed(get, reps)
        return summary(ms), len(queries), size

    floor, floor_queries, _ = measure(None, "/accounts/login/")
    result = {"floor_login_page_ms": floor, "floor_queries": floor_queries, "pages": []}
    over = []
    for user, path in PAGES:
        s, nq, size = measure(user, path)
        ratio = round(s["median"] / floor["median"], 1) if floor["median"] else None
        result["pages"].append(
            {
                "account": user or "anonymous",
                "path": path,
                "ms": s,
                "queries": nq,
                "bytes": size,
                "ratio_to_floor": ratio,
            }
        )
        if s["median"] >= 100:
            over.append(f"{user} {path}")
        log(f"pages: {user or 'anonymous'} {path}: {s['median']} ms, {nq} queries, x{ratio}")
    result["pages_at_or_over_100_ms"] = over
    return result
