"""Demo story: member records filled in (SPEC §2) — ethnicity, education, conversion dates, posts,
skills, who is on call, community posts (one member, two posts) — and the last organizational
life and dues month, so that the inactivity list (R27) holds a realistic few: most members met
and paid within the last months, some are past the warning (3 months), a few past escalation (6).

Dates follow the day of loading (plan.today), like terms: inactivity means "as of now". Floating
members keep what the floating story gave them (their inactivity counts from arrival). Values
other stories set before this one are kept (COALESCE / only where empty)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection

from gangwan.members.models import add_years

from .plan import Plan

ETHNICITIES = ["回族", "满族", "土家族", "苗族", "畲族", "壮族", "蒙古族"]
SKILLS = [
    "电工",
    "驾驶",
    "急救",
    "财会",
    "法律咨询",
    "电脑维修",
    "水电维修",
    "调解邻里纠纷",
    "书法",
    "摄影",
    "厨师",
    "护理",
]
POSTS = ["员工", "技术员", "车间主任", "经理", "会计", "工程师", "销售", "行政"]
COMMUNITY_POSTS = ["楼道长", "网格员", "调解员", "志愿者队长", "居民小组长"]
HOURS = ["周末", "工作日晚上", "随时", ""]

SQL = """
UPDATE members_member SET
    ethnicity = CASE WHEN ethnicity = '' THEN %s ELSE ethnicity END,
    education = CASE WHEN education = '' THEN %s ELSE education END,
    full_on = COALESCE(full_on, %s),
    post = CASE WHEN post = '' THEN %s ELSE post END,
    skills = CASE WHEN skills = '' THEN %s ELSE skills END,
    on_call = CASE WHEN on_call THEN on_call ELSE %s END,
    on_call_hours = CASE WHEN on_call_hours = '' THEN %s ELSE on_call_hours END,
    community_post = CASE WHEN community_post = '' THEN %s ELSE community_post END,
    last_life_on = COALESCE(last_life_on, %s)
WHERE id = %s
"""


def _months_back(d: dt.date, n: int) -> dt.date:
    i = d.year * 12 + d.month - 1 - n
    return dt.date(i // 12, i % 12 + 1, 1)


def _education(rng: random.Random, birth: dt.date) -> str:
    young = birth.year >= 1975
    weights = (
        {"postgraduate": 8, "bachelor": 42, "college": 30, "secondary": 15, "junior": 5}
        if young
        else {"postgraduate": 2, "bachelor": 15, "college": 20, "secondary": 33, "junior": 30}
    )
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _activity(rng: random.Random, today: dt.date, joined: dt.date | None):
    """(last organizational life, dues month): mostly recent; some warned, a few escalated."""
    r = rng.random()
    if r < 0.94:
        life = today - dt.timedelta(days=rng.randint(3, 45))
    elif r < 0.98:
        life = today - dt.timedelta(days=rng.randint(95, 175))
    elif r < 0.995:
        life = today - dt.timedelta(days=rng.randint(190, 400))
    else:
        life = None  # no record at all: counted from joining
    r = rng.random()
    back = (
        0 if r < 0.75 else 1 if r < 0.96 else rng.randint(4, 5) if r < 0.985 else rng.randint(7, 10)
    )
    dues = _months_back(today, back)
    if joined is not None:
        if life is not None and life < joined:
            life = joined
        if dues < joined.replace(day=1):
            dues = joined.replace(day=1)
    return life, dues


def load(plan: Plan, users: dict) -> None:
    rng = random.Random(plan.seed * 7 + 27)
    today = plan.today
    adapt = connection.ops.adapt_datefield_value
    rows = []
    for m in plan.members:
        if m.pk is None:
            continue
        ethnicity = "汉族" if rng.random() < 0.97 else rng.choice(ETHNICITIES)
        education = _education(rng, m.birth_date)
        full_on = None
        if m.status == "full" and m.joined_on:
            converted = add_years(m.joined_on, 1)  # probation: a year from joining (R41)
            full_on = converted if converted <= today else None
        post = rng.choice(POSTS) if m.unit_id and rng.random() < 0.3 else ""
        skills = "、".join(rng.sample(SKILLS, rng.randint(1, 2))) if rng.random() < 0.35 else ""
        on_call = rng.random() < 0.15
        hours = rng.choice(HOURS) if on_call else ""
        community_post = rng.choice(COMMUNITY_POSTS) if rng.random() < 0.08 else ""
        # Dues (and the paid-up month) are the dues story's (story_dues.py); the draw stays so the
        # other values keep their seed-determined sequence.
        life, _dues = _activity(rng, today, m.joined_on)
        if m.is_floating:  # their story is the floating one: counted from arrival
            life = None
        rows.append(
            (
                ethnicity,
                education,
                adapt(full_on),
                post,
                skills,
                on_call,
                hours,
                community_post,
                adapt(life),
                m.pk,
            )
        )
    with connection.cursor() as cursor:
        cursor.executemany(SQL, rows)
