"""Co-building in the demo district (demo/story_cobuild.py): the three seed exchanges and a year
of needs, resources and projects, reachable by the demo accounts."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from gangwan.cobuild.models import Exchange, Match, Need, NeedState, Project, ProjectStatus
from gangwan.core.models import User
from gangwan.demo.services import demo_load


@pytest.fixture
def demo(db):
    demo_load(seed=2013, scale=0.05)


def test_the_three_seed_exchanges_are_in_the_demo(demo):
    kindergarten = Project.objects.get(title="芙蓉社区普惠性幼儿园")
    assert kindergarten.status == ProjectStatus.DONE and kindergarten.funder.name.startswith(
        "宁波吉利"
    )
    assert kindergarten.deliberation.votes_for == 6 and kindergarten.feedback.count() == 1
    assert kindergarten.needs.get().state == NeedState.DONE
    exchange = Exchange.objects.get()
    assert exchange.matches.count() == 2
    assert {m.resource.holder_name for m in exchange.matches.all()} >= {"宁波钢铁有限公司"}
    gateball = Need.objects.get(title="退休职工门球队缺少训练场地和对手")
    assert gateball.state == NeedState.MATCHED
    assert {m.how for m in Match.objects.filter(need=gateball)} == {"claim", "dispatch"}


def test_a_year_of_needs_in_every_state_across_the_district(demo):
    states = set(Need.objects.values_list("state", flat=True))
    assert states == {s.value for s in NeedState}
    assert Need.objects.values("region__parent").distinct().count() >= 5
    assert Project.objects.filter(status=ProjectStatus.DONE).count() >= 5


def test_the_demo_accounts_reach_the_lists_and_the_portal(demo):
    c = Client()
    c.force_login(User.objects.get(username="secretary_gaotang"))
    for name in ["cobuild:needs", "cobuild:resources", "cobuild:projects", "cobuild:councils"]:
        assert c.get(reverse(name)).status_code == 200
    need = Need.objects.get(title="退休职工门球队缺少训练场地和对手")
    t = time.perf_counter()
    assert c.get(reverse("cobuild:need", args=[need.pk])).status_code == 200
    assert time.perf_counter() - t < 30  # sanity, not a benchmark
    public = Client()
    assert "芙蓉社区普惠性幼儿园" in public.get(reverse("cobuild_public:projects")).content.decode()
    admin = Client()
    admin.force_login(User.objects.get(username="district_admin"))
    assert "gw-panel-cobuild" in admin.get(reverse("dashboard:home")).content.decode()
