"""Member import throughput: a 10,000-row .xlsx imported through `members.imports.member_import`
(every row checked, members and their audit entries written, one transaction) against the time
openpyxl takes merely to read the same file (read_only=True, values_only=True), in the same run.
Goal (issue 3): the import takes at most 2x the read."""

from __future__ import annotations

import datetime as dt
import io
import statistics
import time

from lib import log, summary
from registry import bench

ROWS = 10_000
BRANCHES = 20


def _branches(ctx) -> list[str]:
    """Names of branches that are unique in the dataset, so the file can name them plainly."""
    from django.db.models import Count

    from gangwan.organizations.models import Organization

    unique = (
        Organization.objects.filter(kind="branch", dissolved_on__isnull=True)
        .values("name")
        .annotate(n=Count("id"))
        .filter(n=1)
        .order_by("name")
        .values_list("name", flat=True)[:BRANCHES]
    )
    return list(unique)


def _units(branches: list[str]) -> list[str]:
    from gangwan.organizations.models import OrganizationUnit

    return list(
        OrganizationUnit.objects.filter(organization__name__in=branches, is_primary=True)
        .exclude(unit__credit_code=None)
        .values_list("unit__credit_code", flat=True)
    )


def _workbook(area: str, branches: list[str], units: list[str], bad_row: int = 0) -> bytes:
    """ROWS members with every column filled, ID numbers under the test area code `area`; the
    member of data row `bad_row` (if any) gets a wrong check character."""
    from openpyxl import Workbook

    from gangwan.core.validators import id_number_check_char
    from gangwan.members import sheets

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheets.DATA_SHEET)
    ws.append([c.header for c in sheets.COLUMNS])
    start = dt.date(1950, 1, 1)
    for i in range(ROWS):
        birth = start + dt.timedelta(days=i // 2)
        first17 = f"{area}{birth:%Y%m%d}{i % 1000:03d}"
        number = first17 + id_number_check_char(first17)
        if i + 1 == bad_row:
            number = first17 + ("1" if number[-1] == "0" else "0")
        gender = "男" if int(first17[16]) % 2 else "女"
        probationary = i % 10 == 0
        joined = dt.date(2026, 1, 5) if probationary else dt.date(birth.year + 25, 7, 1)
        ws.append(
            [
                f"测试党员{i}",
                number,
                gender,
                birth,
                f"13{i % 10}{i:08d}"[:11],
                "预备党员" if probationary else "正式党员",
                joined,
                None if probationary else dt.date(birth.year + 26, 7, 1),
                "汉族",
                "大学本科",
                units[i % len(units)] if units else None,
                "工程师",
                branches[i % len(branches)],
                None,
                "是" if i % 16 == 0 else "否",
                "电工、驾驶",
                "是" if i % 3 == 0 else "否",
                "周末",
                "楼道长",
                dt.date(2026, 10, 1),
                "2026-10",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _read_with_openpyxl(data: bytes) -> int:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return n


# Where an import's time goes: the functions of members.imports, timed where the module calls them.
PHASES = {
    "_read_rows": "read_and_check_rows",
    "_check_duplicates_in_database": "duplicates_in_database",
    "fast_insert": "insert_members",
    "insert_rows": "insert_audit_entries",
    "publish_member_changed": "member_changed_listeners",
}


class _phases:
    def __init__(self, module, spent: dict):
        self.module, self.spent, self.saved = module, spent, {}

    def __enter__(self):
        for attr, name in PHASES.items():
            original = self.saved[attr] = getattr(self.module, attr)

            def timed(*a, _f=original, _n=name, **kw):
                t = time.perf_counter()
                try:
                    return _f(*a, **kw)
                finally:
                    self.spent[_n] = self.spent.get(_n, 0.0) + time.perf_counter() - t

            setattr(self.module, attr, timed)

    def __exit__(self, *exc):
        for attr, original in self.saved.items():
            setattr(self.module, attr, original)


@bench("member_import", datasets=("district", "province"))
def member_import(ctx) -> dict:
    """Import 10,000 members from .xlsx vs merely reading the file with openpyxl."""
    from unittest import mock

    from gangwan.core.scopes import Scope
    from gangwan.members import imports, xlsx
    from gangwan.members.models import Member

    reps = max(3, int(ctx.options.get("reps", 5)) // 2 + 1)
    branches = _branches(ctx)
    units = _units(branches)
    scope = Scope(everything=True)
    read_s, import_s, openpyxl_import_s, bad_s = [], [], [], []
    before = Member.objects.count()
    phases: dict[str, list[float]] = {}
    for rep in range(reps):
        data = _workbook(f"97{rep:02d}06", branches, units)
        t = time.perf_counter()
        assert _read_with_openpyxl(data) == ROWS + 1
        read_s.append(time.perf_counter() - t)
        spent: dict[str, float] = {}
        with _phases(imports, spent):
            t = time.perf_counter()
            result = imports.member_import(
                actor=None, scope=scope, file=io.BytesIO(data), filename="bench.xlsx"
            )
            import_s.append(time.perf_counter() - t)
        for name, seconds in spent.items():
            phases.setdefault(name, []).append(seconds * 1000)
        assert result.ok and len(result.created) == ROWS, result.errors[:3]
        log(f"{ctx.dataset}: read {read_s[-1]:.2f} s, import {import_s[-1]:.2f} s")
    # The same import reading through openpyxl (the lean reader's fallback), for comparison.
    data = _workbook("960006", branches, units)

    def unsupported(*a, **kw):
        raise xlsx.Unsupported("bench")

    with mock.patch.object(imports.xlsx, "iter_rows", unsupported):
        t = time.perf_counter()
        result = imports.member_import(actor=None, scope=scope, file=io.BytesIO(data))
        openpyxl_import_s.append(time.perf_counter() - t)
        assert result.ok
    # A file with one wrong row near the end: every row is checked, nothing is written.
    bad = _workbook("950006", branches, units, bad_row=ROWS - 7)
    t = time.perf_counter()
    result = imports.member_import(actor=None, scope=scope, file=io.BytesIO(bad))
    bad_s.append(time.perf_counter() - t)
    assert [e["row"] for e in result.errors] == [ROWS - 6]
    imported = Member.objects.count() - before
    read_med, import_med = statistics.median(read_s), statistics.median(import_s)
    return {
        "rows": ROWS,
        "columns": 21,
        "branches_named": len(branches),
        "repetitions": reps,
        "openpyxl_read_ms": summary([s * 1000 for s in read_s]),
        "import_ms": summary([s * 1000 for s in import_s]),
        "rows_per_s": round(ROWS / import_med),
        "ratio_import_over_read": round(import_med / read_med, 2),
        "goal_ratio_at_most": 2.0,
        "import_reading_with_openpyxl_ms": round(openpyxl_import_s[0] * 1000, 1),
        "ratio_import_with_openpyxl_reader_over_read": round(openpyxl_import_s[0] / read_med, 2),
        "phases_median_ms": {k: round(statistics.median(v), 1) for k, v in phases.items()},
        "one_bad_row_check_ms": round(bad_s[0] * 1000, 1),
        "members_written": imported,
        "variant": (
            "import: lean streaming reader (members/xlsx.py), checks, executemany INSERT of "
            "members and one audit entry each, committed; read: openpyxl load_workbook("
            "read_only=True, data_only=True) + iter_rows(values_only=True) over the same bytes"
        ),
    }
