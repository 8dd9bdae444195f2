"""The matching engine (cobuild/matching.py): pure functions, no database."""

from __future__ import annotations

import datetime as dt
import random

from gangwan.cobuild import matching, quality
from gangwan.cobuild.matching import Candidate, CandidateIndex, Subject

TODAY = dt.date(2026, 6, 1)
D, XINQI, GAOTANG, DAGANG, XIAOGANG, QINGZHI = (
    "00001",
    "0000100001",
    "000010000100001",
    "000010000100002",
    "0000100002",
    "000010000200001",
)


def res(id, category, path, text, **kw):
    return Candidate.of(
        kind="resource", id=id, label=str(id), category=category, region_path=path, text=text, **kw
    )


def test_bigrams_of_chinese_text_and_latin_words():
    assert matching.bigrams("门球场") == {"门球", "球场"}
    assert matching.bigrams("找 AB 场地，好") == {"场地", "好", "ab", "找"}
    assert matching.bigrams("") == frozenset()


def test_same_community_is_closer_than_same_street_than_same_district():
    assert matching.closeness(GAOTANG, GAOTANG) == 1
    assert matching.closeness(GAOTANG, DAGANG) == 2 / 3
    assert matching.closeness(GAOTANG, QINGZHI) == 1 / 3
    assert matching.closeness(GAOTANG, "00002000010000100001") == 0
    assert matching.closeness(GAOTANG, XINQI) == 2 / 3  # a street-wide resource


def test_category_fit_same_related_other_and_none():
    assert matching.category_fit("venues", "venues") == 1
    assert matching.category_fit("venues", "culture") == 0.5
    assert matching.category_fit("venues", "enterprise") == 0
    assert matching.category_fit("venues", "") == 0


def test_availability_expired_soon_and_open_ended():
    assert matching.availability(None, TODAY) == 1
    assert matching.availability(TODAY + dt.timedelta(days=60), TODAY) == 1
    assert matching.availability(TODAY + dt.timedelta(days=10), TODAY) == 0.6
    assert matching.availability(TODAY - dt.timedelta(days=1), TODAY) == 0


def test_members_without_category_get_one_from_their_skills():
    m = Candidate.of(
        kind="member",
        id=1,
        label="王",
        category="",
        region_path=GAOTANG,
        text="",
        skills="门球 调解",
    )
    assert m.category == "venues" and m.skills == ("门球", "调解")


def test_a_need_ranks_the_fitting_near_resource_first_with_reasons():
    need = Subject.of(category="venues", region_path=DAGANG, text="老年门球队缺少训练场地")
    pool = [
        res(1, "venues", QINGZHI, "学校篮球场晚间开放"),
        res(2, "venues", GAOTANG, "社区门球场每周开放，欢迎门球队训练", skills="门球"),
        res(3, "enterprise", DAGANG, "法律咨询"),
        res(4, "venues", GAOTANG, "门球场", available_until=TODAY - dt.timedelta(days=1)),
    ]
    ranked = matching.rank(need, pool, today=TODAY)
    assert [s.candidate.id for s in ranked] == [2, 1, 3]  # the expired field is never suggested
    reasons = {r.key: r for r in ranked[0].reasons}
    assert set(reasons) == set(matching.WEIGHTS)
    assert reasons["category"].value == 1 and reasons["distance"].value == 2 / 3
    assert "门球" in reasons["text"].detail and reasons["skills"].detail == "门球"


def test_past_success_breaks_a_tie():
    need = Subject.of(category="elderly", region_path=GAOTANG, text="独居老人需要志愿者探望")
    a = res(1, "elderly", GAOTANG, "志愿者探望独居老人")
    b = res(2, "elderly", GAOTANG, "志愿者探望独居老人", successes=3)
    assert [s.candidate.id for s in matching.rank(need, [a, b], today=TODAY)] == [2, 1]


def test_the_reverse_direction_ranks_needs_for_a_resource():
    site = Subject.of(category="environment", region_path=QINGZHI, text="闲置空地可堆放河道淤泥")
    needs = [
        Candidate.of(
            kind="need",
            id=1,
            label="a",
            category="environment",
            region_path=QINGZHI,
            text="河道清淤淤泥无处堆放",
        ),
        Candidate.of(
            kind="need", id=2, label="b", category="culture", region_path=QINGZHI, text="想学书法"
        ),
    ]
    assert matching.rank(site, needs, today=TODAY)[0].candidate.id == 1


def test_the_category_only_baseline_keeps_list_order_within_the_category():
    need = Subject.of(category="venues", region_path=GAOTANG, text="门球")
    pool = [
        res(1, "culture", GAOTANG, ""),
        res(2, "venues", QINGZHI, ""),
        res(3, "venues", GAOTANG, "门球"),
    ]
    assert [c.id for c in matching.rank_by_category(need, pool, limit=2)] == [2, 3]


def test_the_index_ranks_like_the_full_scan_on_a_random_pool():
    data = quality.labelled()
    rng = random.Random(7)
    paths = list(quality.area_paths(data["streets"]).values())
    texts = [(p["resource"]["category"], p["resource"]["text"]) for p in data["pairs"]]
    pool = []
    for i in range(3000):
        cat, text = rng.choice(texts)
        until = None if i % 3 else TODAY + dt.timedelta(days=rng.randint(-30, 300))
        pool.append(
            res(i, cat, rng.choice(paths), text, available_until=until, successes=rng.randint(0, 3))
        )
    index = CandidateIndex(pool)
    for p in data["pairs"][:40]:
        subject = Subject.of(
            category=p["need"]["category"], region_path=rng.choice(paths), text=p["need"]["text"]
        )
        fast = [(s.candidate.id, round(s.score, 9)) for s in index.rank(subject, today=TODAY)]
        slow = [
            (s.candidate.id, round(s.score, 9)) for s in matching.rank(subject, pool, today=TODAY)
        ]
        assert fast == slow


def test_matching_beats_the_category_only_baseline_on_the_labelled_set():
    figures = quality.hit_rates(3)
    assert figures["pairs"] >= 200
    assert figures["top3_hit_rate"] >= 0.6
    assert figures["top3_hit_rate"] > figures["category_only_top3_hit_rate"] + 0.3
