"""Demonstration bases in the demo district (seed 0.1, SPEC §4, R45).

The first batch (首批, 2013) named 10 five-star bases, 高塘社区 (the floating-member service
station) and 向家村 (the 12-member task force) among them. 30 more candidates of the district were
rated in the same cycles, so the five-star share stays within R45's cap (10 of 40 = 25%). Each
candidate has finished assessments for 2013 and the 2014 yearly review: self-assessment, two
reviewers' sheets, the band's stars, a five-working-day notice and the award. One assessment of
the current year (高塘社区) waits for its self-assessment, to try the flow.
Written with bulk_create (a few thousand rows) and one audit entry per cycle.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from gangwan.core.audit import audit_record
from gangwan.core.models import Role, RoleAssignment, User
from gangwan.exemplars import rules, services
from gangwan.exemplars.models import (
    AssessmentState,
    BaseStatus,
    Batch,
    CriterionKind,
    DemonstrationBase,
    Review,
    SelfEntry,
    StarAssessment,
)
from gangwan.organizations.models import Organization
from gangwan.regions.models import Region

STORIES = {
    "高塘社区": "社区流动党员服务站为外来党员登记报到、安排组织生活：一位从四川来的60岁老党员"
    "两个月内找到了“家”。流动党员亮身份、作承诺，只要社区需要，随时听候调用。",
    "向家村": "本地人口1500人、新居民逾万人。“新向家人”党支部12名流动党员请假组成突击队，"
    "挨家挨户做工作，几天内拆除了房前屋后的违章建筑，助村创成市级卫生村。",
}
CYCLES = ((2013, dt.date(2013, 12, 2)), (2014, dt.date(2014, 12, 1)))


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _sheet(criteria, target: float, rng: random.Random) -> dict:
    """Points near `target` share of each criterion's maximum, a little different per reviewer."""
    out = {}
    for c in criteria:
        if c.kind == CriterionKind.VETO:
            continue
        frac = min(1.0, max(0.0, target + rng.uniform(-0.03, 0.03)))
        out[str(c.pk)] = str((Decimal(c.max_points) * Decimal(str(frac))).quantize(Decimal("0.5")))
    return out


def _reviewers(users) -> list[User]:
    first = users.get("reviewer")
    if first is None:
        return []
    second = User.objects.filter(username="reviewer2").first()
    if second is None:
        second = User.objects.create(
            username="reviewer2", password=first.password, display_name="区委评审组（二）"
        )
        RoleAssignment.objects.create(
            user=second, role=Role.REVIEWER, region_id=first_region(users)
        )
    return [first, second]


def first_region(users) -> int | None:
    ra = RoleAssignment.objects.filter(user=users["reviewer"], role=Role.REVIEWER).first()
    return ra.region_id if ra else None


def _candidates(plan, rng) -> tuple[list[Organization], list[Organization]]:
    named_paths = []
    for key in ("高塘社区", "向家村"):
        area = plan.named.get(key)
        if area is not None and area.own is not None:
            named_paths.append(area.own.path)
    for key in ("samsung_branch",):
        leaf = plan.named.get(key)
        if leaf is not None:
            named_paths.append(leaf.path)
    dagang = plan.named.get("大港社区")
    if dagang is not None and dagang.regional is not None:
        named_paths.append(dagang.regional.path)
    # Other candidates: the areas' own organizations first, then enterprises' branches.
    areas = sorted({a.own.path for a in plan.areas if a.own is not None} - set(named_paths))
    branches = sorted(
        set(
            Organization.objects.filter(
                kind__in=("branch", "general_branch", "joint_branch"),
                dissolved_on__isnull=True,
                region__level__in=("community", "village"),
            ).values_list("path", flat=True)
        )
        - set(named_paths)
        - set(areas)
    )
    rng.shuffle(areas)
    rng.shuffle(branches)
    pool = areas + branches
    five = named_paths + pool[: 10 - len(named_paths)]
    rest = pool[10 - len(named_paths) : 40 - len(named_paths)]
    by_path = {
        o.path: o
        for o in Organization.objects.filter(path__in=five + rest).select_related("region")
    }
    return [by_path[p] for p in five if p in by_path], [by_path[p] for p in rest if p in by_path]


def load(plan, users) -> None:
    district = Region.objects.filter(path=plan.named["district"].path).first()
    reviewers = _reviewers(users)
    if district is None or len(reviewers) < 2:
        return
    rng = random.Random(plan.seed * 7919 + 45)
    admin = users.get("district_admin")
    scheme = services.scheme_ensure(region=district)
    criteria = list(scheme.criteria.all())
    five, rest = _candidates(plan, rng)
    batch = Batch.objects.create(
        region=district,
        name="首批",
        year=2013,
        quota=10,
        description="首批服务型党组织示范基地：10家“五星级”示范基地。",
    )
    bases = DemonstrationBase.objects.bulk_create(
        DemonstrationBase(
            batch=batch,
            organization=o,
            description=STORIES.get(
                o.region.name,
                f"{o.name}以服务群众、服务企业为重点，建成党群服务阵地，开展结对帮扶和志愿服务。",
            ),
        )
        for o in five + rest
    )
    # Stars per cycle: the ten stay at five; the others move at most one step up a year.
    plan_stars = {}
    for i, b in enumerate(bases):
        if i < len(five):
            plan_stars[b.pk] = [5, 5]
        else:
            s = rng.choice([1, 2, 2, 3, 3, 3, 4, 4])
            plan_stars[b.pk] = [s, max(1, min(4, s + rng.choice([-1, 0, 0, 1])))]
    # Centre of each band on the 110-point scale.
    target = {5: 0.89, 4: 0.77, 3: 0.68, 2: 0.59, 1: 0.47}
    for cycle, (year, notice_from) in enumerate(CYCLES):
        notice_to = rules.notice_end(notice_from, scheme.notice_days, scheme.notice_working_days)
        awarded_on = notice_to + dt.timedelta(days=4)
        assessments = StarAssessment.objects.bulk_create(
            StarAssessment(
                base=b,
                scheme=scheme,
                year=year,
                state=AssessmentState.AWARDED,
                self_submitted_at=_at(notice_from - dt.timedelta(days=30)),
                notice_starts_on=notice_from,
                notice_ends_on=notice_to,
                awarded_on=awarded_on,
            )
            for b in bases
        )
        entries, reviews = [], []
        for a in assessments:
            stars = plan_stars[a.base_id][cycle]
            goal = target[stars]
            for _try in range(20):  # draw until the sheets land in the planned band
                sheets = [_sheet(criteria, goal, rng) for _ in reviewers]
                totals = [rules.sheet_total(criteria, pts) for pts in sheets]
                score = (sum(totals) / len(totals)).quantize(rules.TWO)
                got = rules.stars_for(score, bands=scheme.bands)
                if got == stars:
                    break
            for u, pts, total in zip(reviewers, sheets, totals, strict=True):
                reviews.append(
                    Review(
                        assessment=a,
                        reviewer=u,
                        points=pts,
                        total=total,
                        submitted_at=_at(notice_from - dt.timedelta(days=10)),
                    )
                )
            a.score, a.proposed_stars, a.awarded_stars = score, got, got
            plan_stars[a.base_id][cycle] = got
            for c in criteria:
                if c.kind != CriterionKind.VETO:
                    claim = Decimal(c.max_points) * Decimal(str(min(1.0, goal + 0.03)))
                    entries.append(
                        SelfEntry(
                            assessment=a,
                            criterion=c,
                            points=claim.quantize(Decimal("0.5")),
                            statement="见佐证材料。",
                        )
                    )
        StarAssessment.objects.bulk_update(
            assessments, ["score", "proposed_stars", "awarded_stars"]
        )
        Review.objects.bulk_create(reviews)
        SelfEntry.objects.bulk_create(entries)
        audit_record(
            actor=admin,
            action="exemplars.demo_cycle",
            obj=batch,
            after={"year": year, "assessed": len(assessments)},
        )
    named_on = CYCLES[0][1] + dt.timedelta(days=10)
    for b in bases:
        b.stars = plan_stars[b.pk][-1]
        b.rated_on = CYCLES[-1][1] + dt.timedelta(days=10)
        if b.stars == 5:
            b.status, b.named_on = BaseStatus.NAMED, named_on
    DemonstrationBase.objects.bulk_update(bases, ["stars", "rated_on", "status", "named_on"])
    # One to try: 高塘社区's assessment of this year waits for its self-assessment.
    year = plan.today.year
    if year > CYCLES[-1][0]:
        a = services.assessment_open(actor=admin, base=bases[0], year=year)
        services.reviewers_assign(actor=admin, assessment=a, reviewers=reviewers)
