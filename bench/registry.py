"""What `make bench` can run: datasets (built once per run, in a throwaway database) and the
benchmarks that measure something on them. A bench module is any `bench/bench_*.py`; it registers
its functions with `@bench(...)`, naming the datasets it runs on. See bench/README.md."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Dataset:
    name: str
    engine: str  # "sqlite" or "postgresql"
    build: Callable  # build(ctx) -> dict of facts, incl. "roots" for tree benches
    doc: str = ""


@dataclass
class Bench:
    name: str
    datasets: tuple[str, ...]
    run: Callable  # run(ctx) -> dict
    doc: str = ""


@dataclass
class Context:
    """What a benchmark gets: its dataset's name, engine, facts and the run's options."""

    dataset: str
    engine: str
    facts: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)


DATASETS: dict[str, Dataset] = {}
BENCHES: dict[str, Bench] = {}


def dataset(name: str, *, engine: str):
    def register(fn):
        DATASETS[name] = Dataset(name, engine, fn, (fn.__doc__ or "").strip())
        return fn

    return register


def bench(name: str, *, datasets: tuple[str, ...]):
    def register(fn):
        BENCHES[name] = Bench(name, datasets, fn, (fn.__doc__ or "").strip())
        return fn

    return register
