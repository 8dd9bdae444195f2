"""Last year's democratic appraisal (R17) in the demo district.

Most branches held it in December or January: about a quarter of the full members excellent, a few
basically qualified, rarely one unqualified; probationary members took part without a grade. Two
branches graded more than a third excellent and recorded why. Rows are bulk-inserted.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone

from gangwan.appraisals.models import Appraisal, AppraisalGrade, AppraisalRound
from gangwan.appraisals.rules import excellent_over_share
from gangwan.core.audit import audit_record, snapshot
from gangwan.members.models import Member, MemberStatus
from gangwan.organizations.models import BRANCH_KINDS, Organization

REASONS = [
    "本年度抗台防汛中多名党员表现突出，经支委会研究、党员大会表决通过。",
    "支部获评区级先进基层党组织，优秀比例经上级党组织同意。",
]


def _grade(rng: random.Random) -> str:
    x = rng.random()
    if x < 0.25:
        return AppraisalGrade.EXCELLENT
    if x < 0.28:
        return AppraisalGrade.BASICALLY_QUALIFIED
    if x < 0.283:
        return AppraisalGrade.UNQUALIFIED
    return AppraisalGrade.QUALIFIED


def load(plan, users: dict) -> None:
    rng = random.Random(plan.seed * 31 + 17)
    today = plan.today
    year = today.year - 1
    branches = list(
        Organization.objects.filter(kind__in=BRANCH_KINDS, dissolved_on__isnull=True)
        .filter(Q(established_on__isnull=True) | Q(established_on__lt=dt.date(year, 10, 1)))
        .order_by("path")
    )
    people: dict[int, list[tuple[int, str]]] = {}
    for pk, home, status in (
        Member.objects.filter(home_organization__in=branches, archived_on__isnull=True)
        .order_by("pk")
        .values_list("pk", "home_organization_id", "status")
    ):
        people.setdefault(home, []).append((pk, status))
    branches = [b for b in branches if len(people.get(b.pk, ())) >= 3 and rng.random() < 0.85]
    generous = {b.pk for b in rng.sample(branches, min(2, len(branches)))}
    rounds = []
    for b in branches:
        held = dt.date(year, 12, rng.randint(5, 28))
        if rng.random() < 0.4:
            held = min(dt.date(year + 1, 1, rng.randint(5, 25)), today)
        closed = timezone.make_aware(dt.datetime.combine(held, dt.time(17, 0)))
        rounds.append(AppraisalRound(organization=b, year=year, held_on=held, closed_at=closed))
    AppraisalRound.objects.bulk_create(rounds)
    rounds = {r.organization_id: r for r in AppraisalRound.objects.filter(year=year)}
    rows, reasons = [], []
    for b in branches:
        rnd = rounds[b.pk]
        full = [pk for pk, s in people[b.pk] if s == MemberStatus.FULL]
        grades = {pk: _grade(rng) for pk in full}
        if b.pk in generous:
            for pk in full[: len(full) // 2 + 1]:
                grades[pk] = AppraisalGrade.EXCELLENT
        excellent = sum(g == AppraisalGrade.EXCELLENT for g in grades.values())
        if excellent_over_share(excellent=excellent, graded=len(grades)):
            rnd.excellent_reason = REASONS[len(reasons) % len(REASONS)]
            reasons.append(rnd)
        for pk, _status in people[b.pk]:
            rows.append(Appraisal(round=rnd, member_id=pk, grade=grades.get(pk)))
    Appraisal.objects.bulk_create(rows, batch_size=2000)
    AppraisalRound.objects.bulk_update(reasons, ["excellent_reason"])
    for rnd in reasons:
        audit_record(
            actor=None,
            action="appraisal.close",
            obj=rnd,
            after=snapshot(rnd),
            reason=rnd.excellent_reason,
            warnings=[
                {"rule": "R17", "level": "warn", "message": "R17: more than a third excellent"}
            ],
        )
