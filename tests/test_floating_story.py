"""The seed's story (1.1), end to end through the views a station uses: a 60-year-old member from
Sichuan arrives at 高塘社区's service station, is placed in the regional branch (the reservoir),
takes part in his first organizational life within two months, and the days-to-home figure counts
him within 60 days."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gangwan.core.models import AuditEntry
from gangwan.floating import selectors
from gangwan.floating.models import Floating
from gangwan.members.models import Member
from tests import factories as f
from tests.test_floating_placement import FloatingWorld, sichuan_id


@pytest.fixture
def fworld(district):
    return FloatingWorld(district)


def sixty_years_before(today: dt.date) -> dt.date:
    """A birth date that makes him 60 (and a quarter) today."""
    return dt.date(today.year - 61, today.month, 1) + dt.timedelta(days=280)


def _counter_form(**kw) -> dict:
    today = timezone.localdate()
    data = {
        "name": "李红华",
        "id_number": sichuan_id(sixty_years_before(today)),
        "phone": "13980001234",
        "status": "full",
        "origin_organization_name": "中共广安市广安区浓洄街道委员会",
        "origin_region_name": "四川省广安市",
        "certificate_no": "川流证2025-0815",
        "left_origin_on": (today - dt.timedelta(days=70)).isoformat(),
        "arrived_on": (today - dt.timedelta(days=60)).isoformat(),
        "skills": "电工，调解邻里纠纷",
        "on_call": "on",
        "on_call_hours": "周末和工作日晚上",
        "home_organization": "",
        "unit": "",
    }
    data.update(kw)
    return data


def test_a_member_from_sichuan_finds_a_home_within_two_months(client, fworld):
    today = timezone.localdate()
    client.force_login(fworld.gaotang_staff)

    # Arrival: the station registers him at the counter; the placement rule chooses the
    # regional branch of 高塘社区 (新碶街道 has no floating members' branch).
    resp = client.post(reverse("floating:register"), _counter_form())
    assert resp.status_code == 302, resp.content.decode()[:2000]
    floating = Floating.objects.get(member__name="李红华")
    assert resp.url == reverse("floating:detail", args=[floating.pk])
    member = floating.member
    assert member.is_floating and member.status == "full"
    assert member.home_organization == member.organization == fworld.gaotang_regional
    assert (today - member.birth_date).days // 365 == 60
    assert floating.station == fworld.gaotang_station
    assert floating.certificate_reviewed_on == today  # the certificate was shown at the counter
    assert {"member.create", "floating.register"} <= set(
        AuditEntry.objects.filter(actor=fworld.gaotang_staff).values_list("action", flat=True)
    )
    page = client.get(resp.url).content.decode()
    assert "李红华" in page and "四川省广安市" in page and "13980001234" not in page

    # No home yet: the overview counts him as pending.
    figures = selectors.floating_figures(scope=_scope(fworld.gaotang_staff))
    assert (figures["total"], figures["home_found"]) == (1, 0)

    # Seven weeks after arriving he takes part in the branch's theme Party day.
    first_life = today - dt.timedelta(days=11)
    resp = client.post(
        reverse("floating:first_activity", args=[floating.pk]),
        {"date": first_life.isoformat(), "what": "区域综合党支部主题党日"},
    )
    assert resp.status_code == 302
    floating.refresh_from_db()
    assert floating.home_found_on == first_life
    assert floating.days_to_home == 49
    assert AuditEntry.objects.filter(action="floating.home_found", actor=fworld.gaotang_staff)
    member.refresh_from_db()
    if hasattr(member, "last_life_on"):
        assert member.last_life_on == first_life

    # The figure counts him within 60 days, for the station and for 新碶街道.
    figures = selectors.floating_figures(scope=_scope(fworld.gaotang_staff))
    assert figures["median_days_to_home"] == 49
    assert figures["share_within_60_days"] == 100.0
    [station_row] = figures["by_station"]
    assert station_row["station"] == "高塘社区流动党员服务站"
    assert station_row["share_within_60_days"] == 100.0
    [street_row] = figures["by_street"]
    assert street_row["street"] == "新碶街道" and street_row["median_days_to_home"] == 49
    home = client.get(reverse("floating:home"))
    assert home.status_code == 200
    assert home.context["figures"]["median_days_to_home"] == 49

    # A second first activity is refused: the home was found already.
    resp = client.post(
        reverse("floating:first_activity", args=[floating.pk]),
        {"date": today.isoformat(), "what": "党课"},
    )
    assert resp.status_code == 422
    floating.refresh_from_db()
    assert floating.home_found_on == first_life


def _scope(user):
    from gangwan.core.scopes import scope_for

    return scope_for(user)


def test_the_counter_form_refuses_bad_input_and_saves_nothing(client, fworld):
    client.force_login(fworld.gaotang_staff)
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    resp = client.post(
        reverse("floating:register"),
        _counter_form(id_number="510000196503120000", arrived_on=future),
    )
    assert resp.status_code == 422
    assert resp.context["form"].errors.get("id_number") or resp.context["form"].errors.get(
        "arrived_on"
    )
    resp = client.post(reverse("floating:register"), _counter_form(arrived_on=future))
    assert resp.status_code == 422
    assert "arrived_on" in resp.context["form"].errors
    assert not Member.objects.exists() and not Floating.objects.exists()


def test_a_duplicate_id_number_is_refused_at_the_counter(client, fworld):
    existing = f.member(fworld.gaotang_regional, name="王建国")
    client.force_login(fworld.gaotang_staff)
    resp = client.post(reverse("floating:register"), _counter_form(id_number=existing.id_number))
    assert resp.status_code == 422
    assert "id_number" in resp.context["form"].errors
    assert not Floating.objects.exists()


def test_the_counter_form_offers_the_options_and_lets_the_station_choose(client, fworld):
    client.force_login(fworld.qingzhi_staff)
    resp = client.get(reverse("floating:register"))
    options = list(resp.context["form"].fields["home_organization"].queryset)
    assert set(options) == {fworld.floating_branch, fworld.qingzhi_regional}
    resp = client.post(
        reverse("floating:register"),
        _counter_form(home_organization=fworld.qingzhi_regional.pk),
    )
    assert resp.status_code == 302
    assert Floating.objects.get().member.home_organization == fworld.qingzhi_regional


def test_a_street_admin_chooses_the_station_first(client, fworld):
    from gangwan.floating.models import ServiceStation

    dagang = ServiceStation.objects.create(name="大港社区服务站", region=fworld.d.dagang)
    client.force_login(f.user("xinqi", role="street_admin", region=fworld.d.xinqi))
    resp = client.get(reverse("floating:register"))
    assert resp.status_code == 200
    assert set(resp.context["stations"]) == {fworld.gaotang_station, dagang}
    resp = client.get(reverse("floating:register") + f"?station={fworld.gaotang_station.pk}")
    assert resp.context["station"] == fworld.gaotang_station


def test_follow_up_lists_who_has_no_home_after_30_days(client, fworld):
    today = timezone.localdate()
    waiting = fworld.register(name="张大山", id_number=sichuan_id(dt.date(1980, 1, 1)))
    recent = fworld.register(name="刘小河", id_number=sichuan_id(dt.date(1981, 1, 1)))
    housed = fworld.register(name="陈安家", id_number=sichuan_id(dt.date(1982, 1, 1)))
    Floating.objects.filter(pk__in=[waiting.pk, housed.pk]).update(
        placed_on=today - dt.timedelta(days=45)
    )
    Floating.objects.filter(pk=recent.pk).update(placed_on=today - dt.timedelta(days=29))
    Floating.objects.filter(pk=housed.pk).update(home_found_on=today - dt.timedelta(days=5))

    client.force_login(fworld.gaotang_staff)
    with CaptureQueriesContext(connection) as queries:
        resp = client.get(reverse("floating:follow_up"))
    assert resp.status_code == 200
    assert [f_.member.name for f_ in resp.context["rows"]] == ["张大山"]
    assert resp.context["rows"][0].waiting_days == 45
    assert resp.context["rows"][0].can_follow_up
    few = len(queries)
    # Ten more waiting members cost no more queries (no N+1).
    for i in range(10):
        fl = fworld.register(name=f"等待{i}", id_number=sichuan_id(dt.date(1970, 1, 1 + i)))
        Floating.objects.filter(pk=fl.pk).update(placed_on=today - dt.timedelta(days=40))
    with CaptureQueriesContext(connection) as queries:
        resp = client.get(reverse("floating:follow_up"))
    assert len(resp.context["rows"]) == 11
    assert len(queries) == few


def test_a_district_sets_its_own_follow_up_delay(fworld):
    from gangwan.core.models import RuleSetting
    from gangwan.core.scopes import scope_for

    today = timezone.localdate()
    fl = fworld.register()
    Floating.objects.filter(pk=fl.pk).update(placed_on=today - dt.timedelta(days=20))
    scope = scope_for(fworld.gaotang_staff)
    assert selectors.follow_up_list(scope=scope) == []
    RuleSetting.objects.create(region=fworld.d.district, key="R22.follow_up_days", value=14)
    assert [r.pk for r in selectors.follow_up_list(scope=scope)] == [fl.pk]
    RuleSetting.objects.create(region=fworld.d.gaotang, key="R22.follow_up_days", value=21)
    assert selectors.follow_up_list(scope=scope) == []  # the nearest setting wins


def test_list_pages_keep_their_query_count(client, fworld):
    for i in range(3):
        fl = fworld.register(
            name=f"成员{i}", id_number=sichuan_id(dt.date(1975, 2, 1 + i)), certificate_no=f"A{i}"
        )
        Floating.objects.filter(pk=fl.pk).update(certificate_reviewed_on=None)
    client.force_login(fworld.gaotang_staff)
    urls = [
        reverse("floating:list"),
        reverse("floating:home"),
        reverse("floating:certificates"),
        reverse("floating:stations"),
    ]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as q:
            assert client.get(url).status_code == 200
        counts[url] = len(q)
    for i in range(3, 15):
        fl = fworld.register(
            name=f"成员{i}", id_number=sichuan_id(dt.date(1975, 3, 1 + i)), certificate_no=f"C{i}"
        )
        Floating.objects.filter(pk=fl.pk).update(certificate_reviewed_on=None)
    for url in urls:
        with CaptureQueriesContext(connection) as q:
            client.get(url)
        assert len(q) == counts[url], url
