"""Rate-limit counting for the vote's fast path without a Redis round trip per request.

verification.hit counts each event in Redis and reads the count back before answering: exact
across processes and hosts, but one network round trip (and two thread switches) per ballot,
about a tenth of what a ballot costs the server. The fast path counts in the process instead and
shares the counts through Redis in the background:

- an event is counted at once in the process (`pending`) and judged against what this process
  last learned of the key's count in Redis (`known`) plus what it has counted since;
- every SYNC_SECONDS a background thread sends the pending counts of every key to Redis in one
  pipelined round trip (a script adds them and opens the key's window, as hit() does) and learns
  each key's new total, which includes the other processes' and hosts' events.

So a key's limit holds within each process exactly, and across processes up to what the others
admitted in the last sync interval or two (with 2 workers, 50 ms at a few ballots per second
from one network: a handful). The one-ballot-per-voter rule does not depend on it (the database
enforces it); the limit is there to slow down one network's flood. If Redis cannot be reached,
counting goes on in the process and is sent when it can be (what is still inside its window),
with a warning a minute in the log."""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger(__name__)

SYNC_SECONDS = 0.05

# Add ARGV[1] events to KEYS[1]; open the window (ARGV[2] s) on the key's first events, or give the
# expiry back if it was ever lost; answer the total and the milliseconds left in the window.
SCRIPT = (
    "local n = redis.call('INCRBY', KEYS[1], ARGV[1]) "
    "local ttl = redis.call('PTTL', KEYS[1]) "
    "if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2] * 1000) ttl = ARGV[2] * 1000 end "
    "return {n, ttl}"
)


class SharedCounter:
    """`counter(key, window) -> count` for verification.hit: this event included, estimated as
    described above. `connect()` returns a new redis-py connection (redis.Connection)."""

    def __init__(self, connect, sync_seconds: float = SYNC_SECONDS, clock=time.monotonic):
        self._connect = connect
        self._sync_seconds = sync_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[str, list] = {}  # key -> [events not yet sent, window, first at]
        self._inflight: dict[str, int] = {}  # key -> events being sent now
        self._known: dict[str, tuple[int, float]] = {}  # key -> (total in Redis, window ends)
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._conn = None
        self._sha = None
        self._failures = 0
        self._next_warning = 0.0
        self._next_prune = 0.0

    # --- counting (request threads) ----------------------------------------------------------

    def __call__(self, key: str, window: int) -> int:
        now = self._clock()
        with self._lock:
            entry = self._pending.get(key)
            if entry is None or entry[2] + window <= now:
                # (Events left unsent past their window — Redis away — are forgotten with it.)
                entry = self._pending[key] = [0, window, now]
            entry[0] += 1
            total, ends = self._known.get(key, (0, 0.0))
            count = (total if ends > now else 0) + self._inflight.get(key, 0) + entry[0]
        if self._thread is None:
            self._start()
        return count

    # --- sharing (the background thread) -------------------------------------------------------

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=self._run, name="gangwan-vote-counts", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        """Send what is pending and stop the background thread (tests; process end otherwise)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(10)
        self._stop.clear()
        self.sync()
        if self._conn is not None:
            self._conn.disconnect()
            self._conn = None

    def _run(self) -> None:
        while not self._stop.wait(self._sync_seconds):
            self.sync()

    def sync(self) -> None:
        """Send the pending counts to Redis and learn the totals (one round trip)."""
        with self._lock:
            if not self._pending:
                self._prune()
                return
            batch, self._pending = self._pending, {}
            for key, (n, _window, _at) in batch.items():
                self._inflight[key] = self._inflight.get(key, 0) + n
        try:
            results = self._send(batch)
        except Exception as exc:  # noqa: BLE001 - Redis away: keep the counts, send them later
            now = self._clock()
            self._failures += 1
            if now >= self._next_warning:  # once a minute, not at every sync
                logger.warning(
                    "vote rate counts not shared for %s syncs (Redis unreachable: %s)",
                    self._failures,
                    exc,
                )
                self._next_warning = now + 60
            with self._lock:
                for key, (n, window, at) in batch.items():
                    self._inflight[key] -= n
                    if not self._inflight[key]:
                        del self._inflight[key]
                    if at + window <= now:  # its window has closed: nothing left to send
                        continue
                    entry = self._pending.setdefault(key, [0, window, at])
                    entry[0] += n
                    entry[2] = min(entry[2], at)
                for key in [k for k, e in self._pending.items() if e[2] + e[1] <= now]:
                    del self._pending[key]
            if self._conn is not None:
                self._conn.disconnect()
                self._conn = None
            return
        now = self._clock()
        self._failures = 0
        with self._lock:
            for (key, (n, _window, _at)), (total, ttl_ms) in zip(
                batch.items(), results, strict=True
            ):
                self._known[key] = (int(total), now + int(ttl_ms) / 1000)
                self._inflight[key] -= n
                if not self._inflight[key]:
                    del self._inflight[key]
            self._prune()

    def _send(self, batch: dict) -> list:
        import redis

        if self._conn is None:
            self._conn = self._connect()
            self._sha = None
        conn = self._conn
        if self._sha is None:
            conn.send_command("SCRIPT", "LOAD", SCRIPT)
            self._sha = conn.read_response()
        commands = [
            ("EVALSHA", self._sha, 1, key, n, window) for key, (n, window, _at) in batch.items()
        ]
        conn.send_packed_command(conn.pack_commands(commands))
        results, missing = [], False
        for _ in commands:
            try:
                results.append(conn.read_response())
            except redis.exceptions.NoScriptError:
                missing = True
                results.append(None)
        if missing:  # Redis restarted and forgot the script: load it and send those again
            self._sha = None
            conn.send_command("SCRIPT", "LOAD", SCRIPT)
            self._sha = conn.read_response()
            for i, (key, (n, window, _at)) in enumerate(batch.items()):
                if results[i] is None:
                    conn.send_command("EVALSHA", self._sha, 1, key, n, window)
                    results[i] = conn.read_response()
        return results

    def _prune(self) -> None:
        """Forget the totals of windows that have closed (called with the lock held; a full scan
        at most once a second, and only when there are many)."""
        now = self._clock()
        if len(self._known) < 10000 or now < self._next_prune:
            return
        self._next_prune = now + 1
        for key in [k for k, (_t, ends) in self._known.items() if ends <= now]:
            del self._known[key]
