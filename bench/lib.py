"""Small helpers shared by the benchmarks: timing and summaries."""

from __future__ import annotations

import math
import statistics
import sys
import time
from collections.abc import Callable


def log(*args) -> None:
    print("[bench]", *args, file=sys.stderr, flush=True)


def timed(fn: Callable, reps: int) -> tuple[list[float], object]:
    """Run fn `reps` times; return the times in ms and the last result."""
    out, result = [], None
    for _ in range(reps):
        t = time.perf_counter()
        result = fn()
        out.append((time.perf_counter() - t) * 1000)
    return out, result


def summary(ms: list[float]) -> dict:
    ordered = sorted(ms)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median": round(statistics.median(ordered), 3), "p95": round(p95, 3), "n": len(ordered)}


class Stopwatch:
    """Collects named step durations (seconds) for a dataset's build."""

    def __init__(self):
        self.steps: dict[str, float] = {}

    def step(self, name: str):
        watch = self

        class _Step:
            def __enter__(self):
                self.t = time.perf_counter()
                log(f"{name}…")

            def __exit__(self, *exc):
                watch.steps[name] = round(time.perf_counter() - self.t, 2)
                log(f"{name}: {watch.steps[name]} s")

        return _Step()
