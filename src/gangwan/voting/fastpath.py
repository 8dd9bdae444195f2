"""A WSGI fast path for the busiest public endpoint, `POST /api/v1/voting/polls/<id>/ballots`.

The endpoint is the same (same function, `api.cast`: same checks, refusals and answers); only
Django's middleware chain, URL resolution, the API framework and the per-request database
connection are skipped, which is most of the CPU a ballot costs. What those would have done for
this request is done here: the Host header is validated against ALLOWED_HOSTS, the language comes
from the language cookie or Accept-Language, request_finished is sent when Django's database
connection was used, errors are logged and signalled as Django does, and the security headers are
set. There is no session, cookie or CSRF
involved: the voter token in the body is the credential.

Each server thread keeps its own PostgreSQL connection (autocommit; the cast statement prepared
once), opened on the thread's first ballot, reopened after a broken connection and closed when
the thread ends; on SQLite, or inside a transaction (tests), the cast runs on Django's connection.
With Redis, the per-network rate limit is counted in the process and shared through Redis in the
background (voting/fastcount.py) instead of a round trip per ballot.

Use it by wrapping the WSGI application:

    from gangwan.voting.fastpath import wrap
    application = wrap(get_wsgi_application())

(`gangwan.voting.fastpath:application` is that, for granian.)"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
import random
import re
import sys
import threading

import psycopg
from django.conf import settings
from django.core import signals
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, parse_cookie
from django.utils import translation
from django.utils.functional import cached_property
from psycopg import pq

from .fastcount import SharedCounter
from .models import TALLY_SHARDS

PATH = re.compile(r"\A/api/v1/voting/polls/(\d{1,18})/ballots/?\Z")
MAX_BODY = 8192
HEADERS = [
    ("Content-Type", "application/json; charset=utf-8"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Vary", "Accept-Language"),
    ("Cache-Control", "no-store"),
]
REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
logger = logging.getLogger("django.request")


def _hsts() -> str:
    """The Strict-Transport-Security value SecurityMiddleware would send."""
    value = f"max-age={settings.SECURE_HSTS_SECONDS}"
    if getattr(settings, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False):
        value += "; includeSubDomains"
    if getattr(settings, "SECURE_HSTS_PRELOAD", False):
        value += "; preload"
    return value


def _respond(start_response, status: int, body: dict, secure: bool = False) -> list[bytes]:
    data = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    headers = [*HEADERS, ("Content-Length", str(len(data)))]
    # As SecurityMiddleware: HSTS only on a secure request (https, or the trusted proxy's header).
    if secure and getattr(settings, "SECURE_HSTS_SECONDS", 0):
        headers.append(("Strict-Transport-Security", _hsts()))
    start_response(f"{status} {REASONS.get(status, '')}", headers)
    return [data]


class _Request(HttpRequest):
    """What the fast path needs of a request (host, scheme, client address, language), read from
    the WSGI environ without parsing anything else; the body is read by _payload."""

    def __init__(self, environ):  # no HttpRequest.__init__: no query dicts, no files
        self.environ = self.META = environ
        self.method = "POST"
        self.path = self.path_info = environ.get("PATH_INFO", "")
        self.resolver_match = None

    def _get_scheme(self):
        return self.META.get("wsgi.url_scheme", "http")

    @cached_property
    def COOKIES(self):  # noqa: N802 - Django's name
        return parse_cookie(self.META.get("HTTP_COOKIE", ""))


def _payload(environ) -> tuple[str, list[int]] | int:
    """(token, choices) from the JSON body, or the HTTP status refusing it (413, 422)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 422
    if length > MAX_BODY:
        return 413
    if length <= 0:
        return 422
    try:
        data = json.loads(environ["wsgi.input"].read(length))
    except (ValueError, RecursionError):  # (RecursionError: a body of nested brackets)
        return 422
    if not isinstance(data, dict):
        return 422
    token, choices = data.get("token"), data.get("choices")
    if not isinstance(token, str) or len(token) > 500 or not isinstance(choices, list):
        return 422
    if len(choices) > 100 or not all(type(c) is int for c in choices):
        return 422
    return token, choices


# --- the thread's own connections ------------------------------------------------------------


class _Connections:
    """One thread's PostgreSQL connection (closed when the thread ends)."""

    pg = None
    prepared: set | None = None  # names of the statements prepared on `pg`
    shard = None

    def __del__(self):
        self.close()

    def close(self):
        pg, self.pg = self.pg, None
        if pg is not None:
            try:
                pg.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass


class _Local(threading.local):
    def __init__(self):
        self.conns = _Connections()


_local = _Local()


def close_thread_connection() -> None:
    """Close this thread's database connection now (tests; a thread's end does it otherwise)."""
    _local.conns.close()


def stop_shared_counts() -> None:
    """Share the pending rate counts and stop their thread (tests; the process's end otherwise)."""
    with _counters_lock:
        counters = list(_counters.values())
        _counters.clear()
    for counter in counters:
        counter.stop()


class _Database:
    """The cast statement on this thread's own connection (services.ballot_store's `db`)."""

    @property
    def shard(self) -> int:
        """This thread's shard of the live counters: each thread counts on its own rows, so
        concurrent ballots of one process never wait on each other's row locks (and those of
        other processes rarely: the process starts at a random shard)."""
        conns = _local.conns
        if conns.shard is None:
            conns.shard = next(_shards) % TALLY_SHARDS
        return conns.shard

    def cast(self, sql: str, params: dict):
        """Run `sql` (psycopg's %(name)s placeholders; integer columns) and return its first row,
        or None. Straight through libpq (psycopg.pq): one call per ballot, which releases
        the GIL for the whole round trip, instead of psycopg's cursor machinery around it (about
        half of the client's CPU per ballot). The statement is prepared once per connection."""
        query, names = _numbered(sql)
        values = [_text(params[n]) for n in names]
        conns = _local.conns
        for attempt in (1, 2):
            fresh = (
                conns.pg is None or conns.pg.closed or conns.pg.pgconn.status != pq.ConnStatus.OK
            )
            if fresh:
                if conns.pg is not None:
                    conns.close()
                conns.pg, conns.prepared = _pg_connect(), set()
            pgconn = conns.pg.pgconn
            try:
                if conns.pg.prepare_threshold is None:  # GANGWAN_DB_PREPARE=0
                    res = pgconn.exec_params(query, values)
                else:
                    name = _QUERY_NAMES[query]
                    if name not in conns.prepared:
                        _check(pgconn.prepare(name, query, None), pq.ExecStatus.COMMAND_OK)
                        conns.prepared.add(name)
                    res = pgconn.exec_prepared(name, values)
            except psycopg.OperationalError:
                res = None
            if pgconn.status != pq.ConnStatus.OK:
                # A connection that broke while idle (server restart, failover): once more on a
                # new one. A statement that did commit before the break meets the unique key.
                conns.close()
                if fresh or attempt == 2:
                    raise psycopg.OperationalError("the database connection was lost")
                continue
            if res is not None and res.status == pq.ExecStatus.FATAL_ERROR:
                state = res.error_field(pq.DiagnosticField.SQLSTATE)
                if state == b"26000" and attempt == 1:  # prepared statement gone (a pooler)
                    conns.prepared.clear()
                    continue
            _check(res, pq.ExecStatus.TUPLES_OK)
            if not res.ntuples:
                return None
            return tuple(int(res.get_value(0, i)) for i in range(res.nfields))
        raise AssertionError("unreachable")  # pragma: no cover


_QUERIES: dict = {}
_QUERY_NAMES: dict = {}  # statement text -> its prepared statement's name
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _numbered(sql: str) -> tuple[bytes, tuple[str, ...]]:
    """`sql` with %(name)s placeholders as $1, $2… (in order of first use), and the names."""
    hit = _QUERIES.get(sql)
    if hit is None:
        names: list[str] = []

        def number(m):
            if m.group(1) not in names:
                names.append(m.group(1))
            return f"${names.index(m.group(1)) + 1}"

        hit = _QUERIES[sql] = (_PLACEHOLDER.sub(number, sql).encode(), tuple(names))
        _QUERY_NAMES[hit[0]] = b"gangwan_" + hashlib.sha256(hit[0]).hexdigest()[:20].encode()
    return hit


def _text(value) -> bytes | None:
    """A parameter in PostgreSQL's text format (the statement casts each one to its type)."""
    if value is None:
        return None
    if value is True or value is False:
        return b"t" if value else b"f"
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, dt.date):  # dates and (time-zone aware) datetimes
        return value.isoformat().encode()
    if isinstance(value, int):
        return b"%d" % value
    raise TypeError(f"no text form for {type(value).__name__}")


def _check(res, expected) -> None:
    """Raise Django's database errors for a failed statement, as Django's cursors would:
    IntegrityError (a unique key: message and constraint name, no row values), DatabaseError
    otherwise."""
    from django.db import DatabaseError, IntegrityError

    if res is not None and res.status == expected:
        return
    if res is None:
        raise psycopg.OperationalError("no result from the database")

    def field(code) -> str:
        return (res.error_field(code) or b"").decode(errors="replace")

    message = field(pq.DiagnosticField.MESSAGE_PRIMARY) or "database error"
    constraint = field(pq.DiagnosticField.CONSTRAINT_NAME)
    if field(pq.DiagnosticField.SQLSTATE).startswith("23"):
        raise IntegrityError(f"{message} ({constraint})" if constraint else message)
    raise DatabaseError(f"{message} [{field(pq.DiagnosticField.SQLSTATE)}]")


def _pg_connect():
    from django.db import connections

    params = connections["default"].get_connection_params()
    params.pop("pool", None)
    params.pop("cursor_factory", None)
    # Give up on an unreachable server in seconds and notice a dead peer on an idle connection.
    params.setdefault("connect_timeout", 5)
    params.setdefault("keepalives", 1)
    params.setdefault("keepalives_idle", 60)
    return psycopg.Connection.connect(autocommit=True, **params)


def _redis_connect(backend):
    """A new connection to the cache's Redis server (for the shared rate counts)."""
    pool = backend._cache._get_connection_pool(write=True)
    kwargs = {"socket_timeout": 2, "socket_connect_timeout": 2, **pool.connection_kwargs}
    return pool.connection_class(**kwargs)


_DB = _Database()
_shards = itertools.count(random.randrange(TALLY_SHARDS))
_counters: dict = {}
_counters_lock = threading.Lock()


def _fast_connections():
    """(db, counter) for api.cast: this thread's connections on PostgreSQL outside a transaction,
    Django's otherwise."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache
    from django.db import connections

    django_db = connections["default"]
    db = _DB if django_db.vendor == "postgresql" and not django_db.in_atomic_block else None
    backend = caches["default"]
    counter = None
    if isinstance(backend, RedisCache):
        # One per process and Redis cache (the backend object is per thread: keyed by location).
        location = backend._servers[0]
        counter = _counters.get(location)
        if counter is None:
            with _counters_lock:
                counter = _counters.get(location)
                if counter is None:
                    counter = _counters[location] = SharedCounter(
                        lambda: _redis_connect(caches["default"])
                    )
    return db, counter


def cast_view(environ, start_response, poll_id: int) -> list[bytes]:
    from django.db import connections

    from gangwan.core.throttle import client_ip

    from .api import cast

    # No request_started / request_finished for every ballot: their receivers reset and return
    # Django's database connections, which the fast path does not use in the usual case (it has
    # its own). When it did (a poll reloaded, a refusal explained), request_finished is sent at
    # the end, which returns the connection as at the end of any request.
    request = None
    try:
        request = _Request(environ)
        try:
            request.get_host()
        except DisallowedHost as exc:  # logged as Django's handler logs it
            logging.getLogger("django.security.DisallowedHost").error(
                str(exc), extra={"status_code": 400, "request": WSGIRequest(environ)}
            )
            return _respond(start_response, 400, {"detail": ["Bad Request"]})
        secure = request.is_secure()
        language = translation.get_language_from_request(request)
        with translation.override(language):
            payload = _payload(environ)
            if payload == 413:
                return _respond(start_response, 413, {"detail": ["Request body too large"]}, secure)
            if isinstance(payload, int):
                return _respond(
                    start_response,
                    422,
                    {"detail": ["body: token (string) and choices (ints)"]},
                    secure,
                )
            db, counter = _fast_connections()
            status, body = cast(
                poll_id=poll_id,
                token=payload[0],
                choices=payload[1],
                ip=client_ip(request),
                db=db,
                counter=counter,
            )
            return _respond(start_response, status, body, secure)
    except Exception:
        # What Django's handler does with an unhandled exception: signal it (error reporting,
        # tests), log it to django.request (admins' mail, the server log) and answer 500.
        try:
            request = WSGIRequest(environ)  # the whole request for the error reporters
        except Exception:  # noqa: BLE001 - a request too broken to parse: report without it
            pass
        signals.got_request_exception.send(sender=None, request=request)
        logger.error(
            "Internal Server Error: %s",
            environ.get("PATH_INFO", ""),
            exc_info=sys.exc_info(),
            extra={"status_code": 500, "request": request},
        )
        return _respond(start_response, 500, {"detail": ["Internal Server Error"]})
    finally:
        if connections["default"].connection is not None:
            signals.request_finished.send(sender=None)


def wrap(app):
    def application(environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST":
            m = PATH.match(environ.get("PATH_INFO", ""))
            if m:
                return cast_view(environ, start_response, int(m.group(1)))
        return app(environ, start_response)

    return application


def _default():
    import os

    from django.core.wsgi import get_wsgi_application

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gangwan.settings")
    return wrap(get_wsgi_application())


def __getattr__(name):  # `application` is built on first use (granian imports it by name)
    if name == "application":
        app = _default()
        globals()["application"] = app
        return app
    raise AttributeError(name)
