"""The floating members of the demo district: every floating member has his record, the seed's
member from Sichuan found his home seven weeks after arriving at 高塘社区's station, and the
station's lists have content."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from gangwan.core.models import RoleAssignment
from gangwan.core.scopes import scope_for
from gangwan.demo.services import DEMO_PASSWORD, demo_load
from gangwan.floating import selectors
from gangwan.floating.models import Floating, SelfRegistration, ServiceStation
from gangwan.members.models import Member

SCALE = 0.1


@pytest.fixture
def demo(db):
    demo_load(seed=2013, scale=SCALE)


def test_every_floating_member_has_a_record_and_most_found_a_home(demo):
    floating = Member.objects.filter(is_floating=True)
    assert Floating.objects.count() == floating.count() > 100
    assert not floating.filter(floating__isnull=True).exists()
    found = Floating.objects.filter(home_found_on__isnull=False)
    share = found.count() / Floating.objects.count()
    assert 0.75 < share < 0.95
    assert all(10 <= f.days_to_home <= 90 for f in found.exclude(member__user__username="member"))
    provinces = {f.origin_region_name[:2] for f in Floating.objects.all()}
    assert {"四川", "安徽", "江西", "河南", "贵州", "湖南"} <= provinces


def test_the_member_from_sichuan_found_his_home_within_two_months(demo):
    member = Member.objects.get(user__username="member")
    record = member.floating
    assert record.station.name == "高塘社区流动党员服务站"
    assert record.origin_region_name == "四川省广安市"
    assert record.days_to_home == 49
    assert member.home_organization.kind == "regional_branch"
    assert member.home_organization.region.name == "高塘社区"


def test_the_station_staff_log_in_and_find_work_to_do(demo):
    ra = RoleAssignment.objects.get(user__username="station_gaotang")
    assert ra.role == "station_staff" and ra.region.name == "高塘社区"
    assert RoleAssignment.objects.get(user__username="station_xiangjia").region.name == "向家村"
    assert ServiceStation.objects.filter(region__name="向家村").exists()
    assert ServiceStation.objects.order_by().values("region__parent").distinct().count() == 9
    client = Client()
    assert client.login(username="station_gaotang", password=DEMO_PASSWORD)
    assert client.get(reverse("floating:home")).status_code == 200
    assert client.get(reverse("floating:self_registrations")).context["rows"]
    assert SelfRegistration.objects.filter(status="pending").count() == 5
    admin = scope_for(ra.user.__class__.objects.get(username="district_admin"))
    assert selectors.follow_up_list(scope=admin)
    assert selectors.certificate_reminders(scope=admin).exists()
    figures = selectors.floating_figures(scope=admin)
    assert 20 <= figures["median_days_to_home"] <= 50
    assert len(figures["by_street"]) >= 7  # a street may have no floating member at this scale
