"""The datasets the benchmarks run on. Each is built in a fresh, throwaway database made by run.py
(a temporary SQLite file, or the PostgreSQL database gw_bench) after `migrate`, so it uses the real
tables, indexes and constraints of the Django migrations.

- district (SQLite): the demo district (SPEC §12, §13): ~25,000 members, ~1,500 organizations.
- province (PostgreSQL): 250,000 organizations and 5,000,000 members (SPEC §13), made with
  INSERT … SELECT over generate_series in a few statements. The member table's secondary indexes
  and constraints are dropped for the load and rebuilt after it (as a bulk load would); every
  member's encrypted ID number and phone hold one fixed token made once with
  gangwan.core.crypto.encrypt, and the keyed hashes are md5 strings (unique where the schema
  says so), since only their size and uniqueness matter here.
"""

from __future__ import annotations

import random

from lib import Stopwatch, log
from registry import dataset

# Province shape: 1 root → 100 district committees → 1,000 working committees → 20,000 community
# organizations → 228,899 branches = 250,000 organizations. Members sit in the branches.
PROVINCE = {
    "districts": 100,
    "streets_per_district": 10,
    "areas_per_street": 20,
    "organizations": 250_000,
    "members": 5_000_000,
}


def _sample(rng: random.Random, rows: list, k: int) -> list:
    return rng.sample(rows, min(k, len(rows)))


@dataset("district", engine="sqlite")
def district(ctx) -> dict:
    """The demo district loaded with `demo_load()` into an empty SQLite file."""
    from django.core.management import call_command

    from gangwan.demo.services import demo_load, demo_summary
    from gangwan.organizations.models import Organization

    watch = Stopwatch()
    with watch.step("migrate"):
        call_command("migrate", interactive=False, verbosity=0)
    with watch.step("demo_load"):
        demo_load()
    rng = random.Random(1)
    orgs = Organization.objects.order_by("path")
    roots = {
        "district": [orgs.get(depth=1).path],
        "street": _sample(
            rng,
            list(
                orgs.filter(kind="working_committee", region__level="street").values_list(
                    "path", flat=True
                )
            ),
            5,
        ),
        "community": _sample(
            rng,
            list(
                orgs.filter(
                    kind__in=["committee", "general_branch"],
                    region__level__in=["community", "village"],
                    parent__kind="working_committee",
                ).values_list("path", flat=True)
            ),
            5,
        ),
        "branch": _sample(rng, list(orgs.filter(kind="branch").values_list("path", flat=True)), 5),
    }
    return {"build_seconds": watch.steps, "summary": demo_summary(), "roots": roots}


def _scaled(options: dict) -> dict:
    shape = dict(PROVINCE)
    factor = float(options.get("province_factor", 1.0))
    if factor != 1.0:  # for trying the bench out quickly; the figures reported use 1.0
        shape["streets_per_district"] = max(1, round(shape["streets_per_district"] * factor))
        leaves = round(
            (
                shape["organizations"]
                - 1
                - 100
                - 100 * shape["streets_per_district"]
                - 100 * shape["streets_per_district"] * 20
            )
            * factor
        )
        shape["organizations"] = 1 + 100 + 100 * shape["streets_per_district"] * 21 + leaves
        shape["members"] = round(shape["members"] * factor)
    return shape


@dataset("province", engine="postgresql")
def province(ctx) -> dict:
    """250,000 organizations and 5,000,000 members in the real tables, made with SQL."""
    from django.core.management import call_command
    from django.db import connection

    from gangwan.core import crypto

    shape = _scaled(ctx.options)
    watch = Stopwatch()
    with watch.step("migrate"):
        call_command("migrate", interactive=False, verbosity=0)
    n_d = shape["districts"]
    n_s = n_d * shape["streets_per_district"]
    n_a = n_s * shape["areas_per_street"]
    n_b = shape["organizations"] - 1 - n_d - n_s - n_a
    # Organization ids: root 1, districts 2.., streets, areas, branches, one range after another.
    first = {"district": 2, "street": 2 + n_d, "area": 2 + n_d + n_s, "branch": 2 + n_d + n_s + n_a}
    id_token = crypto.encrypt("990206198001010012")
    phone_token = crypto.encrypt("13800000000")
    with connection.cursor() as cur:
        cur.execute(
            "SET maintenance_work_mem = '1GB'; SET synchronous_commit = off; SET max_parallel_maintenance_workers = 2"
        )
        with watch.step("regions"):
            # Regions mirror the organization tree down to the areas (province → district → street
            # → area): one root region, as the pages expect (a superuser's default region is the
            # first depth-1 region), with the id after the areas so the other ids stay as they were.
            cur.execute(
                """
                INSERT INTO regions_region (id, parent_id, path, depth, name, level, kind, code, residents, newcomers)
                VALUES (%(root)s, NULL, '00001', 1, 'Province', 'province', '', '', 0, 0);
                INSERT INTO regions_region (id, parent_id, path, depth, name, level, kind, code, residents, newcomers)
                SELECT d, %(root)s, '00001' || lpad(d::text, 5, '0'), 2, 'District ' || d, 'district', '', '', 0, 0
                FROM generate_series(1, %(n_d)s) d;
                INSERT INTO regions_region (id, parent_id, path, depth, name, level, kind, code, residents, newcomers)
                SELECT %(n_d)s + s, (s - 1) / %(spd)s + 1, '00001' || lpad(((s - 1) / %(spd)s + 1)::text, 5, '0') || lpad(((s - 1) %% %(spd)s + 1)::text, 5, '0'),
                       3, 'Street ' || s, 'street', '', '', 0, 0
                FROM generate_series(1, %(n_s)s) s;
                INSERT INTO regions_region (id, parent_id, path, depth, name, level, kind, code, residents, newcomers)
                SELECT %(n_d)s + %(n_s)s + a, p.id, p.path || lpad(((a - 1) %% %(aps)s + 1)::text, 5, '0'),
                       4, 'Area ' || a, 'community', 'residential', '', 5000, 1000
                FROM generate_series(1, %(n_a)s) a JOIN regions_region p ON p.id = %(n_d)s + (a - 1) / %(aps)s + 1;
            """,
                {
                    "root": n_d + n_s + n_a + 1,
                    "n_d": n_d,
                    "n_s": n_s,
                    "n_a": n_a,
                    "spd": shape["streets_per_district"],
                    "aps": shape["areas_per_street"],
                },
            )
        with watch.step("organizations"):
            with _bulk_load(cur, "organizations_organization"):
                _insert_organizations(
                    cur, n_d=n_d, n_s=n_s, n_a=n_a, n_b=n_b, first=first, shape=shape
                )
        with watch.step("members"):
            with _bulk_load(cur, "members_member"):
                cur.execute(
                    """
                    INSERT INTO members_member (name, gender, birth_date, id_number, id_number_hash, phone, phone_hash,
                        organization_id, home_organization_id, unit_id, status, joined_on, is_floating, archived_on,
                        archive_reason, user_id)
                    SELECT '党员' || i, CASE WHEN i %% 3 = 0 THEN 'female' ELSE 'male' END,
                           date '1950-01-01' + (i %% 18000), %(id_token)s, md5(i::text), %(phone_token)s, md5('p' || i),
                           %(b0)s + (i - 1) %% %(n_b)s, %(b0)s + (i - 1) %% %(n_b)s, NULL,
                           CASE WHEN i %% 10 = 0 THEN 'probationary' ELSE 'full' END, date '1985-01-01' + (i %% 14000),
                           i %% 16 = 0, CASE WHEN i %% 50 = 0 THEN date '2024-01-01' END, '', NULL
                    FROM generate_series(1, %(n)s) i
                """,
                    {
                        "id_token": id_token,
                        "phone_token": phone_token,
                        "b0": first["branch"],
                        "n_b": n_b,
                        "n": shape["members"],
                    },
                )
        with watch.step("sequences"):
            for table in ("regions_region", "organizations_organization", "members_member"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
        with watch.step("vacuum_analyze"):
            for table in ("regions_region", "organizations_organization", "members_member"):
                cur.execute(f"VACUUM (ANALYZE) {table}")
        cur.execute("SELECT count(*) FROM organizations_organization")
        n_orgs = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM members_member")
        n_members = cur.fetchone()[0]
        rng = random.Random(1)

        def paths(lo: int, hi: int, k: int) -> list[str]:
            ids = sorted(rng.sample(range(lo, hi), min(k, hi - lo)))
            cur.execute(
                "SELECT path FROM organizations_organization WHERE id = ANY(%s) ORDER BY path",
                [ids],
            )
            return [r[0] for r in cur.fetchall()]

        roots = {
            "province": paths(1, 2, 1),
            "district": paths(first["district"], first["street"], 3),
            "street": paths(first["street"], first["area"], 5),
            "community": paths(first["area"], first["branch"], 5),
            "branch": paths(first["branch"], n_orgs + 1, 5),
        }
    log(f"province: {n_orgs} organizations, {n_members} members")
    return {
        "build_seconds": watch.steps,
        "organizations": n_orgs,
        "members": n_members,
        "shape": shape,
        "roots": roots,
    }


def _insert_organizations(cur, *, n_d, n_s, n_a, n_b, first, shape) -> None:
    common = "'', NULL, '', %(est)s"
    params = {
        "est": "2012-07-01",
        "region_root": n_d + n_s + n_a + 1,
        "n_d": n_d,
        "n_s": n_s,
        "n_a": n_a,
        "n_b": n_b,
        "spd": shape["streets_per_district"],
        "aps": shape["areas_per_street"],
        **{f"f_{k}": v for k, v in first.items()},
    }
    cur.execute(
        f"""
        INSERT INTO organizations_organization (id, parent_id, path, depth, name, kind, region_id, document_no,
            dissolved_on, dissolution_reason, established_on)
        VALUES (1, NULL, '00001', 1, 'Province committee', 'committee', %(region_root)s, {common});
        -- district committees, each in its district region
        INSERT INTO organizations_organization (id, parent_id, path, depth, name, kind, region_id, document_no,
            dissolved_on, dissolution_reason, established_on)
        SELECT %(f_district)s + d - 1, 1, '00001' || lpad(d::text, 5, '0'), 2, 'District committee ' || d, 'committee', d, {common}
        FROM generate_series(1, %(n_d)s) d;
        -- working committees, one per street
        INSERT INTO organizations_organization (id, parent_id, path, depth, name, kind, region_id, document_no,
            dissolved_on, dissolution_reason, established_on)
        SELECT %(f_street)s + s - 1, p.id, p.path || lpad(((s - 1) %% %(spd)s + 1)::text, 5, '0'), 3,
               'Working committee ' || s, 'working_committee', %(n_d)s + s, {common}
        FROM generate_series(1, %(n_s)s) s JOIN organizations_organization p ON p.id = %(f_district)s + (s - 1) / %(spd)s;
        -- one committee per community
        INSERT INTO organizations_organization (id, parent_id, path, depth, name, kind, region_id, document_no,
            dissolved_on, dissolution_reason, established_on)
        SELECT %(f_area)s + a - 1, p.id, p.path || lpad(((a - 1) %% %(aps)s + 1)::text, 5, '0'), 4,
               'Community committee ' || a, 'committee', %(n_d)s + %(n_s)s + a, {common}
        FROM generate_series(1, %(n_a)s) a JOIN organizations_organization p ON p.id = %(f_street)s + (a - 1) / %(aps)s;
        -- branches, spread evenly over the communities
        INSERT INTO organizations_organization (id, parent_id, path, depth, name, kind, region_id, document_no,
            dissolved_on, dissolution_reason, established_on)
        SELECT %(f_branch)s + b - 1, p.id, p.path || lpad(((b - 1) / %(n_a)s + 1)::text, 5, '0'), 5,
               'Branch ' || b, 'branch', p.region_id, {common}
        FROM generate_series(1, %(n_b)s) b JOIN organizations_organization p ON p.id = %(f_area)s + (b - 1) %% %(n_a)s;
    """,
        params,
    )


class _bulk_load:
    """Drop a table's secondary indexes, unique and foreign-key constraints for a bulk insert and
    rebuild them (from their own definitions) afterwards; the primary key stays."""

    def __init__(self, cur, table: str):
        self.cur, self.table = cur, table

    def __enter__(self):
        cur, table = self.cur, self.table
        cur.execute(
            """SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint
                       WHERE conrelid = %s::regclass AND contype IN ('u', 'f') ORDER BY contype DESC, conname""",
            [table],
        )
        self.constraints = cur.fetchall()
        cur.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
                       WHERE i.tablename = %s AND i.indexname NOT IN (
                           SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))
                       ORDER BY i.indexname""",
            [table, table],
        )
        self.indexes = cur.fetchall()
        for name, _, _ in self.constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in self.indexes:
            cur.execute(f'DROP INDEX "{name}"')

    def __exit__(self, exc_type, *exc):
        if exc_type is not None:
            return False
        cur, table = self.cur, self.table
        for _name, definition in self.indexes:
            cur.execute(definition)
        for name, definition, _ in sorted(self.constraints, key=lambda c: c[2] != "u"):
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        return False
