"""Compliance rollups (SPEC §13): area pages above the organizations read one row per
organization, refreshed daily by the worker and kept current as activities are recorded; their
figures equal the live evaluation's, their queries do not grow, and stale rollups are not read."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gangwan.activities.models import Activity
from gangwan.activities.services import activity_record
from gangwan.compliance import rollups
from gangwan.compliance.models import ComplianceRefresh, OrganizationStatus
from gangwan.organizations.services import organization_dissolve
from tests import factories as f

ROW = re.compile(r'<tr data-region="(\d+)">(.*?)</tr>', re.S)


@pytest.fixture
def world(district):
    d = district
    today = dt.date.today()
    behind = f.organization("青峙化工党支部", "branch", d.qingzhi, d.qingzhi_committee)
    keeping_up = f.organization("高塘物业党支部", "branch", d.gaotang, d.gaotang_committee)
    for kind in ("theme_day", "general_meeting", "lecture"):
        Activity.objects.create(organization=keeping_up, kind=kind, held_on=today, topic=kind)
    admin = f.user("district", role="district_admin", region=d.district)
    return {"d": d, "behind": behind, "keeping_up": keeping_up, "admin": admin}


def _rows(client, user, **params) -> dict[str, str]:
    client.force_login(user)
    html = client.get(reverse("compliance:index"), params).content.decode()
    return {pk: re.sub(r"\s+", " ", cells) for pk, cells in ROW.findall(html)}, html


def test_area_figures_from_rollups_equal_the_live_evaluation(client, world):
    d, admin = world["d"], world["admin"]
    live, html = _rows(client, admin, region=d.district.pk)
    assert 'id="gw-compliance-rollup"' not in html  # no rollup yet: evaluated live
    written = rollups.refresh_all()
    assert written == OrganizationStatus.objects.count() > 2
    rolled, html = _rows(client, admin, region=d.district.pk)
    assert 'id="gw-compliance-rollup"' in html
    assert rolled == live and len(live) >= 2
    # A street: the same again.
    street = d.gaotang.parent
    assert _rows(client, admin, region=street.pk)[0] == _rows(client, admin, region=street.pk)[0]


def test_recording_an_activity_updates_the_rollup(
    client, world, django_capture_on_commit_callbacks
):
    rollups.refresh_all()
    org = world["behind"]
    before = OrganizationStatus.objects.get(organization=org)
    with django_capture_on_commit_callbacks(execute=True):
        activity_record(
            actor=world["admin"],
            organization=org,
            kind="theme_day",
            held_on=dt.date.today(),
            topic="主题党日",
        )
    after = OrganizationStatus.objects.get(organization=org)
    assert after.done_current == before.done_current + 1


def test_a_dissolved_organization_leaves_the_rollup(world, django_capture_on_commit_callbacks):
    rollups.refresh_all()
    org = world["behind"]
    with django_capture_on_commit_callbacks(execute=True):
        organization_dissolve(
            actor=world["admin"], organization=org, dissolved_on=dt.date.today(), reason="合并"
        )
    assert not OrganizationStatus.objects.filter(organization=org).exists()


def test_yesterdays_rollup_is_not_read(client, world):
    rollups.refresh_all(today=dt.date.today() - dt.timedelta(days=1))
    assert ComplianceRefresh.objects.count() == 1
    _, html = _rows(client, world["admin"], region=world["d"].district.pk)
    assert 'id="gw-compliance-rollup"' not in html
    assert rollups.refresh_daily() > 0  # the worker's task makes today's
    assert rollups.refresh_daily() == 0  # once


def test_secretaries_are_evaluated_live(client, world):
    d = world["d"]
    rollups.refresh_all()
    secretary = f.user("qingzhi_sec", role="secretary", organization=d.qingzhi_committee)
    _, html = _rows(client, secretary)
    assert 'id="gw-compliance-rollup"' not in html
    assert "青峙化工党支部" in html and "高塘物业党支部" not in html


def _count(client, user, **params) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("compliance:index"), params).status_code == 200
    return len(ctx.captured_queries)


def test_rollup_page_queries_do_not_grow(client, world):
    d, admin = world["d"], world["admin"]
    rollups.refresh_all()
    before = _count(client, admin, region=d.district.pk)
    for i in range(5):
        f.organization(f"新支部{i}", "branch", d.qingzhi, d.qingzhi_committee)
    rollups.refresh_all()
    assert _count(client, admin, region=d.district.pk) == before <= 12


def test_superuser_sees_every_top_level_region(client, world):
    other = f.district("镇海区")
    f.organization("镇海党支部", "branch", f.community(f.street(other, "招宝山街道"), "城河社区"))
    root = f.user("root")
    root.is_superuser = True
    root.save()
    rows, html = _rows(client, root)
    assert str(world["d"].district.pk) in rows and str(other.pk) in rows
    rollups.refresh_all()
    assert _rows(client, root)[0] == rows
