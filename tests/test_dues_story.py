"""The demo's dues story: every member assessed for this year, ~90% paid up to last month, some
3–8 months behind, and one voluntary payment routed to the Central Committee (R37)."""

import time

from django.db.models import Max
from django.utils import timezone

from gangwan.demo.services import demo_load
from gangwan.dues import rules
from gangwan.dues.models import DuesAssessment, DuesPayment
from gangwan.members.models import Member


def test_the_demo_tells_the_dues_story(db):
    started = time.perf_counter()
    demo_load(seed=2013, scale=0.05)
    print(f"demo load at scale 0.05: {time.perf_counter() - started:.2f}s")
    today = timezone.localdate()
    members = Member.objects.exclude(organization__kind="temporary_branch").count()
    assert DuesAssessment.objects.filter(year=today.year).count() == members
    last = dict(
        DuesPayment.objects.exclude(kind="voluntary")
        .values("member")
        .annotate(last=Max("to_month"))
        .values_list("member", "last")
    )
    previous = rules.month_from_index(rules.month_index(today) - 1)
    paid_up = sum(1 for v in last.values() if v >= previous)
    assert 0.8 < paid_up / members < 0.97
    behind = [rules.months_behind(v, today) for v in last.values()]
    assert any(3 <= b <= 8 for b in behind)
    central = DuesPayment.objects.filter(kind="voluntary", routed_to="central")
    assert central.exists()
    assert all(p.amount >= 1000 for p in central)
