"""End-to-end public vote (SPEC §5, §13): verified voters casting ballots over HTTP against the
production server setup, with the plain PostgreSQL single-row insert rate of the same table
measured in the same run.

  .venv/bin/python bench/run.py --only vote_cast           (dataset `vote`, PostgreSQL; ~3 minutes)
  BENCH_VOTE_BALLOTS=20000 BENCH_VOTE_REPS=3 BENCH_VOTE_CONNECTIONS=32 BENCH_VOTE_CACHES=redis …

The server is granian serving gangwan.wsgi with the same flags as `gangwan run` (2 workers,
GANGWAN_THREADS blocking threads each — the CLI's default — pooled PostgreSQL connections), on
this machine. The load generator is a separate process on the same two cores: wrk (Debian's
package; bench/vote_load.lua sends each prepared ballot once) when installed, otherwise an
asyncio HTTP/1.1 client over raw sockets (BENCH_VOTE_LOADER=wrk|python); both keep their 32
connections alive. Voters are verified beforehand (each holds a voter token, as after the phone
code); one in ten voters sends its ballot three times at once (duplicate attempts).

Reported per configuration — the production app (whose cast endpoint answers through
voting/fastpath.py) with Redis as a multi-host deployment runs, BENCH_VOTE_REPS times with the
median run reported and every run's ballots/s; the same with the default database cache; and the
whole Django stack without the fast path, with Redis (BENCH_VOTE_OTHER_BALLOTS voters each):
ballots/s, latency (of accepted ballots with the Python client, of all answers with wrk),
duplicate attempts refused, duplicates stored (must be 0), lost (acknowledged but not in the
table; must be 0), whether the live counters equal the recount from the ballots, CPU per request
of the server, PostgreSQL, Redis and the load generator, and the ratio of ballots/s to the plain
insert rate (single-row INSERT … in autocommit into voting_ballot over the same number of
connections, from a separate process)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

try:  # imported by run.py (registry on the path); run as a script for the load generators
    from lib import log
    from registry import bench, dataset
except ImportError:  # pragma: no cover - the load-generator process
    bench = dataset = None


# --- load generators (separate processes; no Django) ------------------------------------------


async def _http_load(host: str, port: int, path: str, bodies: list[bytes], conns: int) -> dict:
    queue_index = 0
    results: list[tuple[int, float, int]] = []

    async def worker():
        nonlocal queue_index
        reader, writer = await asyncio.open_connection(host, port)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Content-Type: application/json\r\nConnection: keep-alive\r\n"
        ).encode()
        while True:
            i = queue_index
            if i >= len(bodies):
                break
            queue_index += 1
            body = bodies[i]
            t = time.perf_counter()
            writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            raw = await reader.readuntil(b"\r\n\r\n")
            lines = raw.split(b"\r\n")
            status = int(lines[0].split()[1])
            length = 0
            for line in lines[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            payload = await reader.readexactly(length) if length else b""
            elapsed = time.perf_counter() - t
            ballot = json.loads(payload)["ballot"] if status == 200 else 0
            results.append((status, elapsed, ballot))
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(conns)))
    return {"seconds": time.perf_counter() - started, "results": results}


async def _insert_load(dsn: str, poll_id: int, rows: int, conns: int) -> dict:
    import psycopg

    counter = 0

    async def worker(w: int):
        nonlocal counter
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as conn:
            while counter < rows:
                counter += 1
                await conn.execute(
                    "INSERT INTO voting_ballot (poll_id, voter_key, day, cast_at, network, "
                    "choices_key) VALUES (%s, %s, NULL, now(), %s, %s) RETURNING id",
                    (poll_id, f"baseline-{w}-{counter}", "127.0.0.0/24", "1"),
                )

    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(conns)))
    return {"seconds": time.perf_counter() - started, "rows": rows}


def _loader_main(argv: list[str]) -> None:
    mode, spec_path, out_path = argv
    spec = json.loads(Path(spec_path).read_text())
    if mode == "http":
        bodies = [b.encode() for b in spec["bodies"]]
        out = asyncio.run(
            _http_load(spec["host"], spec["port"], spec["path"], bodies, spec["conns"])
        )
    else:
        out = asyncio.run(_insert_load(spec["dsn"], spec["poll"], spec["rows"], spec["conns"]))
    Path(out_path).write_text(json.dumps(out))


def _run_loader(mode: str, spec: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="gw-vote-load-") as tmp:
        spec_path, out_path = Path(tmp) / "spec.json", Path(tmp) / "out.json"
        spec_path.write_text(json.dumps(spec))
        subprocess.run(
            [sys.executable, str(Path(__file__)), "--load", mode, str(spec_path), str(out_path)],
            check=True,
        )
        return json.loads(out_path.read_text())


def _summary_of_python_load(out: dict) -> dict:
    results = out["results"]
    statuses: dict[str, int] = {}
    for r in results:
        statuses[str(r[0])] = statuses.get(str(r[0]), 0) + 1
    lat = sorted(r[1] * 1000 for r in results if r[0] == 200)
    return {
        "seconds": out["seconds"],
        "requests": len(results),
        "statuses": statuses,
        "acked": [r[2] for r in results if r[0] == 200],
        "latency_ms": {
            "of": "accepted ballots",
            "p50": round(_percentile(lat, 0.50), 2),
            "p99": round(_percentile(lat, 0.99), 2),
            "mean": round(statistics.fmean(lat), 2) if lat else 0,
        },
    }


def _wrk_load(host: str, port: int, path: str, bodies: list[str], conns: int) -> dict:
    """The same load from wrk (C, one thread; bench/vote_load.lua sends each body once): the
    load generator then costs the shared cores far less than the Python one."""
    with tempfile.TemporaryDirectory(prefix="gw-vote-wrk-") as tmp:
        bodies_file, out = Path(tmp) / "bodies", Path(tmp) / "out"
        bodies_file.write_text("\n".join(bodies) + "\n")
        env = dict(os.environ, VOTE_BODIES=str(bodies_file), VOTE_PATH=path, VOTE_OUT=str(out))
        args = ["wrk", "-t1", f"-c{conns}", "-d600s", "--timeout", "30s"]
        args += ["-s", str(HERE / "vote_load.lua"), f"http://{host}:{port}"]
        started = time.perf_counter()
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
        progress, last_change, seen = Path(str(out) + ".progress"), time.monotonic(), ""
        try:
            while not out.exists():
                if proc.poll() is not None:
                    raise RuntimeError(f"wrk ended early ({proc.returncode})")
                now = time.monotonic()
                if now - last_change > 1:  # answers stop coming (a request lost): fail, not hang
                    mark = progress.read_text() if progress.exists() else ""
                    if mark != seen:
                        seen, last_change = mark, now
                    elif now - last_change > 30:
                        raise RuntimeError(f"wrk: no answers for 30 s after {seen.strip() or 0}")
                time.sleep(0.002)
            seconds = time.perf_counter() - started
        finally:
            proc.send_signal(signal.SIGINT)  # wrk stops, prints and runs done() (latency)
            proc.wait(60)
        statuses, acked = {}, []
        for line in out.read_text().splitlines():
            kind, _, rest = line.partition(" ")
            if kind == "status":
                code, n = rest.split()
                statuses[code] = int(n)
            elif kind == "ids" and rest:
                acked = [int(x) for x in rest.split(",")]
        lat = dict(line.split() for line in (Path(str(out) + ".latency")).read_text().splitlines())
    return {
        "seconds": seconds,
        "requests": sum(statuses.values()),
        "statuses": statuses,
        "acked": acked,
        "latency_ms": {
            "of": "all answered requests (wrk's histogram)",
            "p50": round(int(lat["p50"]) / 1000, 2),
            "p99": round(int(lat["p99"]) / 1000, 2),
            "mean": round(float(lat["mean"]) / 1000, 2),
        },
    }


def _loader() -> str:
    """wrk when installed (Debian's package), else the Python asyncio client; BENCH_VOTE_LOADER
    chooses."""
    wanted = os.environ.get("BENCH_VOTE_LOADER", "")
    if wanted in ("wrk", "python"):
        return wanted
    return "wrk" if shutil.which("wrk") else "python"


# --- the benchmark (inside run.py's child process, Django set up on gw_bench) ---------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dsn() -> str:
    from django.db import connection

    s = connection.settings_dict
    return (
        f"postgresql://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/"
        f"{s['NAME']}"
    )


def _make_poll(title: str, candidates: int = 30):
    import datetime as dt

    from django.utils import timezone

    from gangwan.voting import services

    now = timezone.now()
    poll = services.poll_create(
        title=title,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        max_choices=3,
        actor=None,
    )
    ids = [
        services.candidate_add(poll=poll, name=f"候选人{i:02d}", actor=None).pk
        for i in range(candidates)
    ]
    return poll, ids


def _percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, round(p * (len(sorted_values) - 1))))
    return sorted_values[k]


def _threads() -> int:
    from gangwan.cli import default_threads  # the server runs as `gangwan run` serves

    return default_threads()


def _serve(env: dict, port: int, app: str = "gangwan.wsgi:application") -> subprocess.Popen:
    granian = str(Path(sys.executable).parent / "granian")
    args = [granian, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", env.get("GANGWAN_WORKERS", "2")]
    args += ["--blocking-threads", env.get("GANGWAN_THREADS", str(_threads()))]
    args += ["--no-ws", *os.environ.get("BENCH_GRANIAN_EXTRA", "").split(), app]
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("granian did not start")


def _cpu_by_process() -> dict[int, tuple[str, float]]:
    """{pid: (command name, user + system CPU seconds)} of every live process."""
    out = {}
    hz = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw.rsplit(")", 1)[1].split()
        out[int(stat.parent.name)] = (comm, (int(fields[11]) + int(fields[12])) / hz)
    return out


def _cpu_split(before: dict, after: dict, loader_seconds: float, requests: int) -> dict:
    """CPU ms per request spent by PostgreSQL, Redis and the load generator while the load ran
    (the server's own is server_cpu_ms_per_request): where the two cores went."""
    split = {"postgresql": 0.0, "redis": 0.0}
    for pid, (comm, cpu) in after.items():
        spent = cpu - before.get(pid, (comm, 0.0))[1]
        if comm.startswith("postgres"):
            split["postgresql"] += spent
        elif comm.startswith("redis"):
            split["redis"] += spent
    split["load_generator"] = loader_seconds
    return {k: round(1000 * v / max(1, requests), 3) for k, v in split.items()}


def _group_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every live process in a process group (the server and its workers)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _http_round(
    cache: str, ballots: int, conns: int, app: str = "gangwan.wsgi:application", loader="python"
) -> dict:
    import http.client

    from django.db import connection

    from gangwan.voting import services, verification
    from gangwan.voting.models import Ballot

    poll, ids = _make_poll(f"bench {cache}")
    rng = random.Random(7)
    bodies, dup_voters = [], 0
    for i in range(ballots):
        token = verification.voter_token(poll=poll, voter_key=f"bench-voter-{i}")
        body = json.dumps({"token": token, "choices": rng.sample(ids, rng.randint(1, 3))})
        bodies.append(body)
        if i % 10 == 0:  # this voter tries three times at once
            bodies += [body, body]
            dup_voters += 1
    env = dict(os.environ)
    env.update(GANGWAN_DB_POOL="1", GANGWAN_VOTING_CAST_PER_IP_PER_MINUTE="1000000000")
    if cache == "redis":
        env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    else:
        env.pop("REDIS_URL", None)
    port = _free_port()
    server = _serve(env, port, app)
    try:
        # Warm both workers (imports, pooled connections) with a few refused requests.
        for _ in range(20):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request(
                "POST",
                f"/api/v1/voting/polls/{poll.pk}/ballots",
                '{"token":"x","choices":[1]}',
                {"Content-Type": "application/json"},
            )
            c.getresponse().read()
            c.close()
        cpu_before = _group_cpu_seconds(server.pid)
        procs_before = _cpu_by_process()
        loader_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        path = f"/api/v1/voting/polls/{poll.pk}/ballots"
        if loader == "wrk":
            out = _wrk_load("127.0.0.1", port, path, bodies, conns)
        else:
            raw = _run_loader(
                "http",
                {"host": "127.0.0.1", "port": port, "path": path, "bodies": bodies, "conns": conns},
            )
            out = _summary_of_python_load(raw)
        server_cpu = _group_cpu_seconds(server.pid) - cpu_before
        loader_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        others = _cpu_split(
            procs_before,
            _cpu_by_process(),
            (loader_after.ru_utime + loader_after.ru_stime)
            - (loader_before.ru_utime + loader_before.ru_stime),
            out["requests"],
        )
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    statuses = out["statuses"]
    acked = out["acked"]
    stored = set(Ballot.objects.filter(poll=poll).values_list("id", flat=True))
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM (SELECT voter_key FROM voting_ballot WHERE poll_id = %s "
            "GROUP BY voter_key HAVING count(*) > 1) d",
            [poll.pk],
        )
        duplicates_stored = cur.fetchone()[0]
    return {
        "load_generator": loader,
        "requests": out["requests"],
        "statuses": statuses,
        "ballots_accepted": len(acked),
        "ballots_per_s": round(len(acked) / out["seconds"], 1),
        "requests_per_s": round(out["requests"] / out["seconds"], 1),
        "latency_ms": out["latency_ms"],
        # CPU the server (granian and its Python workers) spent per request: 2 cores' worth of
        # seconds divided by it is what this code could serve on an otherwise idle machine.
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(1, out["requests"]), 3),
        "other_cpu_ms_per_request": others,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "duplicate_attempts": 2 * dup_voters,
        "duplicates_refused": statuses.get("409", 0),
        "duplicates_stored": duplicates_stored,
        "lost": len(set(acked) - stored),
        "stored": len(stored),
        "tally_equals_recount": services.live_counts(poll) == services.counts_from_ballots(poll),
    }


if dataset is not None:

    @dataset("vote", engine="postgresql")
    def vote_dataset(ctx) -> dict:
        """An empty PostgreSQL database after `migrate` (the vote benchmark makes its own polls)."""
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        return {}

    @bench("vote_cast", datasets=("vote",))
    def vote_cast(ctx) -> dict:
        """Ballots/s over HTTP (granian, PostgreSQL) vs plain single-row INSERTs of the same table."""
        ballots = int(os.environ.get("BENCH_VOTE_BALLOTS", "20000"))
        other_ballots = int(os.environ.get("BENCH_VOTE_OTHER_BALLOTS", "6000"))
        reps_main = int(os.environ.get("BENCH_VOTE_REPS", "3"))
        conns = int(os.environ.get("BENCH_VOTE_CONNECTIONS", "32"))
        from gangwan.voting.models import Ballot

        loader = _loader()
        workers = os.environ.get("GANGWAN_WORKERS", "2")
        threads = os.environ.get("GANGWAN_THREADS", str(_threads()))
        # Baseline: the same table, single-row INSERTs in autocommit over the same connections.
        base_poll, _ = _make_poll("bench baseline", candidates=1)
        log(f"vote: plain INSERT baseline ({ballots} rows, {conns} connections)")
        base = _run_loader(
            "insert", {"dsn": _dsn(), "poll": base_poll.pk, "rows": ballots, "conns": conns}
        )
        insert_rate = base["rows"] / base["seconds"]
        Ballot.objects.filter(poll=base_poll).delete()
        out = {
            "ballots": ballots,
            "ballots_other_configurations": other_ballots,
            "connections": conns,
            "server": f"granian --interface wsgi --workers {workers} --blocking-threads {threads} "
            "(gangwan run; GANGWAN_WORKERS / GANGWAN_THREADS)",
            "plain_insert_rows_per_s": round(insert_rate, 1),
        }
        caches = (
            ["redis", "database"]
            if os.environ.get("BENCH_VOTE_CACHES") is None
            else [c for c in os.environ["BENCH_VOTE_CACHES"].split(",") if c]
        )
        for cache in caches:
            # The production setup (Redis) several times: the machine's speed varies from run to
            # run (a shared host); the median run is reported with every run's figure.
            reps = reps_main if cache == "redis" else 1
            n = ballots if cache == "redis" else other_ballots
            runs = []
            for rep in range(reps):
                log(f"vote: HTTP casts, cache={cache}, run {rep + 1}/{reps}, {n} voters")
                r = _http_round(cache, n, conns, loader=loader)
                r["ratio_to_plain_insert"] = round(r["ballots_per_s"] / insert_rate, 3)
                runs.append(r)
            runs.sort(key=lambda r: r["ballots_per_s"])
            median = runs[len(runs) // 2]
            if reps > 1:
                median["ballots_per_s_of_each_run"] = [r["ballots_per_s"] for r in runs]
                median["lost_in_all_runs"] = sum(r["lost"] for r in runs)
                median["duplicates_stored_in_all_runs"] = sum(r["duplicates_stored"] for r in runs)
                median["tally_equals_recount_in_all_runs"] = all(
                    r["tally_equals_recount"] for r in runs
                )
            out[f"http_cache_{cache}"] = median
        # gangwan.wsgi:application answers the cast through voting's fast path; the same
        # endpoint through the whole Django stack, for comparison (Redis cache).
        log("vote: HTTP casts through the whole Django stack (no fast path), cache=redis")
        r = _http_round("redis", other_ballots, conns, "gangwan.wsgi:django_application", loader)
        r["ratio_to_plain_insert"] = round(r["ballots_per_s"] / insert_rate, 3)
        out["http_django_stack_cache_redis"] = r
        return out


if __name__ == "__main__" and len(sys.argv) > 1 and sys.argv[1] == "--load":
    _loader_main(sys.argv[2:])
