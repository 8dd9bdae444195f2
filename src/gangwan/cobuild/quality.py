"""The matching engine's quality on the labelled need ↔ resource pairs of the demo district
(data/labelled_pairs.json, written by data/make_labelled_pairs.py): for every need, is the
resource that met it among the first three suggestions? Pure: no database."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

from . import matching

DATA = Path(__file__).with_name("data") / "labelled_pairs.json"
TODAY = dt.date(2026, 6, 1)


@cache
def labelled() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def area_paths(streets: dict[str, list[str]]) -> dict[tuple[str, str], str]:
    """Materialized paths for the labelled set's areas: 北仑区 → street → area."""
    root = matching_step(1)
    paths = {}
    for i, (street, areas) in enumerate(streets.items(), start=1):
        for j, area in enumerate(areas, start=1):
            paths[(street, area)] = root + matching_step(i) + matching_step(j)
    return paths


def matching_step(n: int) -> str:
    return str(n).zfill(matching.STEP)


def subjects_and_candidates():
    data = labelled()
    paths = area_paths(data["streets"])
    subjects, candidates, truth = [], [], []
    for p in data["pairs"]:
        n, r = p["need"], p["resource"]
        subjects.append(
            matching.Subject.of(
                category=n["category"], region_path=paths[(n["street"], n["area"])], text=n["text"]
            )
        )
        candidates.append(
            matching.Candidate.of(
                kind="resource",
                id=p["id"],
                label=r["holder"],
                category=r["category"],
                region_path=paths[(r["street"], r["area"])],
                text=r["text"],
            )
        )
        truth.append(p["id"])
    return subjects, candidates, truth


def hit_rates(k: int = 3) -> dict:
    """Top-k hit rate of the engine and of the category-only baseline, over all labelled needs."""
    subjects, candidates, truth = subjects_and_candidates()
    engine = baseline = 0
    for subject, right in zip(subjects, truth, strict=True):
        top = matching.rank(subject, candidates, today=TODAY, limit=k)
        engine += any(s.candidate.id == right for s in top)
        base = matching.rank_by_category(subject, candidates, limit=k)
        baseline += any(c.id == right for c in base)
    n = len(truth)
    return {
        "pairs": n,
        "candidates": len(candidates),
        f"top{k}_hit_rate": round(engine / n, 3),
        f"category_only_top{k}_hit_rate": round(baseline / n, 3),
    }
