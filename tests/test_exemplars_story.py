"""The demo's exemplars: the first batch of 10 five-star bases with 高塘社区 and 向家村 among them,
rated in 2013 and reviewed in 2014 within R45's five-star share, and one assessment to try."""

import time

from django.utils import timezone

from gangwan.demo.services import demo_load
from gangwan.exemplars.models import (
    AssessmentState,
    BaseStatus,
    DemonstrationBase,
    Review,
    StarAssessment,
)


def test_the_demo_names_the_first_batch_of_ten_five_star_bases(db):
    started = time.perf_counter()
    demo_load(seed=2013, scale=0.05)
    print(f"demo load at scale 0.05: {time.perf_counter() - started:.2f}s")
    named = DemonstrationBase.objects.filter(status=BaseStatus.NAMED, batch__name="首批")
    assert named.count() == 10
    assert set(named.values_list("stars", flat=True)) == {5}
    areas = set(named.values_list("organization__region__name", flat=True))
    assert {"高塘社区", "向家村"} <= areas
    for year in (2013, 2014):
        done = StarAssessment.objects.filter(year=year, state=AssessmentState.AWARDED)
        fives = done.filter(awarded_stars=5).count()
        assert fives == 10
        assert fives <= done.count() * 30 / 100  # R45 share
        assert Review.objects.filter(assessment__year=year).count() == 2 * done.count()
    # one step up at a time between the two cycles
    by_base = {}
    for base_id, year, stars in StarAssessment.objects.filter(
        state=AssessmentState.AWARDED
    ).values_list("base_id", "year", "awarded_stars"):
        by_base.setdefault(base_id, {})[year] = stars
    assert all(s[2014] <= s[2013] + 1 for s in by_base.values())
    trying = StarAssessment.objects.get(year=timezone.localdate().year)
    assert trying.state == AssessmentState.SELF_ASSESSMENT
    assert trying.base.organization.region.name == "高塘社区"
    assert trying.reviews.count() == 2
