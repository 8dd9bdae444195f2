"""Co-building's matching engine (gangwan.cobuild.matching): quality and speed.

Quality: on the labelled need ↔ resource pairs of the demo district
(src/gangwan/cobuild/data/labelled_pairs.json, 217 pairs), for each need, is the resource that met
it among the first 3 (and the first 1) suggestions of the engine, and of the category-only baseline
(same category first, then list order), in the same run.

Speed: one need against 100,000 generated resources (the labelled resources' texts, each with a
random holder, area of the district, availability, past successes and an extra phrase):
- `index_ms`: `CandidateIndex.rank` — prefilter by category and rare shared bigrams, integer
  features, exact re-scoring of a shortlist of 200;
- `full_scan_ms`: `matching.rank` — every resource scored with the same per-pair function;
- `ratio_full_scan_over_index`, and `top10_agree`: the share of needs for which both give the
  same top 10 (ids and scores);
- `index_build_s`: preparing the index once (it is rebuilt when resources change).
"""

from __future__ import annotations

import datetime as dt
import random
import time

from lib import log, summary, timed
from registry import bench

N_RESOURCES = 100_000
EXTRAS = [
    "联系人王先生",
    "周末也可以",
    "需提前三天预约",
    "党员志愿者优先",
    "免费提供",
    "可长期合作",
    "服务时间为工作日白天",
    "有保险和安全措施",
    "欢迎社区对接",
    "面向全区开放",
]


def _resources(n: int, seed: int = 2013):
    from gangwan.cobuild import matching, quality

    data = quality.labelled()
    rng = random.Random(seed)
    paths = list(quality.area_paths(data["streets"]).values())
    pairs = data["pairs"]
    today = quality.TODAY
    out = []
    for i in range(n):
        r = rng.choice(pairs)["resource"]
        until = None
        if rng.random() < 0.4:
            until = today + dt.timedelta(days=rng.randint(-60, 400))
        out.append(
            matching.Candidate.of(
                kind="resource",
                id=i,
                label=r["holder"],
                category=r["category"],
                region_path=rng.choice(paths),
                text=f"{r['text']}，{rng.choice(EXTRAS)}",
                available_until=until,
                successes=rng.choice([0, 0, 0, 1, 2, 5]),
            )
        )
    return out


@bench("cobuild_matching", datasets=("district",))
def cobuild_matching(ctx) -> dict:
    """Top-3 hit rate vs a category-only baseline; one need against 100,000 resources."""
    from gangwan.cobuild import matching, quality

    reps = ctx.options.get("reps", 5)
    top3 = quality.hit_rates(3)
    top1 = quality.hit_rates(1)
    log(f"cobuild_matching: quality {top3}")

    t = time.perf_counter()
    resources = _resources(N_RESOURCES)
    generate_s = time.perf_counter() - t
    t = time.perf_counter()
    index = matching.CandidateIndex(resources)
    build_s = time.perf_counter() - t
    log(f"cobuild_matching: {len(resources)} resources generated, index built in {build_s:.1f}s")

    subjects, _c, _t = quality.subjects_and_candidates()
    rng = random.Random(7)
    sample = rng.sample(subjects, 10)
    today = quality.TODAY
    fast_ms, slow_ms, agree = [], [], 0
    for subject in sample:
        times, fast = timed(lambda s=subject: index.rank(s, today=today, limit=10), reps)
        fast_ms += times
        times, slow = timed(lambda s=subject: matching.rank(s, resources, today=today, limit=10), 1)
        slow_ms += times
        agree += [(x.candidate.id, round(x.score, 9)) for x in fast] == [
            (x.candidate.id, round(x.score, 9)) for x in slow
        ]
    fast_s, slow_s = summary(fast_ms), summary(slow_ms)
    return {
        "labelled_pairs": top3["pairs"],
        "top3_hit_rate": top3["top3_hit_rate"],
        "category_only_top3_hit_rate": top3["category_only_top3_hit_rate"],
        "top1_hit_rate": top1["top1_hit_rate"],
        "category_only_top1_hit_rate": top1["category_only_top1_hit_rate"],
        "resources": len(resources),
        "needs_timed": len(sample),
        "generate_s": round(generate_s, 1),
        "index_build_s": round(build_s, 1),
        "index_ms": fast_s,
        "full_scan_ms": slow_s,
        "ratio_full_scan_over_index": round(slow_s["median"] / max(fast_s["median"], 1e-6), 1),
        "top10_agree": f"{agree}/{len(sample)}",
    }
