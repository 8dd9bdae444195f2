"""The placement rule of the service stations, and the small world the floating tests share.

北仑区 ─ 新碶街道 ─ 高塘社区 (its regional branch; a station), 大港社区
       └ 小港街道 ─ 青峙社区 (its regional branch; a station), 向家村 ("新向家人" floating branch)
新碶街道 has no floating members' branch, so 高塘's station places arrivals in 高塘's regional
branch (the reservoir); 小港街道 has one, in 向家村, so 青峙's station places them there.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gangwan.floating import rules, services
from gangwan.floating.models import ServiceStation
from tests import factories as f

SICHUAN_ID_AREA = "995116"  # 四川广安, under the test prefix 99


def sichuan_id(birth=dt.date(1965, 3, 12), gender="male") -> str:
    return f.id_number(birth, gender, area=SICHUAN_ID_AREA)


class FloatingWorld:
    def __init__(self, d):
        self.d = d
        self.gaotang_regional = f.organization(
            "高塘社区区域综合党支部", "regional_branch", d.gaotang, d.gaotang_committee
        )
        self.qingzhi_regional = f.organization(
            "青峙社区区域综合党支部", "regional_branch", d.qingzhi, d.qingzhi_committee
        )
        self.xiangjia = f.community(d.xiaogang, "向家村", kind="village")
        self.xiangjia_committee = f.organization(
            "向家村党总支", "general_branch", self.xiangjia, d.xiaogang_wc
        )
        self.floating_branch = f.organization(
            "“新向家人”党支部", "floating_branch", self.xiangjia, self.xiangjia_committee
        )
        self.gaotang_station = ServiceStation.objects.create(
            name="高塘社区流动党员服务站",
            region=d.gaotang,
            address="新碶街道高塘路1号",
            phone="0574-86880000",
            opened_on=dt.date(2012, 5, 1),
        )
        self.qingzhi_station = ServiceStation.objects.create(
            name="青峙社区流动党员服务站", region=d.qingzhi, opened_on=dt.date(2013, 1, 1)
        )
        self.gaotang_staff = f.user("station_gaotang", role="station_staff", region=d.gaotang)
        self.qingzhi_staff = f.user("station_qingzhi", role="station_staff", region=d.qingzhi)

    def register(self, station=None, *, actor=None, days_ago: int = 10, **kw) -> object:
        """A floating member registered at a station (through the service)."""
        today = timezone.localdate()
        fields = {
            "name": "李红华",
            "id_number": sichuan_id(),
            "phone": f"139{next(f._seq):08d}"[-11:],
            "origin_organization_name": "中共广安市广安区浓洄街道委员会",
            "origin_region_name": "四川省广安市",
            "arrived_on": today - dt.timedelta(days=days_ago),
        }
        fields.update(kw)
        return services.floating_register(
            actor=actor or self.gaotang_staff, station=station or self.gaotang_station, **fields
        )


@pytest.fixture
def fworld(district):
    return FloatingWorld(district)


def test_a_street_without_a_floating_branch_places_in_the_communitys_regional_branch(fworld):
    assert rules.placement_default(fworld.gaotang_station) == fworld.gaotang_regional


def test_a_floating_branch_in_the_street_comes_first(fworld):
    assert rules.placement_default(fworld.qingzhi_station) == fworld.floating_branch
    options = set(rules.placement_options(fworld.qingzhi_station))
    assert options == {fworld.floating_branch, fworld.qingzhi_regional}


def test_the_floating_branch_of_the_stations_own_community_wins(fworld):
    own = f.organization(
        "青峙流动党员党支部", "floating_branch", fworld.d.qingzhi, fworld.d.qingzhi_committee
    )
    assert rules.placement_default(fworld.qingzhi_station) == own


def test_a_dissolved_branch_is_no_placement(fworld):
    fworld.floating_branch.dissolved_on = dt.date(2024, 1, 1)
    fworld.floating_branch.save()
    assert rules.placement_default(fworld.qingzhi_station) == fworld.qingzhi_regional


def test_without_a_rule_the_station_must_choose(fworld):
    furong = f.community(fworld.d.xinqi, "芙蓉社区")
    furong_station = ServiceStation.objects.create(name="芙蓉社区服务站", region=furong)
    # No floating branch in 新碶街道 and no regional branch in 芙蓉社区: no default …
    assert rules.placement_default(furong_station) is None
    with pytest.raises(ValidationError) as exc:
        fworld.register(furong_station)
    assert "home_organization" in exc.value.message_dict
    # … but the regional branches of the street are options, chosen by hand.
    floating = fworld.register(furong_station, home_organization=fworld.d.dagang_regional)
    assert floating.member.home_organization == fworld.d.dagang_regional


def test_the_station_may_choose_another_option_but_not_outside_its_street(fworld):
    floating = fworld.register(
        fworld.qingzhi_station,
        actor=fworld.qingzhi_staff,
        home_organization=fworld.qingzhi_regional,
    )
    assert floating.member.organization == fworld.qingzhi_regional
    with pytest.raises(ValidationError) as exc:
        fworld.register(
            fworld.gaotang_station,
            id_number=sichuan_id(dt.date(1971, 2, 2)),
            home_organization=fworld.floating_branch,  # 小港街道: another street
        )
    assert "home_organization" in exc.value.message_dict


def test_placement_sets_relationship_and_home_and_keeps_the_origin_as_text(fworld):
    floating = fworld.register()
    member = floating.member
    assert member.is_floating
    assert member.organization == member.home_organization == fworld.gaotang_regional
    assert floating.origin_region_name == "四川省广安市"
    assert floating.station == fworld.gaotang_station
    assert floating.placed_on == timezone.localdate()
    assert floating.registered_via == "counter"
