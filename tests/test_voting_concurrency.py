"""Ballots under concurrency: nothing counted twice, nothing lost.

On PostgreSQL (DATABASE_URL=postgres://…; .ci/run's second pass) the casts really run at once, in
threads with their own connections, and a real server (granian, as `gangwan run` serves it) is
killed mid-burst. On SQLite, whose in-memory test database serializes writers, the same checks run
one cast after another, and the server test runs against a temporary database file."""

from __future__ import annotations

import datetime as dt
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from gangwan.core.models import Role
from gangwan.voting import fastpath, services, verification
from gangwan.voting.models import Ballot, BallotChoice, Tally
from tests import factories as f

PG = connection.vendor == "postgresql"
ROOT = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)


def _poll(n=5, **kw):
    admin = f.user(role=Role.DISTRICT_ADMIN)
    now = timezone.now()
    poll = services.poll_create(
        title="并发测试",
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=1),
        max_choices=2,
        actor=admin,
        **kw,
    )
    cands = [services.candidate_add(poll=poll, name=f"C{i}", actor=admin) for i in range(n)]
    return admin, poll, cands


def _run_at_once(fn, args: list, workers: int) -> list:
    """Call fn(arg) for every arg: all at once in threads on PostgreSQL, in turn on SQLite.
    Returns the exceptions raised (ValidationErrors are expected refusals, kept apart)."""
    results: list = []
    lock = threading.Lock()

    def call(arg, barrier=None):
        try:
            if barrier is not None:
                barrier.wait(timeout=30)
            out = fn(arg)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            out = exc
        finally:
            if PG:
                connections.close_all()
        with lock:
            results.append(out)

    if PG:
        barrier = threading.Barrier(min(workers, len(args)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda a: call(a, barrier if len(args) <= workers else None), args))
    else:
        for a in args:
            call(a)
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_ballots_of_one_voter_store_exactly_one(district):
    _, poll, (a, b, *_) = _poll()
    outcomes = _run_at_once(
        lambda i: services.ballot_cast(
            poll=poll, voter_key="same-voter", choices=[a.pk if i % 2 else b.pk], ip="10.0.0.1"
        ),
        list(range(50)),
        workers=50,
    )
    stored = [o for o in outcomes if isinstance(o, Ballot)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    others = [o for o in outcomes if not isinstance(o, Ballot | ValidationError)]
    assert others == []
    assert len(stored) == 1
    assert len(refused) == 49 and {r.code for r in refused} == {"duplicate"}
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert services.live_counts(poll) == services.counts_from_ballots(poll)
    assert services.live_counts(poll)["ballots"] == 1


@pytest.mark.django_db(transaction=True)
def test_thousand_distinct_voters_at_once_store_a_thousand(district):
    _, poll, cands = _poll()
    ids = [c.pk for c in cands]

    def cast(i):
        choice = [ids[i % 5], ids[(i + 1) % 5]] if i % 3 == 0 else [ids[i % 5]]
        return services.ballot_cast(
            poll=poll, voter_key=f"voter-{i}", choices=choice, ip=f"10.{i % 200}.0.1"
        )

    outcomes = _run_at_once(cast, list(range(1000)), workers=16)
    assert [o for o in outcomes if not isinstance(o, Ballot)] == []
    assert Ballot.objects.filter(poll=poll).count() == 1000
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 1000 + 334
    live, recount = services.live_counts(poll), services.counts_from_ballots(poll)
    assert live == recount
    assert live["ballots"] == 1000 and sum(live["votes"].values()) == 1334


# --- the WSGI fast path on its own connections ---------------------------------------------------


def _fast_post(app, poll_id: int, body: dict, ip: str = "203.0.113.9") -> tuple[int, dict]:
    raw = json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/api/v1/voting/polls/{poll_id}/ballots",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.input": io.BytesIO(raw),
        "wsgi.url_scheme": "http",
        "CONTENT_LENGTH": str(len(raw)),
        "CONTENT_TYPE": "application/json",
        "REMOTE_ADDR": ip,
    }
    seen = {}

    def start_response(status, headers):
        seen["status"] = int(status.split()[0])

    data = b"".join(app(environ, start_response))
    return seen["status"], json.loads(data)


def _not_django(environ, start_response):  # pragma: no cover - every request here is a cast
    raise AssertionError("the cast went to Django")


@pytest.fixture
def redis_cache(settings):
    """The cache in Redis (the machine's, database 6), as a deployment with REDIS_URL runs."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/6",
            "KEY_PREFIX": f"gw-conc-{os.getpid()}-{time.monotonic_ns()}",
        }
    }
    yield
    fastpath.stop_shared_counts()


@pytest.mark.django_db(transaction=True)
def test_the_fast_path_stores_one_ballot_per_voter_on_its_own_connections(
    district, redis_cache, monkeypatch
):
    _, poll, (a, b, *_) = _poll()
    connects = []
    real_connect = fastpath._pg_connect
    monkeypatch.setattr(fastpath, "_pg_connect", lambda: connects.append(1) or real_connect())
    app = fastpath.wrap(_not_django)
    same = verification.voter_token(poll=poll, voter_key="fast-same")

    def cast(arg):
        token, choices, ip = arg
        try:
            return _fast_post(app, poll.pk, {"token": token, "choices": choices}, ip)
        finally:
            fastpath.close_thread_connection()

    outcomes = _run_at_once(
        cast, [(same, [a.pk if i % 2 else b.pk], f"10.9.{i}.1") for i in range(30)], 30
    )
    assert sorted(o[0] for o in outcomes) == [200] + [409] * 29
    voters = [
        (
            verification.voter_token(poll=poll, voter_key=f"fast-{i}"),
            [a.pk] if i % 3 else [a.pk, b.pk],
            f"10.{i % 200}.{i // 200}.1",  # (60 ballots a minute from one network at most)
        )
        for i in range(300)
    ]
    # As if an older release (8 counter shards) had made the poll: the threads counting on the
    # shards above find no rows (those without votes yet) and count on shard 0 instead.
    Tally.objects.filter(poll=poll, shard__gte=8, votes=0).delete()
    outcomes = _run_at_once(cast, voters, 16)
    assert [o for o in outcomes if o[0] != 200] == []
    acked = {o[1]["ballot"] for o in outcomes}
    assert len(acked) == 300
    assert set(Ballot.objects.filter(poll=poll).values_list("pk", flat=True)) >= acked
    assert Ballot.objects.filter(poll=poll).count() == 301
    live = services.live_counts(poll)
    assert live == services.counts_from_ballots(poll) and live["ballots"] == 301
    # On PostgreSQL the casts ran on the fast path's own connections (one per thread); on SQLite
    # on Django's.
    assert (len(connects) > 0) == PG


@pytest.mark.django_db(transaction=True)
def test_the_fast_path_reconnects_after_its_connection_is_lost(district, redis_cache):
    _, poll, (a, *_) = _poll()
    app = fastpath.wrap(_not_django)

    def cast(voter):
        token = verification.voter_token(poll=poll, voter_key=voter)
        return _fast_post(app, poll.pk, {"token": token, "choices": [a.pk]})

    try:
        assert cast("before")[0] == 200
        if PG:
            # The server ends the thread's connection (a restart, a failover, an idle timeout).
            own = fastpath._local.conns.pg
            with connection.cursor() as cur:
                cur.execute("SELECT pg_terminate_backend(%s)", [own.info.backend_pid])
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with connection.cursor() as cur:
                    cur.execute(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = %s",
                        [own.info.backend_pid],
                    )
                    if cur.fetchone()[0] == 0:
                        break
                time.sleep(0.05)
        status, body = cast("after")
        assert status == 200, body
        assert cast("after")[0] == 409
        if PG:
            assert fastpath._local.conns.pg is not own and not fastpath._local.conns.pg.closed
        assert Ballot.objects.filter(poll=poll).count() == 2
    finally:
        fastpath.close_thread_connection()


# --- a worker killed mid-request loses nothing it acknowledged -----------------------------------

SETUP = """
import json, datetime as dt, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gangwan.settings")
django.setup()
from django.core.management import call_command
from django.utils import timezone
if os.environ.get("GW_MIGRATE") == "1":
    call_command("migrate", verbosity=0)
from gangwan.voting import services
now = timezone.now()
poll = services.poll_create(title="kill", opens_at=now - dt.timedelta(hours=1),
    closes_at=now + dt.timedelta(days=1), actor=None)
c = services.candidate_add(poll=poll, name="A", actor=None)
print(json.dumps({"poll": poll.pk, "candidate": c.pk}))
"""

COUNT = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gangwan.settings")
django.setup()
from gangwan.voting.models import Ballot
ids = json.loads(sys.stdin.read())
print(json.dumps(sorted(Ballot.objects.filter(pk__in=ids).values_list("pk", flat=True))))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_env(tmp: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["GANGWAN_VOTING_CAST_PER_IP_PER_MINUTE"] = "1000000"
    env.pop("REDIS_URL", None)
    if PG:
        s = connection.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
            f"/{s['NAME']}"
        )
    else:
        env["GANGWAN_SQLITE"] = str(Path(tmp) / "kill.sqlite3")
        env["GW_MIGRATE"] = "1"
    return env


def _post(port: int, path: str, body: dict) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"{}")
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_killed_worker_loses_no_acknowledged_ballot(district):
    with tempfile.TemporaryDirectory() as tmp:
        env = _server_env(tmp)
        made = subprocess.run(
            [PYTHON, "-c", SETUP], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert made.returncode == 0, made.stderr
        ids = json.loads(made.stdout.strip().splitlines()[-1])
        port = _free_port()
        granian = PYTHON.parent / "granian"
        server = subprocess.Popen(
            [granian, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
            + ["--workers", "1", "--blocking-threads", "4", "--no-ws", "gangwan.wsgi:application"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    time.sleep(0.2)
            from gangwan.voting.models import Poll

            poll = Poll(pk=ids["poll"])
            acked: list[int] = []
            failed = [0]
            stop = threading.Event()

            def voter(worker: int):
                i = 0
                while not stop.is_set():
                    token = verification.voter_token(poll=poll, voter_key=f"k{worker}-{i}")
                    i += 1
                    try:
                        status, body = _post(
                            port,
                            f"/api/v1/voting/polls/{ids['poll']}/ballots",
                            {"token": token, "choices": [ids["candidate"]]},
                        )
                    except (OSError, http.client.HTTPException, ValueError):
                        failed[0] += 1
                        continue
                    if status == 200:
                        acked.append(body["ballot"])

            threads = [threading.Thread(target=voter, args=(w,)) for w in range(6)]
            for t in threads:
                t.start()
            # Let ballots flow, then kill the whole server (master and worker) without warning.
            deadline = time.monotonic() + 60
            while len(acked) < 40 and time.monotonic() < deadline:
                time.sleep(0.05)
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)
            time.sleep(0.5)
            stop.set()
            for t in threads:
                t.join(15)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(10)
        assert len(acked) >= 40
        counted = subprocess.run(
            [PYTHON, "-c", COUNT],
            input=json.dumps(acked),
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert counted.returncode == 0, counted.stderr
        assert json.loads(counted.stdout.strip().splitlines()[-1]) == sorted(acked)
        assert len(set(acked)) == len(acked)
