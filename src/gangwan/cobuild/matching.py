"""The matching engine: pure functions, no database (SPEC §6).

For a need, candidates (resources or on-call members) are scored on six features, each in [0, 1]
and shown to the user as a reason:
- category fit: same category 1, a related one 0.5 (e.g. venues ↔ culture);
- distance in the region tree, from the materialized paths: same community 1, same street 2/3,
  same district 1/3 (shared steps ÷ the deeper node's depth);
- text similarity on Chinese character bigrams (cosine of the bigram sets);
- skills: the holder's keywords found in the need's text;
- availability: open-ended or available more than 30 days 1, expiring within 30 days 0.6, expired
  0 (expired candidates are never suggested);
- past success: matches of this candidate whose need was done (3 or more count fully).

`rank()` scores every candidate (the plain full scan). `CandidateIndex.rank()` gives the same
ranking faster on large pools: it keeps only candidates of a fitting category or sharing a rare
bigram with the need, scores them on precomputed integer features, and re-scores a shortlist
exactly. The reverse direction (needs for a resource) uses the same functions: a resource's text
and category against open needs.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

STEP = 5  # core.tree.STEP_WIDTH: the width of one step of a materialized path

WEIGHTS = {
    "category": 0.30,
    "distance": 0.20,
    "text": 0.30,
    "skills": 0.10,
    "availability": 0.05,
    "success": 0.05,
}

# Categories that often serve each other's needs (symmetric).
RELATED = {
    frozenset(p)
    for p in [
        ("venues", "culture"),
        ("venues", "elderly"),
        ("childcare", "culture"),
        ("environment", "safety"),
        ("employment", "enterprise"),
        ("elderly", "culture"),
    ]
}

# Words that suggest a category, for candidates that have none (on-call members' skills).
CATEGORY_WORDS = {
    "childcare": "幼儿 托育 教育 辅导 作业 学生 儿童 教师 幼儿园",
    "environment": "环境 河道 清淤 绿化 垃圾 环保 场地 卫生 整治",
    "venues": "场地 体育 门球 篮球 活动室 场馆 健身",
    "elderly": "老人 养老 护理 助老 陪护 医疗 健康 理发",
    "employment": "就业 招聘 培训 技能 岗位 求职",
    "enterprise": "企业 法律 财务 税务 政策 融资 咨询",
    "culture": "文艺 文化 书法 合唱 舞蹈 图书 摄影",
    "safety": "安全 消防 治安 巡逻 电工 维修 应急 调解",
}

_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[A-Za-z0-9]{2,}")
_SPLIT = re.compile(r"[\s,，、;；/|]+")


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the Chinese runs of `text`, plus Latin/digit words (lower-cased)."""
    grams: set[str] = set()
    for run in _CJK.findall(text or ""):
        if len(run) == 1:
            grams.add(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    grams.update(w.lower() for w in _WORD.findall(text or ""))
    return frozenset(grams)


def keywords(skills: str) -> tuple[str, ...]:
    return tuple(k for k in _SPLIT.split(skills or "") if k)


def cosine(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def category_fit(need_category: str, candidate_category: str) -> float:
    if not candidate_category:
        return 0.0
    if need_category == candidate_category:
        return 1.0
    return 0.5 if frozenset((need_category, candidate_category)) in RELATED else 0.0


def infer_category(text: str) -> str:
    """The category whose words appear most in `text` ('' when none does)."""
    best, hits = "", 0
    for cat, words in CATEGORY_WORDS.items():
        n = sum(1 for w in words.split() if w in text)
        if n > hits:
            best, hits = cat, n
    return best


def closeness(path_a: str, path_b: str) -> float:
    """Shared steps of two materialized paths ÷ the deeper one's depth (1 = same node)."""
    if not path_a or not path_b:
        return 0.0
    depth = max(len(path_a), len(path_b)) // STEP
    shared = 0
    for i in range(0, min(len(path_a), len(path_b)), STEP):
        if path_a[i : i + STEP] != path_b[i : i + STEP]:
            break
        shared += 1
    return shared / depth if depth else 0.0


def skills_fit(need_text: str, skills: Sequence[str]) -> tuple[float, list[str]]:
    found = [k for k in skills if len(k) >= 2 and k in need_text]
    if not found:
        return 0.0, []
    return min(1.0, 0.5 + 0.25 * len(found)), found


def availability(available_until: dt.date | None, today: dt.date) -> float:
    if available_until is None:
        return 1.0
    days = (available_until - today).days
    if days < 0:
        return 0.0
    return 1.0 if days > 30 else 0.6


def success(successes: int) -> float:
    return min(1.0, successes / 3)


@dataclass(frozen=True)
class Subject:
    """What is matched: a need (or, in reverse, a resource) reduced to its features."""

    category: str
    region_path: str
    text: str
    grams: frozenset = field(default=frozenset())

    @classmethod
    def of(cls, *, category: str, region_path: str, text: str) -> Subject:
        return cls(category, region_path, text, bigrams(text))


@dataclass(frozen=True)
class Candidate:
    """A resource, an on-call member or (in reverse) a need, reduced to its features."""

    kind: str  # "resource" | "member" | "need"
    id: int
    label: str
    category: str
    region_path: str
    text: str
    skills: tuple[str, ...] = ()
    available_until: dt.date | None = None
    successes: int = 0
    grams: frozenset = field(default=frozenset())

    @classmethod
    def of(cls, *, kind, id, label, category, region_path, text, skills="", **kw) -> Candidate:
        category = category or infer_category(f"{text} {skills}")
        return cls(
            kind,
            id,
            label,
            category,
            region_path,
            text,
            keywords(skills),
            grams=bigrams(f"{text} {skills}"),
            **kw,
        )


@dataclass(frozen=True)
class Reason:
    key: str  # a WEIGHTS key
    value: float  # the feature in [0, 1]
    detail: str = ""  # e.g. the shared words, the matched skills


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict:
        return {
            "kind": self.candidate.kind,
            "id": self.candidate.id,
            "label": self.candidate.label,
            "score": round(self.score, 4),
            "reasons": [
                {"key": r.key, "value": round(r.value, 3), "detail": r.detail} for r in self.reasons
            ],
        }


def score(subject: Subject, cand: Candidate, today: dt.date) -> Scored:
    """The candidate's score for the subject, with one reason per feature."""
    shared = subject.grams & cand.grams
    text = len(shared) / math.sqrt(len(subject.grams) * len(cand.grams)) if shared else 0.0
    sk, found = skills_fit(subject.text, cand.skills)
    feats = (
        Reason("category", category_fit(subject.category, cand.category), cand.category),
        Reason("distance", closeness(subject.region_path, cand.region_path)),
        Reason("text", text, " ".join(sorted(shared)[:8])),
        Reason("skills", sk, "、".join(found)),
        Reason(
            "availability",
            availability(cand.available_until, today),
            cand.available_until.isoformat() if cand.available_until else "",
        ),
        Reason("success", success(cand.successes), str(cand.successes)),
    )
    total = sum(WEIGHTS[r.key] * r.value for r in feats)
    return Scored(cand, total, feats)


def _order(s: Scored):
    return (-s.score, s.candidate.kind, s.candidate.id)


def rank(
    subject: Subject, candidates: Iterable[Candidate], *, today: dt.date, limit: int = 10
) -> list[Scored]:
    """Every available candidate scored, best first (the plain full scan)."""
    scored = (score(subject, c, today) for c in candidates)
    return sorted((s for s in scored if s.reasons[4].value > 0), key=_order)[:limit]


def rank_by_category(
    subject: Subject, candidates: Sequence[Candidate], *, limit: int = 10
) -> list[Candidate]:
    """The baseline a list clerk would use: same category first, then the order of the list."""
    return sorted(candidates, key=lambda c: -category_fit(subject.category, c.category))[:limit]


class CandidateIndex:
    """Candidates prepared for fast ranking: integer-coded bigrams, an inverted index, candidates
    grouped by category, and distances computed once per distinct region."""

    SHORTLIST = 200
    RARE_SHARE = 0.02  # a bigram in more than 2 % of candidates does not select candidates

    def __init__(self, candidates: Sequence[Candidate]):
        self.candidates = list(candidates)
        self.by_category: dict[str, list[int]] = {}
        self.postings: dict[str, list[int]] = {}
        regions: dict[str, int] = {}
        self.region_of: list[int] = []
        self.size: list[int] = []
        self.until: list[int] = []  # available_until as an ordinal (0 = open-ended)
        self.prior: list[float] = []  # success part of the score
        for i, c in enumerate(self.candidates):
            self.by_category.setdefault(c.category, []).append(i)
            for g in c.grams:
                self.postings.setdefault(g, []).append(i)
            self.region_of.append(regions.setdefault(c.region_path, len(regions)))
            self.size.append(max(1, len(c.grams)))
            self.until.append(c.available_until.toordinal() if c.available_until else 0)
            self.prior.append(WEIGHTS["success"] * success(c.successes))
        self.region_paths = list(regions)
        self.rare_limit = max(50, int(len(self.candidates) * self.RARE_SHARE))

    def __len__(self) -> int:
        return len(self.candidates)

    def rank(self, subject: Subject, *, today: dt.date, limit: int = 10) -> list[Scored]:
        today_n = today.toordinal()
        dist = [WEIGHTS["distance"] * closeness(subject.region_path, p) for p in self.region_paths]
        # Prefilter: candidates sharing a rare bigram with the subject, counted in one pass …
        rare = [
            self.postings[g]
            for g in subject.grams
            if g in self.postings and len(self.postings[g]) <= self.rare_limit
        ]
        overlap = Counter(i for plist in rare for i in plist)
        nq = max(1, len(subject.grams))
        approx: dict[int, float] = {
            i: WEIGHTS["text"] * n / math.sqrt(nq * self.size[i]) for i, n in overlap.items()
        }
        # … and candidates of a fitting category.
        for cat, idxs in self.by_category.items():
            fit = WEIGHTS["category"] * category_fit(subject.category, cat)
            if fit:
                for i in idxs:
                    approx[i] = approx.get(i, 0.0) + fit
        until, region_of, prior = self.until, self.region_of, self.prior
        best = heapq.nlargest(
            self.SHORTLIST,
            (
                (v + dist[region_of[i]] + prior[i], -i)
                for i, v in approx.items()
                if until[i] == 0 or until[i] >= today_n
            ),
        )
        shortlist = [self.candidates[-neg] for _v, neg in best]
        return rank(subject, shortlist, today=today, limit=limit)
