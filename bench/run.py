"""`make bench`: build each dataset in a throwaway database, run the benchmarks registered for
it, print one JSON document to stdout and keep a copy in bench/out/ (see bench/README.md).

  bench/run.py                      everything
  bench/run.py --only subtree_member_count --dataset district
  bench/run.py --list
  bench/run.py --province-factor 0.1   a smaller province, to try changes quickly

Each dataset is built and measured in a child process with its own settings (a temporary SQLite
file via GANGWAN_SQLITE, or DATABASE_URL pointing at the PostgreSQL database gw_bench, which is
created before and dropped after).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from lib import log  # noqa: E402
from registry import BENCHES, DATASETS, Context  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = os.environ.get("BENCH_PG_DB", "gw_bench")


def load_modules() -> None:
    importlib.import_module("datasets")
    for path in sorted(HERE.glob("bench_*.py")):
        importlib.import_module(path.stem)


# --- child: one dataset, its benchmarks -----------------------------------------------------------
def child(dataset_name: str, bench_names: list[str], options: dict, out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gangwan.settings")
    import django

    django.setup()
    from django.db import connection

    load_modules()
    ds = DATASETS[dataset_name]
    ctx = Context(dataset=dataset_name, engine=ds.engine, options=options)
    started = time.perf_counter()
    ctx.facts = ds.build(ctx)
    result = {
        "engine": ds.engine,
        "server_version": _server_version(connection),
        "facts": ctx.facts,
        "build_seconds": round(time.perf_counter() - started, 1),
        "benches": {},
    }
    for name in bench_names:
        log(f"{dataset_name}: {name}")
        t = time.perf_counter()
        result["benches"][name] = BENCHES[name].run(ctx)
        result["benches"][name]["seconds"] = round(time.perf_counter() - t, 1)
    out.write_text(json.dumps(result, ensure_ascii=False, default=str))


def _server_version(connection) -> str:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()"
        )
        return cur.fetchone()[0]


# --- parent: databases and processes ------------------------------------------------------------------
def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run_dataset(name: str, benches: list[str], options: dict) -> dict:
    ds = DATASETS[name]
    with tempfile.TemporaryDirectory(prefix=f"gw-bench-{name}-") as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GANGWAN_SQLITE")}
        env.update(
            GANGWAN_VAR=tmp,
            GANGWAN_DB_POOL="0",
            PYTHONPATH=os.pathsep.join([str(HERE.parent / "src"), str(HERE)]),
        )
        if ds.engine == "sqlite":
            env["GANGWAN_SQLITE"] = str(Path(tmp) / "bench.sqlite3")
        else:
            env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            _pg_admin(f"CREATE DATABASE {PG_DB}")
        out = Path(tmp) / "result.json"
        cmd = [
            sys.executable,
            str(HERE / "run.py"),
            "--child",
            name,
            "--only",
            ",".join(benches),
            "--options",
            json.dumps(options),
            "--out",
            str(out),
        ]
        try:
            subprocess.run(cmd, env=env, check=True)
            return json.loads(out.read_text())
        finally:
            if ds.engine == "postgresql":
                _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--dataset", default="", help="comma-separated dataset names")
    parser.add_argument("--list", action="store_true")
    parser.add_argument(
        "--province-factor", type=float, default=1.0, help="shrink the province (default 1.0)"
    )
    parser.add_argument("--reps", type=int, default=5, help="timed repetitions per root")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    load_modules()
    if args.child:
        child(
            args.child,
            [b for b in args.only.split(",") if b],
            json.loads(args.options),
            Path(args.out),
        )
        return
    if args.list:
        for b in BENCHES.values():
            print(f"{b.name:<28} datasets: {', '.join(b.datasets):<20} {b.doc}")
        for d in DATASETS.values():
            print(f"dataset {d.name:<20} {d.engine:<11} {d.doc.splitlines()[0] if d.doc else ''}")
        return
    names = [b for b in args.only.split(",") if b] or list(BENCHES)
    wanted_ds = [d for d in args.dataset.split(",") if d]
    plan: dict[str, list[str]] = {}
    for name in names:
        for ds in BENCHES[name].datasets:
            if not wanted_ds or ds in wanted_ds:
                plan.setdefault(ds, []).append(name)
    options = {"province_factor": args.province_factor, "reps": args.reps}
    started = time.perf_counter()
    report = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "options": options,
        "datasets": {},
    }
    for ds, benches in plan.items():
        log(f"dataset {ds}: {', '.join(benches)}")
        report["datasets"][ds] = run_dataset(ds, benches, options)
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    out_dir = HERE / "out"
    out_dir.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (out_dir / f"bench-{stamp}.json").write_text(text)
    (out_dir / "latest.json").write_text(text)


if __name__ == "__main__":
    main()
