"""Demo story: a year of organizational life (SPEC §3) for the demo district. Most branches hold a
theme Party day and a committee meeting every month, a general meeting and a Party lecture every
quarter and an organizational-life meeting with the democratic appraisal in December; about 15%
of the branches have fallen behind (nothing in the last 2–4 months, a quarter's general meeting
missed), so the compliance page tells a story. Attendance rows are written only for the last
3 months' meetings (to keep loading fast) and give members their last organizational life.

Dates follow the day of loading (plan.today), like terms: "behind" means "as of now". Floating
members keep their own story (their home is found by the floating story), so they are left out."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import connection

from gangwan.activities.models import Activity, ActivityKind, Attendance
from gangwan.organizations.models import BRANCH_KINDS

from .plan import Plan

BATCH = 2000
BEHIND_SHARE = 0.15
ATTENDANCE_MONTHS = 3
PLACES = ["党员活动室", "党群服务中心", "会议室", "新时代文明实践站", "红色教育基地"]
TOPICS = {
    ActivityKind.THEME_DAY: [
        "重温入党誓词",
        "走访慰问困难群众",
        "社区环境整治志愿服务",
        "学习身边榜样",
        "红色观影",
        "垃圾分类宣传",
    ],
    ActivityKind.COMMITTEE_MEETING: [
        "研究本月支部工作",
        "讨论发展党员工作",
        "研究党费收缴情况",
        "部署主题党日活动",
    ],
    ActivityKind.GENERAL_MEETING: [
        "学习贯彻党的二十大精神",
        "讨论接收预备党员",
        "通报支部季度工作",
        "学习新修订的党内法规",
    ],
    ActivityKind.LECTURE: [
        "书记讲党课：坚定理想信念",
        "党史学习教育专题党课",
        "发挥党员先锋模范作用",
        "全面从严治党专题党课",
    ],
    ActivityKind.LIFE_MEETING: ["年度组织生活会"],
    ActivityKind.APPRAISAL: ["年度民主评议党员"],
}
REASONS = ["出差", "病假", "值班", "外出务工", "照顾家人"]


def _month_start(d: dt.date, back: int) -> dt.date:
    i = d.year * 12 + d.month - 1 - back
    return dt.date(i // 12, i % 12 + 1, 1)


def _day_in(month: dt.date, rng: random.Random, today: dt.date) -> dt.date | None:
    d = month.replace(day=rng.randint(3, 28))
    return d if d <= today else None


def load(plan: Plan, users: dict) -> None:
    rng = random.Random(f"{plan.seed}:activities")
    today = plan.today
    branches = [
        o
        for o in plan.organizations
        if o.pk is not None and o.kind in BRANCH_KINDS and o.dissolved_on is None
    ]
    by_home = defaultdict(list)
    for m in plan.members:
        if m.pk is not None and not m.is_floating and m.archived_on is None:
            by_home[m.home_organization_id].append(m)
    office_members = defaultdict(set)
    leaders = {}
    for off in plan.offices:
        if off.ended_on is None and off.member_id is not None:
            office_members[off.organization_id].add(off.member_id)
            if off.role == "secretary":
                leaders[off.organization_id] = off.member.name

    activities: list[Activity] = []
    for org in branches:
        established = org.established_on or dt.date(2000, 1, 1)
        behind = rng.random() < BEHIND_SHARE
        missed = rng.randint(2, 4) if behind else 0
        host = leaders.get(org.pk, "")
        place = rng.choice(PLACES)

        def add(kind, on, org=org, established=established, host=host, place=place):
            if on is None or on < established:
                return
            activities.append(
                Activity(
                    organization=org,
                    kind=kind,
                    held_on=on,
                    starts_at=dt.time(rng.choice([9, 14, 15, 19]), 0),
                    place=place,
                    topic=rng.choice(TOPICS[kind]),
                    host=host,
                )
            )

        for back in range(12):
            month = _month_start(today, back)
            if back < missed:
                continue
            if rng.random() < 0.95:
                add(ActivityKind.THEME_DAY, _day_in(month, rng, today))
            if office_members.get(org.pk) and rng.random() < 0.9:
                add(ActivityKind.COMMITTEE_MEETING, _day_in(month, rng, today))
            if month.month in (3, 6, 9, 12):
                add(ActivityKind.GENERAL_MEETING, _day_in(month, rng, today))
                add(ActivityKind.LECTURE, _day_in(month, rng, today))
            if month.month == 12:
                on = _day_in(month, rng, today)
                add(ActivityKind.LIFE_MEETING, on)
                add(ActivityKind.APPRAISAL, on)
    Activity.objects.bulk_create(activities, batch_size=BATCH)

    since = _month_start(today, ATTENDANCE_MONTHS - 1)
    sampled = (ActivityKind.GENERAL_MEETING, ActivityKind.THEME_DAY, ActivityKind.COMMITTEE_MEETING)
    rows: list[Attendance] = []
    last_life: dict[int, dt.date] = {}
    for a in activities:
        if a.held_on < since or a.kind not in sampled or a.pk is None:
            continue
        expected = by_home.get(a.organization_id, [])
        if a.kind == ActivityKind.COMMITTEE_MEETING:
            sitting = office_members.get(a.organization_id, set())
            expected = [m for m in expected if m.pk in sitting]
        for m in expected:
            r = rng.random()
            status, reason = (
                ("present", "")
                if r < 0.88
                else ("on_leave", rng.choice(REASONS))
                if r < 0.95
                else ("absent", "")
            )
            rows.append(
                Attendance(
                    activity=a,
                    member=m,
                    status=status,
                    reason=reason,
                    has_vote=m.status == "full" and m.organization_id == a.organization_id,
                )
            )
            if status == "present" and a.held_on > last_life.get(m.pk, dt.date.min):
                last_life[m.pk] = a.held_on
    Attendance.objects.bulk_create(rows, batch_size=BATCH)
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE members_member SET last_life_on = %s WHERE id = %s",
            [(adapt(d), pk) for pk, d in last_life.items()],
        )
