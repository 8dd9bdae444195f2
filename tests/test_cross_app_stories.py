"""Stories that cross apps: what one capability finishes, another counts."""

import datetime as dt

from django.utils import timezone

from gangwan.brands.models import ServiceRecord
from gangwan.brands.services import brand_create
from gangwan.cobuild import projects
from tests.test_cobuild_story import CobuildWorld


def test_a_done_cobuild_project_is_a_service_record_of_the_owners_brand(district):
    """芙蓉社区's kindergarten, built with the automaker's money, counts as one service record of
    the community committee's brand — once, however often the project is reported."""
    world = CobuildWorld(district)
    brand = brand_create(
        actor=world.admin,
        name="芙蓉管家",
        category="serve_public",
        organization=world.furong_committee,
        description="社区党委为居民办实事",
        started_on=dt.date(2012, 1, 1),
    )
    p = projects.project_create(
        actor=world.admin,
        title="芙蓉社区普惠性幼儿园",
        summary="吉利出资捐建",
        region=world.furong,
        organization=world.furong_committee,
        funder=world.geely,
        served_text="芙蓉社区的居民",
    )
    projects.project_complete(
        actor=world.admin, project=p, completed_on=timezone.localdate(), hours=None
    )
    (record,) = ServiceRecord.objects.filter(brand=brand)
    assert record.source_ref == f"cobuild.project:{p.pk}"
    assert record.title == "芙蓉社区普惠性幼儿园" and record.served_text == "芙蓉社区的居民"
    assert record.served_on == timezone.localdate()
