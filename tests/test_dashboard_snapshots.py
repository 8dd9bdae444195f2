"""Precomputed dashboards (SPEC §13): the worker's snapshot shows exactly the live figures, in the
reader's language; it is read only while young, never for secretaries, and ?fresh=1 recomputes."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from gangwan.activities.models import Activity
from gangwan.dashboard.models import DashboardSnapshot
from gangwan.dashboard.snapshots import snapshots_refresh
from tests import factories as f

FIGURE = re.compile(r'data-figure="([\w-]+)">([^<]*)<')
CHARTS = re.compile(r'<script id="gw-charts" type="application/json">(.*?)</script>', re.S)


@pytest.fixture
def world(district):
    d = district
    branch = f.organization("青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee)
    for i in range(4):
        f.member(branch, name=f"李{i}")
    Activity.objects.create(
        organization=branch, kind="theme_day", held_on=dt.date.today(), topic="主题党日"
    )
    return {
        "d": d,
        "admin": f.user("district", role="district_admin", region=d.district),
        "street": f.user("xiaogang", role="street_admin", region=d.xiaogang),
        "secretary": f.user("sec", role="secretary", organization=d.qingzhi_committee),
    }


def _page(client, user, **params):
    client.force_login(user)
    html = client.get(reverse("dashboard:home"), params).content.decode()
    return dict(FIGURE.findall(html)), CHARTS.search(html).group(1), html


@pytest.mark.parametrize("who", ["admin", "street"])
def test_the_snapshot_shows_the_live_figures(client, world, who):
    live_figures, live_charts, html = _page(client, world[who])
    assert 'id="gw-dashboard-snapshot"' not in html and live_figures["members"] != "0"
    assert snapshots_refresh() >= 4  # everything + two region scopes, in two languages
    figures, charts, html = _page(client, world[who])
    assert 'id="gw-dashboard-snapshot"' in html
    assert figures == live_figures and charts == live_charts
    # "Recompute now" computes afresh and keeps the result for the next visits.
    DashboardSnapshot.objects.update(computed_at=timezone.now() - dt.timedelta(minutes=10))
    before = set(DashboardSnapshot.objects.values_list("computed_at", flat=True))
    figures, charts, html = _page(client, world[who], fresh=1)
    assert 'id="gw-dashboard-snapshot"' in html and figures == live_figures
    after = set(DashboardSnapshot.objects.values_list("computed_at", flat=True))
    assert after - before  # one snapshot is new


def test_the_snapshot_is_in_the_readers_language(client, world, settings):
    snapshots_refresh()
    client.force_login(world["admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("dashboard:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="gw-dashboard-snapshot"' in html and "Full member" in CHARTS.search(html).group(1)


def test_an_old_snapshot_is_not_read(client, world):
    snapshots_refresh()
    DashboardSnapshot.objects.update(computed_at=timezone.now() - dt.timedelta(minutes=30))
    assert 'id="gw-dashboard-snapshot"' not in _page(client, world["admin"])[2]


def test_secretaries_always_see_live_figures(client, world):
    snapshots_refresh()
    assert 'id="gw-dashboard-snapshot"' not in _page(client, world["secretary"])[2]
