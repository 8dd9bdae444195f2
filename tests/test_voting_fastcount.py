"""The fast path's rate counts: exact within a process, shared between processes through Redis
(the machine's Redis at 127.0.0.1:6379, database 6), local while Redis is away."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from gangwan.voting import verification
from gangwan.voting.fastcount import SharedCounter

URL = "redis://127.0.0.1:6379/6"


def _connect():
    pool = redis.ConnectionPool.from_url(URL)
    return pool.connection_class(**pool.connection_kwargs)


@pytest.fixture
def key():
    name = f"gw-test-fastcount:{uuid.uuid4().hex}"
    yield name
    redis.Redis.from_url(URL).delete(name)


def _redis_value(name):
    value = redis.Redis.from_url(URL).get(name)
    return int(value) if value is not None else None


def test_counts_exactly_within_the_process_before_any_sharing(key):
    counter = SharedCounter(_connect, sync_seconds=3600)
    try:
        assert [counter(key, 60) for _ in range(5)] == [1, 2, 3, 4, 5]
        assert _redis_value(key) is None  # nothing sent yet
        counter.sync()
        assert _redis_value(key) == 5
        ttl = redis.Redis.from_url(URL).pttl(key)
        assert 0 < ttl <= 60_000
    finally:
        counter.stop()


def test_two_processes_learn_each_others_counts_at_each_sync(key):
    a = SharedCounter(_connect, sync_seconds=3600)
    b = SharedCounter(_connect, sync_seconds=3600)
    try:
        for _ in range(5):
            a(key, 60)
        a.sync()
        assert b(key, 60) == 1  # b has not heard of a's events yet
        b.sync()
        assert b(key, 60) == 7  # a's 5 and b's first, then this one
        assert a(key, 60) == 6  # a still knows only its own
        a.sync()  # Redis: 5 + 1 + 1 (a's sixth); b's seventh is not sent yet
        assert a(key, 60) == 8
        b.sync()
        a.sync()
        assert _redis_value(key) == 9
    finally:
        a.stop()
        b.stop()


def test_the_background_thread_shares_the_counts(key):
    counter = SharedCounter(_connect, sync_seconds=0.02)
    try:
        for _ in range(3):
            counter(key, 60)
        deadline = time.monotonic() + 5
        while _redis_value(key) != 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _redis_value(key) == 3
    finally:
        counter.stop()


def test_a_closed_window_starts_again(key):
    counter = SharedCounter(_connect, sync_seconds=3600)
    try:
        assert counter(key, 1) == 1
        assert counter(key, 1) == 2
        counter.sync()
        time.sleep(1.1)  # the window (1 s) closes in the process and in Redis
        assert counter(key, 1) == 1
        counter.sync()
        assert _redis_value(key) == 1
    finally:
        counter.stop()


def test_without_redis_the_process_still_counts_and_sends_later(key, caplog):
    down = {"yes": True}

    def connect():
        if down["yes"]:
            raise redis.exceptions.ConnectionError("Redis is away")
        return _connect()

    counter = SharedCounter(connect, sync_seconds=3600)
    try:
        assert [counter(key, 60) for _ in range(3)] == [1, 2, 3]
        with caplog.at_level("WARNING", logger="gangwan.voting.fastcount"):
            counter.sync()
        assert "not shared" in caplog.text
        assert counter(key, 60) == 4  # nothing forgotten
        down["yes"] = False
        counter.sync()
        assert _redis_value(key) == 4
    finally:
        counter.stop()


def test_hit_counts_under_the_cache_key_the_other_paths_use(settings, key):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": URL,
            "KEY_PREFIX": "gw6-test",
        }
    }
    from django.core.cache import caches

    backend = caches["default"]
    ip = f"192.0.2.{uuid.uuid4().int % 250}"
    full = backend.make_and_validate_key(f"voting-rl:cast-ip:{ip}")
    counter = SharedCounter(_connect, sync_seconds=3600)
    try:
        assert verification.hit(f"cast-ip:{ip}", 2, 60) is True  # the usual path: Redis at once
        results = [verification.hit(f"cast-ip:{ip}", 2, 60, counter) for _ in range(2)]
        counter.sync()
        # The fast path's counts land on the same key: 1 + 2 events.
        assert _redis_value(full) == 3
        assert results == [True, True]  # (the process had not heard of the first one yet)
        assert verification.hit(f"cast-ip:{ip}", 2, 60, counter) is False  # now it has
    finally:
        counter.stop()
        backend.delete(f"voting-rl:cast-ip:{ip}")


def test_counts_kept_while_redis_is_away_leave_with_their_window():
    now = [1000.0]

    def connect():
        raise redis.exceptions.ConnectionError("Redis is away")

    counter = SharedCounter(connect, sync_seconds=3600, clock=lambda: now[0])
    try:
        assert [counter("k", 60) for _ in range(3)] == [1, 2, 3]
        counter.sync()  # fails: kept
        assert counter("k", 60) == 4
        now[0] += 61  # the window closes while Redis is still away
        counter.sync()  # fails: the closed window's counts are dropped, not kept forever
        assert counter._pending == {} and counter._inflight == {}
        assert counter("k", 60) == 1
    finally:
        counter._thread = None  # (never started a thread: connect always fails)
