"""The service brands' story in the demo district (demo/story_brands.py): the seed's 15 brands with
a year of service records, the advisory group's problems in every state (each closure one
record), and the union's matchmaking events with 300+ registrations and a waiting list."""

import pytest
from django.test import Client
from django.urls import reverse

from gangwan.brands.models import (
    EmployeeEvent,
    EnterpriseProblem,
    ServiceBrand,
    ServiceRecord,
)
from gangwan.core.models import User
from gangwan.demo.services import demo_load


@pytest.fixture
def demo(db):
    demo_load(seed=2013, scale=0.05)


def test_the_fifteen_brands_with_a_year_of_records_problems_and_the_matchmaking_event(demo):
    names = set(ServiceBrand.objects.values_list("name", flat=True))
    assert len(names) == 15 and {"企业顾问团", "星期六雇员", "向日葵工程", "一员双岗"} <= names
    assert set(ServiceBrand.objects.values_list("category", flat=True)) == {
        "serve_enterprises",
        "serve_public",
        "socialize_party_building",
        "two_posts",
    }
    for brand in ServiceBrand.objects.all():
        assert brand.records.count() >= 40, brand
    assert ServiceRecord.objects.filter(members__isnull=False).exists()
    # The advisory groups' problems are in every state; each closure is one service record.
    statuses = set(EnterpriseProblem.objects.values_list("status", flat=True))
    assert statuses == {"open", "in_hand", "solved", "referred"}
    closed = EnterpriseProblem.objects.filter(status__in=["solved", "referred"])
    assert closed.count() == closed.filter(record__isnull=False).count() > 0
    for p in closed.select_related("record"):
        assert p.record.source_ref == f"brands.problem:{p.pk}" and p.closed_on >= p.reported_on
    # The union's matchmaking events: 300+ registrations, attendance, a waiting list.
    past = EmployeeEvent.objects.get(title__contains="鹊桥会")
    assert past.registrations.count() > 300
    assert past.registrations.filter(attended=True).count() > 250
    upcoming = EmployeeEvent.objects.get(is_public=True)
    assert upcoming.registrations.filter(status="confirmed").count() == upcoming.capacity == 300
    assert upcoming.registrations.filter(status="waiting").count() > 0


def test_the_demo_pages_answer(demo):
    c = Client()
    c.force_login(User.objects.get(username="district_admin"))
    brand = ServiceBrand.objects.get(name="企业顾问团")
    for url in (
        reverse("brands:list"),
        reverse("brands:detail", args=[brand.pk]),
        reverse("brands:problems"),
        reverse("brands:events"),
        reverse("dashboard:home"),
    ):
        assert c.get(url).status_code == 200, url
    event = EmployeeEvent.objects.get(is_public=True)
    assert Client().get(reverse("brands_public:event", args=[event.pk])).status_code == 200
    assert Client().get(reverse("brands_public:detail", args=[brand.pk])).status_code == 200
